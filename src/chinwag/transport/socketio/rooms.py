"""The generated emitter's Transport, and room membership, over python-socketio."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import socketio

from chinwag_contract.emitter import user_room

NAMESPACE = "/"

OutboundFilter = Callable[[str, dict[str, Any]], dict[str, Any] | None]
"""Applied to every server→client emit after validation: alter the data, or None to drop it.

For tests that need a deliberately broken server (the contract harness's own tests)."""


class SocketIOTransport:
    """Emits through the Socket.IO manager (local or Redis) and manages rooms."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        outbound_filter: OutboundFilter | None = None,
        on_emit: Callable[[str], None] | None = None,
    ):
        self.sio = sio
        self.outbound_filter = outbound_filter
        #: Called with the event name of every emit (a broadcast once): metrics.
        self.on_emit = on_emit

    async def emit(
        self,
        event: str,
        data: dict[str, Any],
        *,
        rooms: Sequence[str],
        skip_sid: str | None = None,
    ) -> None:
        """Send ``event`` once to every socket in any of ``rooms`` (but ``skip_sid``)."""
        filtered = self._filter(event, data)
        if filtered is None:
            return
        if self.on_emit is not None:
            self.on_emit(event)
        to: str | list[str] = rooms[0] if len(rooms) == 1 else list(rooms)
        await self.sio.emit(event, filtered, to=to, skip_sid=skip_sid, namespace=NAMESPACE)

    async def emit_local(self, event: str, data: dict[str, Any], room: str) -> None:
        """Emit to ``room``'s sockets on this process only (not through Redis)."""
        await self.emit_to_sockets(event, data, [room])

    async def emit_to_sockets(self, event: str, data: dict[str, Any], sids: Sequence[str]) -> None:
        """Emit to sockets (or rooms) of this process; never published through Redis.

        Replies to the socket that asked, and anything else meant for this process's own
        sockets, take this path: with the Redis manager a plain emit would be published to
        every process only for the others to find no such socket.
        """
        filtered = self._filter(event, data)
        if filtered is not None:
            if self.on_emit is not None:
                self.on_emit(event)
            to: str | list[str] = sids[0] if len(sids) == 1 else list(sids)
            await self.sio.emit(event, filtered, to=to, namespace=NAMESPACE, ignore_queue=True)

    def _filter(self, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """The data to send after the outbound filter (None: drop the emit)."""
        return data if self.outbound_filter is None else self.outbound_filter(event, data)

    async def sockets_of_user(self, user_id: str) -> Sequence[str]:
        """Socket ids in ``user:<user_id>`` on this process."""
        return [sid for sid, _ in self.sio.manager.get_participants(NAMESPACE, user_room(user_id))]

    async def rooms_of(self, sid: str) -> Sequence[str]:
        """Rooms the socket is in."""
        return list(self.sio.rooms(sid, namespace=NAMESPACE))

    async def remove_from_room(self, sid: str, room: str) -> None:
        """Take the socket out of ``room``."""
        await self.sio.leave_room(sid, room, namespace=NAMESPACE)

    async def add_to_room(self, sid: str, room: str) -> None:
        """Put the socket in ``room``."""
        await self.sio.enter_room(sid, room, namespace=NAMESPACE)
