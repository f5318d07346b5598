"""Optional py-spy sampling of the servers during measured windows (``--py-spy DIR``).

py-spy attaches with ptrace; where that is denied, run the server under ``python -m cProfile``
by hand instead. Output is py-spy's collapsed-stack ("raw") format; summarise it with
``python -m benchmarks.profile_summary FILE``.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchmarks.servers import Server

#: Set by ``--py-spy DIR``; None means no profiling.
PROFILE_DIR: Path | None = None


def _py_spy() -> str | None:
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


@contextlib.contextmanager
def sampled(servers: Sequence[Server], label: str, seconds: float) -> Iterator[None]:
    """Sample ``servers`` for ``seconds`` (non-blocking, 250 Hz) when profiling is on."""
    exe = _py_spy()
    if PROFILE_DIR is None or exe is None:
        yield
        return
    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    procs = []
    for server in servers:
        out = PROFILE_DIR / f"{label}-{server.kind}-{server.pid}.txt"
        argv = [
            exe,
            "record",
            "--pid",
            str(server.pid),
            "--duration",
            str(max(1, int(seconds))),
            "--rate",
            "250",
            "--nonblocking",
            "--format",
            "raw",
            "--output",
            str(out),
        ]
        procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        yield
    finally:
        for proc in procs:
            try:
                proc.wait(timeout=seconds + 30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
