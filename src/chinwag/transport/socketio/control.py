"""A control channel between chinwag processes (Redis pub/sub), for room evictions.

python-socketio's Redis manager fans emits out across processes, but it can only list the
sockets of a room on the local process. When a membership shrinks, every process must check
its own sockets of that user: the process that handled the change publishes the user id here
and each process (itself included) evicts that user's local sockets, then notifies them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
import redis.asyncio as aioredis

from chinwag.handlers.evictions import Revoke
from chinwag.metrics import REDIS_PUBLISH_ERRORS

log = logging.getLogger("chinwag.control")

CHANNEL = "chinwag:control"


class LocalControl:
    """One process: revalidate directly."""

    def __init__(self, revoke: Revoke) -> None:
        self.revoke = revoke

    async def start(self) -> None:
        """Nothing to start."""

    async def stop(self) -> None:
        """Nothing to stop."""

    async def revoke_user(self, user_id: str, removed: dict[str, Any] | None) -> None:
        """Revoke on this process."""
        await self.revoke(user_id, removed)


class RedisControl:
    """Several processes: publish, and revalidate on every process when the message arrives."""

    def __init__(self, url: str, revoke: Revoke) -> None:
        self.redis = aioredis.Redis.from_url(url)
        self.revoke = revoke
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        """Subscribe (returns once the subscription is live)."""
        self._task = asyncio.create_task(self._listen())
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def stop(self) -> None:
        """Unsubscribe and close."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.redis.aclose()

    async def revoke_user(self, user_id: str, removed: dict[str, Any] | None) -> None:
        """Ask every process (this one too) to revoke the user's lost rooms."""
        message = {"op": "revoke", "user_id": user_id, "removed": removed}
        try:
            await self.redis.publish(CHANNEL, orjson.dumps(message))
        except Exception:
            REDIS_PUBLISH_ERRORS.labels("control", "lost").inc()
            raise

    async def _listen(self) -> None:
        async with self.redis.pubsub() as pubsub:
            await pubsub.subscribe(CHANNEL)
            self._ready.set()
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                try:
                    data = orjson.loads(message["data"])
                    if data.get("op") == "revoke":
                        await self.revoke(str(data["user_id"]), data.get("removed"))
                except Exception:  # a bad message must not stop the listener
                    log.exception("control message failed: %r", message)
