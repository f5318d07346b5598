"""Servers for a run: a real ``python -m chinwag serve`` subprocess, or an in-process ASGI app.

The subprocess is what ``make contract-test`` targets; the in-process app (served by uvicorn in a
thread on a free port, still over real TCP) lets the harness's own tests inject faults through
``chinwag.app.create_app``'s ``handlers_factory`` and ``outbound_filter``.
"""

from __future__ import annotations

import contextlib
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

__all__ = ["HARNESS_ENV", "serve_app", "start_server"]

#: Settings for a server the harness starts: no rate limits and room for all its sockets.
HARNESS_ENV = {
    "CHINWAG_RATE_LIMIT_SOCKET": "0",
    "CHINWAG_RATE_LIMIT_USER": "0",
    "CHINWAG_MAX_SOCKETS_PER_USER": "1000",
}


@contextlib.contextmanager
def start_server(database: str) -> Iterator[tuple[str, str, Callable[[], None]]]:
    """Start a server on ``sqlite`` or ``postgresql``; yield ``(base_url, jwt_secret, stop)``."""
    from tests.support import ServerProcess

    secret = secrets.token_urlsafe(32)
    with contextlib.ExitStack() as stack:
        if database == "postgresql":
            from tests.support import PostgresCluster

            cluster = stack.enter_context(PostgresCluster())
            db_url = cluster.create_database("contract")
        else:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="chinwag-contract-"))
            db_url = f"sqlite+aiosqlite:///{Path(tmp) / 'contract.db'}"
        env = {**HARNESS_ENV, "CHINWAG_DATABASE_URL": db_url, "CHINWAG_JWT_SECRET": secret}
        server = stack.enter_context(ServerProcess(env))
        stopped: list[int] = []

        def stop() -> None:
            stopped.append(server.stop())

        try:
            yield server.url, secret, stop
        finally:
            if not server.running and not stopped:
                raise RuntimeError(f"the server died during the run:\n{server.read_log()[-4000:]}")


@contextlib.contextmanager
def serve_app(
    app: Any, port: int, **config_options: Any
) -> Iterator[tuple[str, Callable[[], None]]]:
    """Serve an ASGI ``app`` with uvicorn in a thread on 127.0.0.1:``port``; yield URL and stop.

    ``config_options`` go to ``uvicorn.Config`` (e.g. ``ws_per_message_deflate``).
    """
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **config_options
    )
    runtime = getattr(getattr(app, "state", None), "runtime", None)
    if runtime is not None:
        # chinwag's server class: drains and announces server:shutdown before uvicorn closes.
        from chinwag.transport.socketio.serving import ChinwagServer

        server: uvicorn.Server = ChinwagServer(config, runtime.gateway)
    else:
        server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError("in-process server did not become healthy")
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(15)

    try:
        yield url, stop
    finally:
        stop()
