"""A throwaway Redis server for tests: no persistence, 127.0.0.1 only, a random port."""

from __future__ import annotations

import atexit
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from tests.support.errors import (
    ServiceStartError,
    ServiceUnavailableError,
    stop_process,
)
from tests.support.net import LOCALHOST, free_port

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
#: A port taken between free_port() and redis-server's bind is retried this many times.
PORT_ATTEMPTS = 5


def find_redis_server() -> str:
    """Return the path of ``redis-server``, or raise ServiceUnavailableError saying how to
    install it."""
    path = shutil.which("redis-server")
    if path is None:
        raise ServiceUnavailableError(
            "redis-server not found on PATH. Install it (Debian: apt-get install redis-server, "
            "or `make services` as root)."
        )
    return path


class RedisServer:
    """One redis-server process owned by the test session.

    Use ``start()`` / ``stop()`` or ``with RedisServer() as redis:``; clients connect to ``url``.
    """

    def __init__(self, executable: str | None = None) -> None:
        self._executable = executable
        self._root: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._port: int | None = None

    def start(self) -> RedisServer:
        """Start redis-server and return once it answers PING."""
        if self._proc is not None:
            raise RuntimeError("RedisServer already started")
        executable = self._executable or find_redis_server()
        self._root = Path(tempfile.mkdtemp(prefix="chinwag-redis-"))
        atexit.register(self.stop)  # a crashed session must not leave a server behind
        try:
            self._start(executable)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (SIGTERM; it saves nothing) and remove its temp folder. Idempotent."""
        atexit.unregister(self.stop)
        proc, self._proc = self._proc, None
        error = stop_process(proc, signal.SIGTERM, STOP_TIMEOUT, "redis-server", self._log_path)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
        self._port = None
        if error is not None:
            raise error

    def kill(self) -> None:
        """SIGKILL the server (a crash: connections reset), keeping its port for :meth:`restart`."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    def restart(self) -> None:
        """Start redis-server again on the same port, after :meth:`kill` (it comes back empty)."""
        if self._proc is not None or self._port is None:
            raise RuntimeError("restart() needs a server stopped by kill()")
        self._start(self._executable or find_redis_server(), fixed_port=self._port)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on (127.0.0.1 only)."""
        if self._port is None:
            raise RuntimeError("RedisServer is not running")
        return self._port

    @property
    def url(self) -> str:
        """Connection URL of database 0: ``redis://127.0.0.1:PORT/0``."""
        return f"redis://{LOCALHOST}:{self.port}/0"

    @property
    def _log_path(self) -> Path | None:
        return None if self._root is None else self._root / "redis.log"

    def _start(self, executable: str, fixed_port: int | None = None) -> None:
        assert self._root is not None and self._log_path is not None
        attempts = PORT_ATTEMPTS if fixed_port is None else 1
        for attempt in range(1, attempts + 1):
            port = free_port() if fixed_port is None else fixed_port
            if self._log is not None:
                self._log.close()
            # A fresh log per attempt, so an old bind failure is not mistaken for the current one.
            self._log = self._log_path.open("wb")
            argv = [
                executable,
                "--port",
                str(port),
                "--bind",
                LOCALHOST,
                "--dir",
                str(self._root),
            ]
            # No RDB snapshots, no AOF: test data must never outlive the session or touch disk.
            argv += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
            self._proc, self._port = proc, port
            if self._wait_ready(proc, port):
                return
            if attempt < attempts and _port_was_taken(self._log_path):
                self._proc = None
                continue
            raise ServiceStartError(
                f"redis-server exited with code {proc.returncode} before answering PING",
                self._log_path,
            )

    def _wait_ready(self, proc: subprocess.Popen[bytes], port: int) -> bool:
        """Return True once PING is answered, False if the process exited first."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            if _ping(port):
                return True
            time.sleep(0.02)
        raise ServiceStartError(
            f"redis-server did not answer PING within {START_TIMEOUT:.0f} s",
            self._log_path,
        )


def _ping(port: int) -> bool:
    # A raw inline command keeps readiness independent of the redis client library under test.
    try:
        with socket.create_connection((LOCALHOST, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _port_was_taken(log_path: Path) -> bool:
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return "Address already in use" in text or "Could not create server TCP" in text
