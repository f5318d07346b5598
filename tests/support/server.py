"""The chinwag server as a real subprocess: what clients, CI and the benchmarks talk to.

Running the server out of process (instead of an in-process ASGI transport) is deliberate: it covers
the CLI, settings from the environment, uvicorn's websocket stack, signals and graceful shutdown.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Protocol

from tests.support.errors import ServiceStartError, ServiceStopError
from tests.support.net import LOCALHOST, free_port

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
HEALTH_PATH = "/health"
#: An automatically chosen port that was taken before uvicorn bound it is retried this many times.
PORT_ATTEMPTS = 3


class ServerProcess:
    """One ``python -m chinwag serve`` process on 127.0.0.1.

    ``env`` is merged over ``os.environ`` (a ``None`` value removes a variable). When ``port`` is
    not
    given a free one is picked. ``log_dir`` receives ``server-<port>.log`` (stdout and stderr);
    when it
    is omitted a temp folder is used and removed on stop, after its log was read into ``output``.
    """

    def __init__(
        self,
        env: Mapping[str, str | None] | None = None,
        *,
        port: int | None = None,
        extra_args: Sequence[str] = (),
        log_dir: Path | None = None,
        module: str = "chinwag",
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self._env = dict(env or {})
        self._fixed_port = port
        self._extra_args = list(extra_args)
        self._own_log_dir = log_dir is None
        self._log_dir = log_dir
        self._module = module
        self._start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._port: int | None = None
        self._argv: list[str] = []
        self.log_path: Path | None = None
        #: The server's whole output, filled in when an owned log folder is removed on stop.
        self.output: str | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> ServerProcess:
        """Start the server and return once ``GET /health`` answers 200.

        Raises ServiceStartError, quoting the server's output, when it exits or is not healthy
        within the start timeout.
        """
        if self._proc is not None:
            raise RuntimeError("ServerProcess already started")
        if self._log_dir is None:
            self._log_dir = Path(tempfile.mkdtemp(prefix="chinwag-server-"))
        self._log_dir.mkdir(parents=True, exist_ok=True)
        attempts = 1 if self._fixed_port is not None else PORT_ATTEMPTS
        for attempt in range(1, attempts + 1):
            port = self._fixed_port or free_port()
            self._spawn(port)
            try:
                self._wait_healthy()
                return self
            except ServiceStartError as exc:
                if attempt < attempts and "address already in use" in str(exc).lower():
                    continue
                self._reap()
                self._remove_owned_log_dir()
                raise
            except BaseException:
                # Ctrl-C or a pytest-timeout during startup must not leave the server running.
                self._reap()
                self._remove_owned_log_dir()
                raise
        raise AssertionError("unreachable")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int:
        """Send ``sig`` and wait up to ``timeout`` s for the exit; return the exit code.

        If the server outlives the timeout it is killed and ServiceStopError is raised: a server
        that ignores SIGTERM is a bug the tests should see. Safe to call when already stopped.
        """
        proc = self._proc
        if proc is None:
            raise RuntimeError("ServerProcess was never started")
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                self._close_log()
                error = ServiceStopError(
                    f"chinwag server (pid {proc.pid}) did not exit within {timeout:g} s of "
                    f"{signal.Signals(sig).name}; killed",
                    self.log_path,
                )
                self._remove_owned_log_dir()
                raise error from None
        self._close_log()
        self._remove_owned_log_dir()
        return proc.returncode

    def kill(self) -> int:
        """SIGKILL the server (a crash, as far as it can tell) and return the exit code."""
        return self.stop(signal.SIGKILL)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        if self.running:
            self.stop()

    # -- public state ----------------------------------------------------------------------------

    @property
    def proc(self) -> subprocess.Popen[bytes]:
        """The underlying ``Popen``."""
        if self._proc is None:
            raise RuntimeError("ServerProcess was never started")
        return self._proc

    @property
    def pid(self) -> int:
        """Process id of the server."""
        return self.proc.pid

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._port is None:
            raise RuntimeError("ServerProcess was never started")
        return self._port

    @property
    def url(self) -> str:
        """Base URL, ``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://{LOCALHOST}:{self.port}"

    @property
    def running(self) -> bool:
        """True while the process has not exited."""
        return self._proc is not None and self._proc.poll() is None

    def read_log(self) -> str:
        """The server's output so far (stdout and stderr interleaved)."""
        if self.output is not None:
            return self.output
        if self.log_path is None:
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def health(self, timeout: float = 1.0) -> int:
        """Return the status code of ``GET /health`` (raises OSError when nothing answers)."""
        # http.client rather than urllib: a developer's http_proxy must not capture 127.0.0.1.
        conn = http.client.HTTPConnection(LOCALHOST, self.port, timeout=timeout)
        try:
            conn.request("GET", HEALTH_PATH)
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    # -- internals -------------------------------------------------------------------------------

    def _spawn(self, port: int) -> None:
        assert self._log_dir is not None
        self._close_log()
        self._port = port
        self.log_path = self._log_dir / f"server-{port}.log"
        self._log = self.log_path.open("wb")
        self._argv = argv = [
            sys.executable,
            "-m",
            self._module,
            "serve",
            "--host",
            LOCALHOST,
            "--port",
            str(port),
        ]
        argv += self._extra_args
        self._proc = subprocess.Popen(
            argv,
            env=self._merged_env(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def _merged_env(self) -> dict[str, str]:
        # Unbuffered output, so the log holds everything up to the moment a test looks at it.
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for key, value in self._env.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def _wait_healthy(self) -> None:
        proc = self.proc
        deadline = time.monotonic() + self._start_timeout
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise ServiceStartError(
                    f"chinwag server exited with code {proc.returncode} before {HEALTH_PATH} "
                    f"answered\ncommand: {' '.join(self._argv)}",
                    self.log_path,
                )
            try:
                status = self.health()
                if status == 200:
                    return
                last_error = f"HTTP {status}"
            except OSError as exc:
                last_error = str(exc)
            time.sleep(0.05)
        raise ServiceStartError(
            f"chinwag server not healthy within {self._start_timeout:g} s (last: {last_error})",
            self.log_path,
        )

    def _reap(self) -> None:
        """Kill a server that failed to start, so a failed fixture leaves nothing running."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def _remove_owned_log_dir(self) -> None:
        # Keep the output readable through read_log() after its temp folder is gone.
        if self._own_log_dir and self._log_dir is not None:
            self.output = self.read_log()
            shutil.rmtree(self._log_dir, ignore_errors=True)
            self._log_dir = None


class ServerFactory(Protocol):
    """Type of the ``server_factory`` fixture: start a server on ``db_url`` with extra env."""

    def __call__(self, db_url: str, /, **env_overrides: str | int | None) -> ServerProcess:
        """Start a server (``None`` removes a variable) and return it once healthy."""
        ...


def server_env(db_url: str, secret: str, **overrides: str | int | None) -> dict[str, str | None]:
    """The environment a test server runs with: ``db_url``, ``secret``, no rate limits, overrides.

    CHINWAG_* variables from the developer's shell are removed (``None``), so a local setting cannot
    change what a test sees; an override of ``None`` removes that variable too.
    """
    env: dict[str, str | None] = {key: None for key in os.environ if key.startswith("CHINWAG_")}
    env |= {
        "CHINWAG_DATABASE_URL": db_url,
        "CHINWAG_JWT_SECRET": secret,
        "CHINWAG_RATE_LIMIT_SOCKET": "0",
        "CHINWAG_RATE_LIMIT_USER": "0",
    }
    return env | {k: None if v is None else str(v) for k, v in overrides.items()}
