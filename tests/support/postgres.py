"""A throwaway PostgreSQL cluster for tests: initdb in a temp folder, a random port, removed on
stop.

Durability is switched off (fsync, full-page writes, synchronous commit) because the cluster lives
for
one test session; that makes database creation and commits several times faster without changing SQL
semantics, which is what the tests are about.
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from tests.support.errors import (
    ServiceStartError,
    ServiceUnavailableError,
    stop_process,
)
from tests.support.net import LOCALHOST, free_port

#: Debian's layout for the version the project targets; other versions are found after it.
DEFAULT_BINDIR = Path("/usr/lib/postgresql/15/bin")
#: Where Debian keeps one folder per installed major version.
PG_LIB_ROOT = Path("/usr/lib/postgresql")
#: Set this to a PostgreSQL ``bin`` folder to override the search below.
BINDIR_ENV = "CHINWAG_PG_BINDIR"
#: PostgreSQL refuses to run as root, so as root the cluster belongs to this OS user.
OS_USER = "postgres"
SUPERUSER = "postgres"

START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
#: A port taken between free_port() and the postmaster's bind is retried this many times.
PORT_ATTEMPTS = 5

_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SERVER_SETTINGS = {
    "listen_addresses": LOCALHOST,
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "max_connections": "300",
    # Logs go to our stderr file; the collector would hide them from failure messages.
    "logging_collector": "off",
}


def find_bindir() -> Path:
    """Return the folder holding ``initdb``, ``postgres``, ``pg_isready`` and ``psql``.

    Order: ``$CHINWAG_PG_BINDIR``, Debian's PostgreSQL 15, the newest other
    ``/usr/lib/postgresql/*/bin``, ``pg_config --bindir``, then ``initdb`` on PATH.
    """
    candidates: list[Path] = []
    if override := os.environ.get(BINDIR_ENV):
        candidates.append(Path(override))
    candidates.append(DEFAULT_BINDIR)
    candidates.extend(
        sorted(
            PG_LIB_ROOT.glob("*/bin"),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            reverse=True,
        )
    )
    if pg_config := shutil.which("pg_config"):
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    needed = ("initdb", "postgres", "pg_isready", "psql")
    for bindir in candidates:
        if all(os.access(bindir / tool, os.X_OK) for tool in needed):
            return bindir
    raise ServiceUnavailableError(
        "PostgreSQL server binaries not found (looked in "
        + ", ".join(str(c) for c in candidates)
        + f"). Install them (Debian: apt-get install postgresql-15) or set {BINDIR_ENV}."
    )


