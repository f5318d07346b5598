"""The generated emitter's Transport for a process that runs no Socket.IO server.

A worker (a queue consumer, a cron job, another web app) publishes emits through
python-socketio's write-only Redis manager; every chinwag server subscribed to the same Redis
channel delivers them to its own sockets, exactly as it does the emits of its peers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import socketio

from chinwag.transport.socketio.rooms import NAMESPACE

DEFAULT_CHANNEL = "socketio"
"""python-socketio's default pub/sub channel, which chinwag's servers subscribe to."""


class WriteOnlyTransport:
    """Publishes emits to Redis for the chinwag servers; holds no sockets and no rooms."""

    def __init__(self, redis_url: str, channel: str = DEFAULT_CHANNEL) -> None:
        self.manager = socketio.AsyncRedisManager(redis_url, channel=channel, write_only=True)

    async def emit(
        self,
        event: str,
        data: dict[str, Any],
        *,
        rooms: Sequence[str],
        skip_sid: str | None = None,
    ) -> None:
        """Publish ``event`` for every socket in any of ``rooms`` (each socket gets it once)."""
        to: str | list[str] = rooms[0] if len(rooms) == 1 else list(rooms)
        await self.manager.emit(event, data, namespace=NAMESPACE, room=to, skip_sid=skip_sid)

    async def close(self) -> None:
        """Close the Redis connection (the manager opens it on the first emit)."""
        redis = getattr(self.manager, "redis", None)
        if redis is not None:
            with contextlib.suppress(Exception):
                await redis.aclose()
