"""Per-process CPU time and memory from /proc, and CPU pinning with taskset."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process (all its threads) has used so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name may hold spaces and parentheses: fields start after the last ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    """Resident set size (VmRSS) in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def pin(pid: int, core: int) -> None:
    """Pin every thread of ``pid`` to ``core``; threads started later inherit it."""
    subprocess.run(
        ["taskset", "-a", "-p", "-c", str(core), str(pid)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def cores() -> int:
    """Cores this process may run on."""
    return len(os.sched_getaffinity(0))


def cpu_pressure(window: str = "avg60") -> float | None:
    """Percent of the window (avg10/avg60/avg300) some task waited for a CPU (PSI), if known."""
    try:
        first = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    fields = dict(item.split("=") for item in first.split()[1:])
    return float(fields[window])
