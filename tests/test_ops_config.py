"""Typed configuration: a bad value stops start-up naming it; `chinwag config` masks secrets;
CORS follows ``CHINWAG_CORS_ORIGINS`` for REST and Socket.IO; the Admin UI is off by default
and needs its credentials when on."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import socketio

from tests.support.server import ServerFactory

APP = "https://app.example.com"


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHINWAG_")}
    return subprocess.run(
        [sys.executable, "-m", "chinwag", *args],
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("CHINWAG_RATE_LIMIT_SOCKET", "fast", "valid number"),
        ("CHINWAG_MAX_SOCKETS_PER_USER", "0", "greater than or equal to 1"),
        ("CHINWAG_CORS_ORIGINS", "app.example.com", "is not an origin"),
        ("CHINWAG_DATABASE_URL", "mysql://db/chat", "is not one of"),
        ("CHINWAG_LOG_FORMAT", "xml", "'console' or 'json'"),
        ("CHINWAG_ADMIN_UI", "true", "CHINWAG_ADMIN_UI_PASSWORD"),
    ],
)
def test_a_bad_setting_stops_serve_with_a_message_naming_it(
    tmp_path: Path, variable: str, value: str, says: str
) -> None:
    env = {"CHINWAG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", variable: value}
    result = _run(["serve", "--port", "1"], **env)
    assert result.returncode == 2, result.stderr
    assert variable in result.stderr and says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.db").exists()  # refused before touching anything


def test_config_prints_the_effective_configuration_with_secrets_masked() -> None:
    result = _run(
        ["config", "--json"],
        CHINWAG_JWT_SECRET="jwt-very-secret",
        CHINWAG_DATABASE_URL="postgresql+asyncpg://chat:db-very-secret@db:5432/chat",
        CHINWAG_ADMIN_UI="true",
        CHINWAG_ADMIN_UI_USERNAME="ops",
        CHINWAG_ADMIN_UI_PASSWORD="admin-very-secret",
        CHINWAG_CORS_ORIGINS=f"{APP},http://localhost:3000",
    )
    assert result.returncode == 0, result.stderr
    assert "very-secret" not in result.stdout
    shown = json.loads(result.stdout)
    assert shown["CHINWAG_JWT_SECRET"] == "***"
    assert shown["CHINWAG_ADMIN_UI_PASSWORD"] == "***"
    assert shown["CHINWAG_DATABASE_URL"] == "postgresql+asyncpg://chat:***@db:5432/chat"
    assert shown["CHINWAG_CORS_ORIGINS"] == [APP, "http://localhost:3000"]
    assert shown["CHINWAG_RATE_LIMIT_SOCKET"] == 20.0  # defaults are shown too
    table = _run(["config"])
    assert table.returncode == 0 and "CHINWAG_METRICS" in table.stdout


async def test_cors_allows_the_configured_origin_for_rest_and_socketio(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    server = server_factory(
        f"sqlite+aiosqlite:///{tmp_path / 'cors.db'}",
        CHINWAG_CORS_ORIGINS=APP,
        CHINWAG_SHUTDOWN_DEADLINE_S=1,  # the polling session below is never closed
    )
    preflight = {
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    async with httpx.AsyncClient(base_url=server.url) as http:
        ok = await http.options("/api/conversations", headers={"Origin": APP, **preflight})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == APP
        assert "authorization" in ok.headers["access-control-allow-headers"].lower()
        bad = await http.options(
            "/api/conversations", headers={"Origin": "https://evil.example", **preflight}
        )
        assert "access-control-allow-origin" not in bad.headers
        simple = await http.get("/health", headers={"Origin": APP})
        assert simple.headers["access-control-allow-origin"] == APP
        polling = "/socket.io/?EIO=4&transport=polling"
        allowed = await http.get(polling, headers={"Origin": APP})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == APP
        refused = await http.get(polling, headers={"Origin": "https://evil.example"})
        assert refused.status_code == 400


async def test_admin_ui_is_off_by_default(server_factory: ServerFactory, tmp_path: Path) -> None:
    server = server_factory(f"sqlite+aiosqlite:///{tmp_path / 'admin-off.db'}")
    client = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(
            server.url,
            namespaces=["/admin"],
            auth={"username": "ops", "password": "x"},
            transports=["websocket"],
            wait_timeout=5,
        )
    await client.disconnect()


async def test_admin_ui_needs_its_credentials(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    server = server_factory(
        f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}",
        CHINWAG_ADMIN_UI="true",
        CHINWAG_ADMIN_UI_USERNAME="ops",
        CHINWAG_ADMIN_UI_PASSWORD="s3cret-admin",
    )
    wrong = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await wrong.connect(
            server.url,
            namespaces=["/admin"],
            auth={"username": "ops", "password": "nope"},
            transports=["websocket"],
            wait_timeout=5,
        )
    await wrong.disconnect()
    admin = socketio.AsyncClient(reconnection=False)
    stats = None
    asyncio_event = asyncio.Event()

    @admin.on("server_stats", namespace="/admin")  # type: ignore[misc]
    async def on_stats(data: object) -> None:
        nonlocal stats
        stats = data
        asyncio_event.set()

    await admin.connect(
        server.url,
        namespaces=["/admin"],
        auth={"username": "ops", "password": "s3cret-admin"},
        transports=["websocket"],
        wait_timeout=5,
    )
    await asyncio.wait_for(asyncio_event.wait(), 10)
    assert isinstance(stats, dict) and "clientsCount" in stats
    await admin.disconnect()
