"""The shared state of one benchmark run, and how a failure in one piece is kept to its rows."""

from __future__ import annotations

import contextlib
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import servers as srv
from benchmarks.profiles import Profile
from benchmarks.results import Row, Run


@dataclass
class Bench:
    """Shared state of one run."""

    profile: Profile
    workdir: Path
    secret: str = field(default_factory=srv.new_secret)
    rows: list[Row] = field(default_factory=list)

    def log(self, message: str) -> None:
        """Progress, on stderr so stdout holds only the table."""
        print(message, file=sys.stderr, flush=True)

    def attempt(self, label: str, server: str, measure: Callable[[], Run]) -> Run:
        """Run one measurement; an exception becomes a failed Run."""
        self.log(f"… {label}")
        started = time.monotonic()
        try:
            run = measure()
        except Exception as exc:
            self.log(traceback.format_exc())
            return Run(server=server, value=None, error=f"{type(exc).__name__}: {exc}")
        state = "verified" if run.ok else "NOT VERIFIED: " + "; ".join(run.verification.failures())
        self.log(
            f"  {label}: {run.value:,.1f} cpu {run.cpu_us_per_msg or 0:.1f} µs/msg "
            f"p50 {run.p50_ms or 0:.2f} p99 {run.p99_ms or 0:.2f} ms, {state} "
            f"[{time.monotonic() - started:.1f} s]"
            if run.value is not None
            else f"  {label}: no figure"
        )
        return run

    @contextlib.contextmanager
    def server(self, kind: str, env: dict[str, str], name: str) -> Iterator[srv.Server]:
        """A pinned server whose log stays in the work folder."""
        log_dir = self.workdir / name
        with srv.running_server(kind, env, log_dir, self.profile.server_core) as server:
            yield server

    def fail_missing(self, rows: list[Row], side: str, error: BaseException) -> None:
        """Give every row still lacking ``side`` an error run (e.g. the server did not start)."""
        self.log(f"! {side}: {type(error).__name__}: {error}")
        for row in rows:
            if getattr(row, side) is None:
                setattr(
                    row,
                    side,
                    Run(server=side, value=None, error=f"{type(error).__name__}: {error}"),
                )

    def guarded(self, rows: list[Row], side: str, block: Callable[[], None]) -> None:
        """Run ``block``; if it raises, fail the rows it did not fill."""
        try:
            block()
        except Exception as exc:
            self.log(traceback.format_exc())
            self.fail_missing(rows, side, exc)
