"""Per-user limits (sockets per user, events per second per user) behind one interface.

The gateway asks :class:`UserLimits` and never learns where the counts live: in this process
(:class:`LocalUserLimits`) or in Redis for the whole cluster (``cluster_limits.RedisUserLimits``).
The per-socket rate limit is not here: a socket lives on one process, so it stays local.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

from chinwag.config import Settings
from chinwag.transport.limits.ratelimit import TokenBucket


class UserLimits(Protocol):
    """What the gateway needs to enforce the per-user limits."""

    async def start(self) -> None:
        """Start background work (called from the app lifespan)."""

    async def stop(self) -> None:
        """Stop background work and give up this process's sockets."""

    async def admit(self, user_id: str, sid: str) -> bool:
        """Count socket ``sid`` for ``user_id`` unless the user is at the limit (False).

        Admitting a socket that is already counted succeeds and counts it once.
        """

    async def release(self, user_id: str, sid: str) -> None:
        """Stop counting ``sid`` (disconnect, expiry, or a refused bind); idempotent."""

    async def throttle(self, user_id: str) -> int:
        """Take one event from the user's budget: 0 to go, else milliseconds to wait."""


class LocalUserLimits:
    """One process: counts and buckets in memory."""

    def __init__(self, settings: Settings) -> None:
        self.max_sockets = settings.max_sockets_per_user
        self.rate = settings.rate_limit_user
        self.sockets: defaultdict[str, set[str]] = defaultdict(set)
        self.buckets: dict[str, TokenBucket] = {}

    async def start(self) -> None:
        """Nothing to start."""

    async def stop(self) -> None:
        """Nothing to stop."""

    async def admit(self, user_id: str, sid: str) -> bool:
        """Count ``sid``; no await inside, so check-and-add is atomic on the event loop."""
        sids = self.sockets[user_id]
        if sid not in sids and len(sids) >= self.max_sockets:
            if not sids:
                del self.sockets[user_id]
            return False
        sids.add(sid)
        return True

    async def release(self, user_id: str, sid: str) -> None:
        """Forget ``sid``; the user's bucket goes with their last socket."""
        sids = self.sockets.get(user_id)
        if sids is None:
            return
        sids.discard(sid)
        if not sids:
            del self.sockets[user_id]
            self.buckets.pop(user_id, None)

    async def throttle(self, user_id: str) -> int:
        """Take from the user's in-memory bucket."""
        if self.rate <= 0:
            return 0
        bucket = self.buckets.get(user_id)
        if bucket is None:
            bucket = self.buckets[user_id] = TokenBucket(self.rate)
        return bucket.take()
