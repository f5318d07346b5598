"""Per-socket state: who it is, until when, and its rate budget."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from chinwag.domain.principal import Principal
from chinwag.transport.ratelimit import TokenBucket


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
    """The sockets of this process, and the authenticated ones by user."""

    def __init__(self, socket_rate: float, user_rate: float) -> None:
        self.socket_rate = socket_rate
        self.user_rate = user_rate
        self.sockets: dict[str, SocketState] = {}
        self.by_user: defaultdict[str, set[str]] = defaultdict(set)
        self.user_buckets: dict[str, TokenBucket] = {}

    def open(self, sid: str) -> SocketState:
        """Register a new socket."""
        state = SocketState(sid=sid, bucket=TokenBucket(self.socket_rate))
        self.sockets[sid] = state
        return state

    def close(self, sid: str) -> SocketState | None:
        """Forget a socket; returns its last state."""
        state = self.sockets.pop(sid, None)
        if state is not None:
            state.cancel_timers()
            self.unbind(state)
        return state

    def user_socket_count(self, user_id: str) -> int:
        """How many sockets this process has authenticated as ``user_id``."""
        return len(self.by_user.get(user_id, ()))

    def bind(self, state: SocketState, principal: Principal, expires_at: datetime) -> None:
        """Mark ``state`` authenticated as ``principal``."""
        state.principal = principal
        state.expires_at = expires_at
        self.by_user[principal.user_id].add(state.sid)

    def unbind(self, state: SocketState) -> None:
        """Mark ``state`` unauthenticated."""
        if state.principal is not None:
            user_id = state.principal.user_id
            sids = self.by_user.get(user_id)
            if sids is not None:
                sids.discard(state.sid)
                if not sids:
                    del self.by_user[user_id]
                    self.user_buckets.pop(user_id, None)
        state.principal = None
        state.expires_at = None

    def throttle(self, state: SocketState) -> int:
        """Milliseconds to wait before this socket may send another event (0: go)."""
        wait = state.bucket.take()
        if wait or state.principal is None or self.user_rate <= 0:
            return wait
        bucket = self.user_buckets.get(state.principal.user_id)
        if bucket is None:
            bucket = self.user_buckets[state.principal.user_id] = TokenBucket(self.user_rate)
        return bucket.take()
