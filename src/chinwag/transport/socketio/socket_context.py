"""One socket as the handlers see it (:class:`~chinwag.handlers.context.SocketContext`)."""

from __future__ import annotations

from datetime import datetime

from chinwag.domain.principal import Principal
from chinwag.transport.socketio.auth_lifecycle import AuthLifecycle
from chinwag.transport.socketio.sessions import SocketState


class SocketIOContext:
    """:class:`SocketContext` for one socket."""

    __slots__ = ("auth", "state")

    def __init__(self, auth: AuthLifecycle, state: SocketState) -> None:
        self.auth = auth
        self.state = state

    @property
    def sid(self) -> str:
        return self.state.sid

    @property
    def principal(self) -> Principal | None:
        return self.state.principal

    async def authenticate(self, principal: Principal, expires_at: datetime) -> None:
        await self.auth.bind(self.state, principal, expires_at)

    async def enter_room(self, room: str) -> None:
        await self.auth.transport.add_to_room(self.state.sid, room)

    async def leave_room(self, room: str) -> None:
        await self.auth.transport.remove_from_room(self.state.sid, room)
