"""``/ready``: the database and Redis answer, and the process is not shutting down.

``/health`` stays liveness (200 while the process runs); ``/ready`` follows the dependencies:
not-ready while the throwaway PostgreSQL is down, ready again when it returns.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from chinwag.app import create_app
from chinwag.config import Settings
from tests.support.postgres import PostgresCluster
from tests.support.redis import RedisServer
from tests.support.server import ServerFactory

READY_WITHIN_S = 30.0


async def _ready(url: str) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        response = await http.get("/ready")
    return response.status_code, response.json()


async def _until(url: str, status: int) -> dict[str, Any]:
    """Poll /ready until it answers ``status`` (bounded); returns that body."""
    async with asyncio.timeout(READY_WITHIN_S):
        while True:
            code, body = await _ready(url)
            if code == status:
                return body
            await asyncio.sleep(0.2)


async def test_ready_on_sqlite_checks_the_database(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    server = server_factory(f"sqlite+aiosqlite:///{tmp_path / 'ready.db'}")
    assert await _ready(server.url) == (200, {"status": "ready", "checks": {"database": "ok"}})


async def test_ready_checks_redis_when_configured(
    server_factory: ServerFactory, tmp_path: Path, redis_server: RedisServer
) -> None:
    server = server_factory(
        f"sqlite+aiosqlite:///{tmp_path / 'redis.db'}", CHINWAG_REDIS_URL=redis_server.url
    )
    code, body = await _ready(server.url)
    assert (code, body["checks"]) == (200, {"database": "ok", "redis": "ok"})


@pytest.mark.postgres
async def test_ready_follows_postgresql_going_away_and_coming_back(
    server_factory: ServerFactory,
) -> None:
    # A cluster of its own: the session's shared one must not go down under other tests.
    with PostgresCluster() as cluster:
        server = server_factory(cluster.create_database("ready"))
        assert (await _ready(server.url))[0] == 200
        cluster.halt()
        body = await _until(server.url, 503)
        assert body["status"] == "not_ready"
        assert body["checks"]["database"] != "ok"
        assert "postgres" not in str(body)  # no connection string in the answer
        async with httpx.AsyncClient(base_url=server.url) as http:
            assert (await http.get("/health")).status_code == 200  # still alive
        cluster.resume()
        body = await _until(server.url, 200)
        assert body == {"status": "ready", "checks": {"database": "ok"}}


async def test_ready_turns_not_ready_when_shutdown_starts(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'in.db'}"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://chinwag") as http:
        assert (await http.get("/ready")).status_code == 200
        app.state.runtime.gateway.drain.closing = True  # what a SIGTERM sets first
        response = await http.get("/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["shutdown"] == "shutting down"
    await app.state.runtime.database.close()