class PostgresCluster:
    """One PostgreSQL cluster owned by the test session.

    Use ``start()`` / ``stop()`` or ``with PostgresCluster() as cluster:``. Databases are made with
    ``create_database(name)``, which returns a SQLAlchemy URL for the asyncpg driver.
    """

    def __init__(self, bindir: Path | None = None) -> None:
        self._bindir = bindir
        self._root: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._port: int | None = None
        # As root every server-side process runs as the postgres user; otherwise as ourselves.
        self._run_as: dict[str, Any] = {}

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> PostgresCluster:
        """Create the cluster and start the server; return once it accepts connections."""
        if self._proc is not None:
            raise RuntimeError("PostgresCluster already started")
        bindir = self._bindir or find_bindir()
        self._bindir = bindir
        self._root = self._make_root()
        atexit.register(self.stop)  # a crashed session must not leave a postmaster behind
        try:
            self._initdb()
            self._start_server()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Fast-shutdown the server (SIGINT), wait for it, and remove the temp folder.
        Idempotent."""
        atexit.unregister(self.stop)
        proc, self._proc = self._proc, None
        error = stop_process(proc, signal.SIGINT, STOP_TIMEOUT, "postgres", self._log_path)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
        self._port = None
        if error is not None:
            raise error

    def halt(self) -> None:
        """Stop the server (a fast shutdown) but keep the cluster: :meth:`resume` brings it back
        on the same port, as a database that went down and returned."""
        proc, self._proc = self._proc, None
        error = stop_process(proc, signal.SIGINT, STOP_TIMEOUT, "postgres", self._log_path)
        if error is not None:
            raise error

    def resume(self) -> None:
        """Start the halted server again on its port; returns once it accepts connections."""
        if self._proc is not None:
            raise RuntimeError("PostgresCluster is running")
        self._start_server(port=self.port)

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- public API --------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The TCP port the server listens on (127.0.0.1 only)."""
        if self._port is None:
            raise RuntimeError("PostgresCluster is not running")
        return self._port

    @property
    def base_url(self) -> str:
        """SQLAlchemy URL of the server without a database: ``postgresql+asyncpg://postgres@host:port``."""
        return f"postgresql+asyncpg://{SUPERUSER}@{LOCALHOST}:{self.port}"

    def url(self, name: str) -> str:
        """SQLAlchemy (asyncpg driver) URL of database ``name``."""
        return f"{self.base_url}/{name}"

    def dsn(self, name: str = "postgres") -> str:
        """libpq/asyncpg DSN of database ``name`` (for ``asyncpg.connect``, not SQLAlchemy)."""
        return f"postgresql://{SUPERUSER}@{LOCALHOST}:{self.port}/{name}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its SQLAlchemy URL."""
        self.psql(f'CREATE DATABASE "{_checked_name(name)}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, disconnecting anyone still using it."""
        self.psql(f'DROP DATABASE IF EXISTS "{_checked_name(name)}" WITH (FORCE)')

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` with psql as the superuser and return its unaligned output."""
        assert self._bindir is not None
        argv = [
            str(self._bindir / "psql"),
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
        ]
        argv += [
            "-h",
            LOCALHOST,
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-d",
            database,
            "-c",
            sql,
        ]
        result = subprocess.run(argv, capture_output=True, text=True, env=_clean_env(), timeout=60)
        if result.returncode != 0:
            raise ServiceStartError(f"psql failed ({sql!r}): {result.stderr.strip()}")
        return result.stdout

    # -- internals ---------------------------------------------------------------------------------

    @property
    def _log_path(self) -> Path | None:
        return None if self._root is None else self._root / "postgres.log"

    def _make_root(self) -> Path:
        root = Path(tempfile.mkdtemp(prefix="chinwag-pg-", dir="/tmp"))
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam(OS_USER)
            except KeyError:
                shutil.rmtree(root)
                raise ServiceUnavailableError(
                    f"running as root, but there is no '{OS_USER}' OS user to own the cluster "
                    "(PostgreSQL refuses root); install postgresql or run the tests as a "
                    "normal user"
                ) from None
            os.chown(root, user.pw_uid, user.pw_gid)
            # extra_groups=[] drops root's supplementary groups along with the uid.
            self._run_as = {
                "user": user.pw_uid,
                "group": user.pw_gid,
                "extra_groups": [],
            }
        root.chmod(0o700)
        return root

    def _initdb(self) -> None:
        assert self._root is not None and self._bindir is not None
        argv = [str(self._bindir / "initdb"), "-D", str(self._root / "data")]
        # --no-sync: nothing here must survive a power cut, and syncing costs seconds per run.
        argv += [
            "-A",
            "trust",
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ]
        result = subprocess.run(
            argv,
            cwd=self._root,
            env=_clean_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            **self._run_as,
        )
        if result.returncode != 0:
            raise ServiceStartError(f"initdb failed (exit {result.returncode}):\n{result.stdout}")

    def _start_server(self, port: int | None = None) -> None:
        assert self._root is not None and self._bindir is not None and self._log_path is not None
        fixed = port
        for attempt in range(1, PORT_ATTEMPTS + 1):
            port = fixed or free_port()
            if self._log is not None:
                self._log.close()
            # A fresh log per attempt, so an old bind failure is not mistaken for the current one.
            self._log = self._log_path.open("wb")
            argv = [
                str(self._bindir / "postgres"),
                "-D",
                str(self._root / "data"),
                "-p",
                str(port),
            ]
            settings = {**_SERVER_SETTINGS, "unix_socket_directories": str(self._root)}
            for key, value in settings.items():
                argv += ["-c", f"{key}={value}"]
            proc = subprocess.Popen(
                argv,
                cwd=self._root,
                env=_clean_env(),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                **self._run_as,
            )
            self._proc, self._port = proc, port
            if self._wait_ready(proc, port):
                return
            if fixed is None and attempt < PORT_ATTEMPTS and _port_was_taken(self._log_path):
                self._proc = None
                continue
            raise ServiceStartError(
                f"postgres exited with code {proc.returncode} before accepting connections",
                self._log_path,
            )

    def _wait_ready(self, proc: subprocess.Popen[bytes], port: int) -> bool:
        """Return True once the server accepts connections, False if it exited first."""
        assert self._bindir is not None
        argv = [
            str(self._bindir / "pg_isready"),
            "-q",
            "-h",
            LOCALHOST,
            "-p",
            str(port),
        ]
        argv += ["-U", SUPERUSER, "-d", "postgres", "-t", "1"]
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            if subprocess.run(argv, env=_clean_env()).returncode == 0:
                return True
            time.sleep(0.05)
        raise ServiceStartError(
            f"postgres did not accept connections within {START_TIMEOUT:.0f} s",
            self._log_path,
        )


def _checked_name(name: str) -> str:
    # Names are interpolated into SQL, so only plain identifiers are accepted.
    if not _DB_NAME.match(name):
        raise ValueError(f"database name must match {_DB_NAME.pattern}: {name!r}")
    return name


def _clean_env() -> dict[str, str]:
    # A developer's PGHOST/PGDATABASE/PGOPTIONS would silently redirect psql and pg_isready.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _port_was_taken(log_path: Path) -> bool:
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return "could not bind" in text or "Address already in use" in text
