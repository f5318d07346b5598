"""``GET /ready``: whether this process should get traffic (``/health`` stays liveness).

Ready means: the database answers ``SELECT 1``, Redis answers ``PING`` (when configured), and
the process is not shutting down. 200 ``{"status": "ready", "checks": {...}}`` or 503
``{"status": "not_ready", "checks": {...}}``; a check is ``ok`` or a short reason, never a
connection string.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol

import redis.asyncio as aioredis
from starlette.requests import Request
from starlette.responses import Response

from chinwag.transport.rest.responses import JSON

CHECK_TIMEOUT_S = 2.0


class Pingable(Protocol):
    """The database as readiness sees it (``chinwag.storage.Database`` is one)."""

    async def ping(self) -> None:
        """Raise when the database does not answer."""
        ...


class Readiness:
    """The /ready route over the process's dependencies."""

    def __init__(
        self, database: Pingable, redis_url: str | None, closing: Callable[[], bool]
    ) -> None:
        self.database = database
        self.redis = (
            aioredis.Redis.from_url(
                redis_url, socket_timeout=CHECK_TIMEOUT_S, socket_connect_timeout=CHECK_TIMEOUT_S
            )
            if redis_url
            else None
        )
        self.closing = closing

    async def respond(self, request: Request) -> Response:
        """200 when ready, 503 when not, with each check's result."""
        checks = {"database": await self._check(self.database.ping())}
        if self.redis is not None:
            checks["redis"] = await self._check(self._ping_redis())
        if self.closing():
            checks["shutdown"] = "shutting down"
        ready = all(result == "ok" for result in checks.values())
        body = {"status": "ready" if ready else "not_ready", "checks": checks}
        return JSON(body, status_code=200 if ready else 503)

    async def _ping_redis(self) -> None:
        assert self.redis is not None
        await self.redis.ping()

    async def _check(self, probe: Awaitable[None]) -> str:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_S):
                await probe
        except TimeoutError:
            return "timeout"
        except Exception as exc:  # any failure means not ready; the reason is its type only
            return f"unavailable ({type(exc).__name__})"
        return "ok"

    async def close(self) -> None:
        """Close the Redis connection."""
        if self.redis is not None:
            await self.redis.aclose()
