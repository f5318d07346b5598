"""The soak's samples: the server process and the window's client counts, one CSV row each."""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path
from typing import Any, TextIO

from benchmarks import procstat
from benchmarks.soak_counters import Counters
from benchmarks.soak_user import UserClient

COLUMNS = (
    "t_s",
    "rss_kb",
    "open_fds",
    "threads",
    "server_cpu_pct",
    "loadgen_cpu_pct",
    "sockets",
    "sent",
    "acked",
    "errors",
    "reconnects",
    "automated",
    "p50_ack_ms",
    "p99_ack_ms",
    "acked_total",
)


def proc_status(pid: int) -> tuple[int, int]:
    """(VmRSS in kB, threads) of a process."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]), int(fields["Threads"])


class Sampler:
    """Reads the server process and the window's client counts into CSV rows."""

    def __init__(self, pid: int, counters: Counters, clients: list[UserClient], out: TextIO):
        self.pid = pid
        self.counters = counters
        self.clients = clients
        self.rows: list[dict[str, Any]] = []
        self.started = time.monotonic()
        self._last = (self.started, procstat.cpu_seconds(pid), time.process_time())
        self._writer = csv.DictWriter(out, COLUMNS)
        self._out = out
        self._writer.writeheader()
        print(",".join(COLUMNS), flush=True)

    def sample(self) -> dict[str, Any]:
        """Take, write and print one row."""
        now, server_cpu, own_cpu = (
            time.monotonic(),
            procstat.cpu_seconds(self.pid),
            time.process_time(),
        )
        last_t, last_server, last_own = self._last
        self._last = (now, server_cpu, own_cpu)
        span = max(now - last_t, 1e-6)
        rss_kb, threads = proc_status(self.pid)
        row: dict[str, Any] = {
            "t_s": round(now - self.started, 1),
            "rss_kb": rss_kb,
            "open_fds": len(os.listdir(f"/proc/{self.pid}/fd")),
            "threads": threads,
            "server_cpu_pct": round(100 * (server_cpu - last_server) / span, 1),
            "loadgen_cpu_pct": round(100 * (own_cpu - last_own) / span, 1),
            "sockets": sum(1 for c in self.clients if c.sio is not None and c.sio.connected),
            **self.counters.take_window(),
        }
        self.rows.append(row)
        self._writer.writerow(row)
        self._out.flush()
        print(",".join(str(row[c]) for c in COLUMNS), flush=True)
        return row
