"""A Socket.IO client that validates every event it receives and matches replies to requests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import socketio

from contract_tests.invalid import NO_PAYLOAD
from contract_tests.spec import MessageSpec
from contract_tests.validate import EventValidator

__all__ = ["ContractSocket", "Outcome"]

#: Called for every event that is not the reply of the pending request.
BroadcastHook = Callable[["ContractSocket", str, Any, MessageSpec | None], None]
FailHook = Callable[[str], None]


@dataclass
class Outcome:
    """What one request got: the reply event (or silence / a dropped socket) and the ack."""

    event: str | None = None
    payload: Any = None
    spec: MessageSpec | None = None
    ack: tuple[Any, ...] | None = None
    silent: bool = False
    dropped: bool = False
    #: Not sent: the operation was stopped after consecutive silent cases (one failure says so).
    skipped: bool = False
    problems: list[str] = field(default_factory=list)
    retries: int = 0

    @property
    def is_error(self) -> bool:
        """True when the reply is one of the operation's error replies."""
        return self.spec is not None and self.spec.is_error

    @property
    def code(self) -> str | None:
        """The error code of an error reply."""
        return (
            self.payload.get("code") if self.is_error and isinstance(self.payload, dict) else None
        )


@dataclass
class _Pending:
    event: str
    replies: dict[str, list[MessageSpec]]
    future: asyncio.Future[tuple[str | None, Any, MessageSpec | None]]


class ContractSocket:
    """One socket of the run; ``name`` labels it in failures, ``principal`` is its fixture user."""

    def __init__(
        self,
        name: str,
        url: str,
        validator: EventValidator,
        *,
        principal: str | None,
        token: str | None,
        channels: frozenset[str],
        on_broadcast: BroadcastHook,
        on_fail: FailHook,
        timeout: float,
    ) -> None:
        self.name, self.url, self.validator = name, url, validator
        self.principal, self.token, self.channels = principal, token, channels
        self.on_broadcast, self.on_fail, self.timeout = on_broadcast, on_fail, timeout
        self.received = 0
        self.closing = False
        self.dropped = False
        #: Set when the connection ends, whoever ends it.
        self.disconnected = asyncio.Event()
        self._pending: _Pending | None = None
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("*", self._on_event)
        self.sio.on("disconnect", self._on_disconnect)

    async def connect(self, handshake: MessageSpec | None) -> Outcome | None:
        """Connect; with ``handshake`` (the success reply of authenticate) send the token and
        wait for that reply, which the server sends right after connecting."""
        auth = {"token": self.token} if handshake is not None else None
        if handshake is None:
            await self.sio.connect(self.url, auth=auth, transports=["websocket"], wait_timeout=10)
            return None
        future = self._arm("(handshake)", {handshake.name: [handshake]})
        await self.sio.connect(self.url, auth=auth, transports=["websocket"], wait_timeout=10)
        return await self._await_reply(future, None)

    async def close(self) -> None:
        """Disconnect on purpose."""
        self.closing = True
        if self.sio.connected:
            await self.sio.disconnect()

    async def request(self, event: str, payload: Any, replies: list[MessageSpec]) -> Outcome:
        """Emit ``event`` with an ack callback and wait for one of ``replies`` and for the ack.

        ``rate_limited`` answers are honoured: wait ``retryAfter`` ms and resend the same payload.
        """
        by_name: dict[str, list[MessageSpec]] = {}
        for spec in replies:
            by_name.setdefault(spec.name, []).append(spec)
        for attempt in range(10):
            loop = asyncio.get_running_loop()
            ack: asyncio.Future[tuple[Any, ...]] = loop.create_future()
            future = self._arm(event, by_name)

            def on_ack(*args: Any, _ack: asyncio.Future[tuple[Any, ...]] = ack) -> None:
                if not _ack.done():
                    _ack.set_result(args)

            data = None if payload is NO_PAYLOAD else (payload,)
            try:
                await self.sio.emit(event, data, callback=on_ack)
            except socketio.exceptions.SocketIOError:
                self._pending = None
                return Outcome(dropped=True)
            outcome = await self._await_reply(future, ack)
            outcome.retries = attempt
            if outcome.code != "rate_limited":
                return outcome
            retry_after = outcome.payload.get("retryAfter", 1000)
            await asyncio.sleep(min(float(retry_after), 60_000) / 1000)
        return outcome

    def _arm(self, event: str, replies: dict[str, list[MessageSpec]]) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending = _Pending(event, replies, future)
        return future

    async def _await_reply(
        self, future: asyncio.Future[Any], ack: asyncio.Future[tuple[Any, ...]] | None
    ) -> Outcome:
        try:
            event, payload, spec = await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            return Outcome(silent=not self.dropped, dropped=self.dropped)
        finally:
            self._pending = None
        if event is None:
            return Outcome(dropped=True)
        outcome = Outcome(event, payload, spec)
        if ack is not None:
            try:
                outcome.ack = await asyncio.wait_for(ack, self.timeout)
            except TimeoutError:
                outcome.problems.append(f"{event}: no acknowledgement callback")
        return outcome

    async def _on_event(self, event: str, *args: Any) -> None:
        self.received += 1
        spec, problems = self.validator.event(event, args)
        payload = args[0] if args else None
        for problem in problems:
            self.on_fail(f"[{self.name}] {problem} | payload: {_short(payload)}")
        pending = self._pending
        if pending is not None and not pending.future.done() and event in pending.replies:
            about = payload.get("event") if isinstance(payload, dict) else None
            is_error = bool(pending.replies[event][0].is_error)
            if not is_error or about in (None, pending.event):
                pending.future.set_result((event, payload, spec or pending.replies[event][0]))
                return
        self.on_broadcast(self, event, payload, spec)

    async def _on_disconnect(self, *args: Any) -> None:
        self.disconnected.set()
        if self.closing:
            return
        self.dropped = True
        self.on_fail(f"[{self.name}] the server dropped the connection ({args})")
        pending = self._pending
        if pending is not None and not pending.future.done():
            pending.future.set_result((None, None, None))


def _short(payload: Any, limit: int = 300) -> str:
    text = repr(payload)
    return text if len(text) <= limit else text[:limit] + "…"
