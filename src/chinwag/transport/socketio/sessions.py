"""Per-socket state: who it is, until when, and its rate budget."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from chinwag.domain.principal import Principal
from chinwag.transport.limits.ratelimit import TokenBucket


@dataclass(slots=True)
class SocketState:
    """One connected socket of this process."""

    sid: str
    bucket: TokenBucket
    principal: Principal | None = None
    expires_at: datetime | None = None
    timers: list[asyncio.TimerHandle] = field(default_factory=list)

    def cancel_timers(self) -> None:
        """Cancel the expiry and deadline timers."""
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()


class SessionRegistry:
    """The sockets of this process (per-user limits live in ``user_limits``)."""

    def __init__(self, socket_rate: float) -> None:
        self.socket_rate = socket_rate
        self.sockets: dict[str, SocketState] = {}

    def open(self, sid: str) -> SocketState:
        """Register a new socket."""
        state = SocketState(sid=sid, bucket=TokenBucket(self.socket_rate))
        self.sockets[sid] = state
        return state

    def user_of(self, sid: str) -> str | None:
        """The user id socket ``sid`` is authenticated as (``None``: unknown or not yet)."""
        state = self.sockets.get(sid)
        return state.principal.user_id if state is not None and state.principal else None

    def close(self, sid: str) -> SocketState | None:
        """Forget a socket; returns its last state."""
        state = self.sockets.pop(sid, None)
        if state is not None:
            state.cancel_timers()
            self.unbind(state)
        return state

    def bind(self, state: SocketState, principal: Principal, expires_at: datetime) -> None:
        """Mark ``state`` authenticated as ``principal``."""
        state.principal = principal
        state.expires_at = expires_at

    def unbind(self, state: SocketState) -> None:
        """Mark ``state`` unauthenticated."""
        state.principal = None
        state.expires_at = None

    def throttle(self, state: SocketState) -> int:
        """Milliseconds to wait before this socket may send another event (0: go)."""
        return state.bucket.take()
