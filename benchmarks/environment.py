"""Versions and machine facts recorded with every result."""

from __future__ import annotations

import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import procstat
from benchmarks.loadgen import BENCH_DIR

PYTHON_PACKAGES = (
    "python-socketio",
    "python-engineio",
    "uvicorn",
    "starlette",
    "SQLAlchemy",
    "aiosqlite",
    "asyncpg",
    "orjson",
    "websockets",
    "wsproto",
    "uvloop",
    "httptools",
    "redis",
    "PyJWT",
    "pydantic",
)


def _run(argv: list[str]) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (done.stdout or done.stderr).strip() or None


def _package(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _node_package(name: str) -> str | None:
    for base in (BENCH_DIR, BENCH_DIR.parent):
        manifest = base / "node_modules" / name / "package.json"
        if manifest.is_file():
            return str(json.loads(manifest.read_text())["version"])
    return None


def _cpu_model() -> str | None:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return None


def collect(pg_bindir: Path | None = None) -> dict[str, Any]:
    """Everything that could explain a different figure on another day."""
    repo = BENCH_DIR.parent
    dirty = _run(["git", "-C", str(repo), "status", "--porcelain", "--", "src", "generated"])
    versions: dict[str, Any] = {
        "python": platform.python_version(),
        **{name: _package(name) for name in PYTHON_PACKAGES},
        "chinwag": _package("chinwag"),
        "node": _run(["node", "--version"]),
        "socket.io-client": _node_package("socket.io-client"),
        "redis-server": _run(["redis-server", "--version"]),
        "postgres": _run([str(pg_bindir / "postgres"), "--version"]) if pg_bindir else None,
    }
    return {
        "versions": versions,
        "git": {
            "commit": _run(["git", "-C", str(repo), "rev-parse", "HEAD"]),
            "src_dirty": bool(dirty),
        },
        "machine": {
            "cpu": _cpu_model(),
            "cores": procstat.cores(),
            "kernel": platform.release(),
            "clock_ticks": procstat.CLOCK_TICKS,
        },
    }
