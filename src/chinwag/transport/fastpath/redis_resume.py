"""python-socketio's Redis manager, resubscribing within a second of Redis coming back.

``AsyncRedisManager._redis_listen_with_retries`` waits 1, 2, 4, 8 … up to 60 s between attempts
to subscribe again, so after Redis was away for 8 s cross-process delivery resumed about 7 s
late (and up to a minute late after a long outage), and everything published meanwhile was
lost for the other processes' sockets. Its ``_publish`` logs two errors for every emit while
Redis is away. Both are copies here, with :class:`~chinwag.transport.reconnect.Reconnect`'s
waits (0.1 s doubling to 1 s) and one log line per outage; publish failures are counted in
``chinwag_redis_publish_errors_total`` as the library's log lines were. The canary pins the
library's versions of both by source hash.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import socketio

from chinwag.metrics import REDIS_PUBLISH_ERRORS
from chinwag.transport.reconnect import Reconnect

log = logging.getLogger("chinwag.fanout")


class QuickResumeRedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    """``AsyncRedisManager`` that resubscribes soon and logs an outage once."""

    connected: bool  # set by the library's __init__ and _redis_connect

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self._resubscribe = Reconnect(log, "Socket.IO fan-out")
        self._publish_failing = False

    async def _publish(self, data: Any) -> Any:
        for retries_left in (1, 0):  # two attempts, as the library makes
            try:
                if not self.connected:
                    self._redis_connect()
                published = await self.redis.publish(self.channel, self.json.dumps(data))
            except Exception as exc:
                self.connected = False
                # What the library's log lines told the metrics (observability.library_logs).
                REDIS_PUBLISH_ERRORS.labels("fanout", "retried" if retries_left else "lost").inc()
                if retries_left == 0:
                    if not self._publish_failing:
                        self._publish_failing = True
                        log.error(
                            "Socket.IO fan-out: cannot publish to Redis (%s: %s); other "
                            "processes miss these emits until it answers",
                            type(exc).__name__,
                            exc,
                        )
                    return None
            else:
                if self._publish_failing:
                    self._publish_failing = False
                    log.warning("Socket.IO fan-out: publishing to Redis again")
                return published
        return None

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        while True:
            try:
                self._redis_connect()
                await self.pubsub.subscribe(self.channel)
                self._resubscribe.succeeded()
                async for message in self.pubsub.listen():
                    yield message
            except Exception as exc:
                await self._resubscribe.failed(exc)
