"""The servers under test (chinwag and the bare baseline), PostgreSQL and Redis, as processes.

The servers run through ``tests.support.ServerProcess`` (the same way the test suite runs
chinwag: ``python -m MODULE serve``), then every thread is pinned to the server core. PostgreSQL and
Redis use the suite's throwaway managers and stay unpinned.
"""

from __future__ import annotations

import contextlib
import secrets
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from benchmarks import procstat
from tests.support import PostgresCluster, RedisServer, ServerProcess, ServiceStopError

CHINWAG = "chinwag"
BASELINE = "baseline"
MODULES = {CHINWAG: "chinwag", BASELINE: "benchmarks.baseline_server"}

#: The load is the benchmark's to set: limits off, room for thousands of sockets per user.
LOAD_SETTINGS: dict[str, str] = {
    "CHINWAG_RATE_LIMIT_SOCKET": "0",
    "CHINWAG_RATE_LIMIT_USER": "0",
    "CHINWAG_MAX_SOCKETS_PER_USER": "100000",
    "CHINWAG_AUTH_DEADLINE_S": "60",
    # Shutdown is not measured; a short deadline keeps a server with 5,000 sockets quick to stop.
    "CHINWAG_SHUTDOWN_DEADLINE_S": "2",
}


def new_secret() -> str:
    """A fresh HS256 secret (long enough that PyJWT does not warn)."""
    return secrets.token_hex(32)


@dataclass
class Server:
    """A running server under test."""

    kind: str
    process: ServerProcess
    env: dict[str, str]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return self.process.url

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.process.pid

    def cpu_seconds(self) -> float:
        """CPU seconds used so far."""
        return procstat.cpu_seconds(self.pid)

    def rss_bytes(self) -> int:
        """Resident memory now."""
        return procstat.rss_bytes(self.pid)


def server_env(secret: str, database_url: str | None, redis_url: str | None) -> dict[str, str]:
    """The environment both servers get (the baseline ignores the database)."""
    env = {**LOAD_SETTINGS, "CHINWAG_JWT_SECRET": secret}
    if database_url is not None:
        env["CHINWAG_DATABASE_URL"] = database_url
    if redis_url is not None:
        env["CHINWAG_REDIS_URL"] = redis_url
    return env


@contextlib.contextmanager
def running_server(
    kind: str, env: Mapping[str, str], log_dir: Path, core: int | None
) -> Iterator[Server]:
    """Start ``kind`` with ``env`` (``CHINWAG_REDIS_URL`` removed unless given), pin it, stop it."""
    merged: dict[str, str | None] = {"CHINWAG_REDIS_URL": None, **env}
    process = ServerProcess(merged, module=MODULES[kind], log_dir=log_dir, start_timeout=60)
    process.start()
    try:
        if core is not None:
            procstat.pin(process.pid, core)
        yield Server(kind, process, dict(env))
    finally:
        if process.running:
            try:
                process.stop(timeout=30)
            except ServiceStopError as exc:
                # The figures are taken by then; a slow shutdown is worth a line, not a failure.
                print(f"warning: {exc}", file=sys.stderr)


@contextlib.contextmanager
def postgres() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster (unpinned)."""
    with PostgresCluster() as cluster:
        yield cluster


@contextlib.contextmanager
def redis() -> Iterator[RedisServer]:
    """A throwaway redis-server (unpinned)."""
    with RedisServer() as server:
        yield server
