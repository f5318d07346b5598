"""Both sides of ``x-chinwag-recipients``: every entitled socket got it, and no excluded one.

The tracker follows each socket's rooms from the requests the contract marks ``x-chinwag-joins``
and ``x-chinwag-leaves`` (the id comes from the success reply), and the stored messages each socket
caused (``message.id`` in a success reply). Then, for a room message (``room`` or
``room-except-sender``) that names its room's id:

- a socket that is not in that room must not get it;
- with ``room-except-sender``, the socket whose request caused it must not get it;
- every listening socket (an observer) that was in the room when the message was caused must have
  got it by the end of the run (checked after the final barriers, when everything has arrived).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contract_tests.client import ContractSocket, Outcome
from contract_tests.report import Report
from contract_tests.spec import Contract, OperationSpec

__all__ = ["RecipientTracker"]

_ID_FIELDS = {"conversationId": ("conversationId", "conversation_id")}


def _room_id(payload: Any, parameter: str) -> str | None:
    """The room's id as the payload carries it (at the top or in its ``message``)."""
    names = _ID_FIELDS.get(parameter, (parameter,))
    for node in (payload, payload.get("message") if isinstance(payload, dict) else None):
        if isinstance(node, dict):
            for name in names:
                if isinstance(node.get(name), str):
                    return str(node[name])
    return None


def _message_id(payload: Any) -> str | None:
    message = payload.get("message") if isinstance(payload, dict) else None
    return message.get("id") if isinstance(message, dict) else None


@dataclass
class _Expected:
    message_id: str
    room: tuple[str, str]
    sockets: list[ContractSocket] = field(default_factory=list)


class RecipientTracker:
    """Rooms and caused messages per socket; judges room messages as they arrive."""

    def __init__(self, contract: Contract, report: Report) -> None:
        self.contract, self.report = contract, report
        self.rooms: dict[ContractSocket, set[tuple[str, str]]] = {}
        self.caused: dict[ContractSocket, set[str]] = {}
        #: ``(channel, message id)`` of every room message a socket got.
        self.got: dict[ContractSocket, set[tuple[str, str]]] = {}
        #: Message ids a socket got through a ``room-except-sender`` operation.
        self.got_as_other: dict[ContractSocket, set[str]] = {}
        self.expected: list[_Expected] = []

    def on_reply(self, sock: ContractSocket, op: OperationSpec, outcome: Outcome) -> None:
        """A success reply: follow joins and leaves, remember what the socket caused."""
        if outcome.spec is None or outcome.is_error:
            return
        for channel, joined in ((op.joins, True), (op.leaves, False)):
            params = self.contract.rooms.get(channel or "", ())
            room_id = _room_id(outcome.payload, params[0]) if params else None
            if channel and room_id:
                rooms = self.rooms.setdefault(sock, set())
                (rooms.add if joined else rooms.discard)((channel, room_id))
        message_id = _message_id(outcome.payload)
        if message_id is None:
            return
        self.caused.setdefault(sock, set()).add(message_id)
        if message_id in self.got_as_other.get(sock, set()):  # the broadcast came first
            self.report.fail(
                f"[{sock.name}] {op.key}: the sender's own socket also got {message_id} as a "
                "room-except-sender message"
            )
        room_id = _room_id(outcome.payload, "conversationId")
        for channel, params in self.contract.rooms.items():
            if room_id and params == ("conversationId",):
                room = (channel, room_id)
                listeners = [
                    other
                    for other, rooms in self.rooms.items()
                    if other is not sock and room in rooms and other.name.startswith("observer:")
                ]
                self.expected.append(_Expected(message_id, room, listeners))

    def on_broadcast(self, sock: ContractSocket, op: OperationSpec, payload: Any) -> None:
        """A message of send operation ``op`` reached ``sock``: was it entitled to it?"""
        if op.recipients not in ("room", "room-except-sender"):
            return
        params = self.contract.rooms.get(op.channel, ())
        room_id = _room_id(payload, params[0]) if len(params) == 1 else None
        message_id = _message_id(payload)
        if message_id is not None:
            self.got.setdefault(sock, set()).add((op.channel, message_id))
            if op.recipients == "room-except-sender":
                self.got_as_other.setdefault(sock, set()).add(message_id)
        if room_id is None or sock not in self.rooms:
            return  # the room's id is not in the payload, or the socket never joined anything
        if (op.channel, room_id) not in self.rooms[sock]:
            self.report.fail(
                f"[{sock.name}] {op.key}: got a message of room {op.channel} {room_id} "
                f"without being in it ({op.recipients})"
            )
        if op.recipients == "room-except-sender" and message_id in self.caused.get(sock, set()):
            self.report.fail(
                f"[{sock.name}] {op.key}: the sender's own socket got {message_id} "
                f"({op.recipients} excludes it)"
            )

    def verify(self) -> None:
        """After the final barriers: every listening socket got what its rooms were sent."""
        for expected in self.expected:
            for sock in expected.sockets:
                if sock.dropped:
                    continue
                if (expected.room[0], expected.message_id) not in self.got.get(sock, set()):
                    self.report.fail(
                        f"[{sock.name}] never got message {expected.message_id} sent to room "
                        f"{expected.room[0]} {expected.room[1]}, which it had joined"
                    )
