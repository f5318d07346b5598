"""What a handler may ask of the socket it serves.

The transport implements :class:`SocketContext`; handlers never see socketio.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chinwag.domain.principal import Principal
from chinwag.errors import Unauthenticated


class SocketContext(Protocol):
    """One connected socket, as the handlers see it."""

    @property
    def sid(self) -> str:
        """The Socket.IO session id (also the socket's own room)."""
        ...

    @property
    def principal(self) -> Principal | None:
        """Who the socket is authenticated as, or None."""
        ...

    async def authenticate(self, principal: Principal, expires_at: datetime) -> None:
        """Bind the socket to ``principal`` until ``expires_at``; joins its user room.

        Raises ``Forbidden`` when the socket is already bound to another user, and
        ``TooManySockets`` when the user has too many sockets open.
        """
        ...

    async def enter_room(self, room: str) -> None:
        """Add the socket to ``room``."""
        ...

    async def leave_room(self, room: str) -> None:
        """Remove the socket from ``room``."""
        ...


def require_principal(ctx: SocketContext) -> Principal:
    """The socket's principal, or ``Unauthenticated``."""
    principal = ctx.principal
    if principal is None:
        raise Unauthenticated("Authenticate first")
    return principal
