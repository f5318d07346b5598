"""``python -m benchmarks [--quick] [--only a,b,c,d]``: run, print the table, write results.json.

Exit status: 0 when every run measured and verified itself, 1 otherwise (and, with
``--strict-targets``, also when a target ratio was missed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import environment, procstat, profiling, report
from benchmarks import servers as srv
from benchmarks.bench import Bench
from benchmarks.loadgen import BENCH_DIR, client_installed, node_executable
from benchmarks.profiles import FULL, LOADGEN_CORE, QUICK, SERVER_CORE
from benchmarks.runner import RUNNERS, SCENARIOS

DEFAULT_OUTPUT = BENCH_DIR / "results.json"
#: Above this CPU pressure (PSI some avg60, %) the run is flagged as disturbed.
BUSY_PRESSURE_PCT = 20.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short windows (< 2 minutes)")
    parser.add_argument(
        "--only", default=",".join(SCENARIOS), help="scenarios to run, e.g. a,c (default: all)"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="results file")
    parser.add_argument("--keep-workdir", action="store_true", help="keep logs and databases")
    parser.add_argument(
        "--py-spy",
        type=Path,
        default=None,
        metavar="DIR",
        help="sample the servers with py-spy during send windows; stacks go to DIR",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="first wait up to SECONDS for other work on the machine to calm down",
    )
    parser.add_argument(
        "--strict-targets", action="store_true", help="exit 1 when a target ratio is missed"
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra chinwag setting for every server (e.g. CHINWAG_METRICS=false); repeatable",
    )
    return parser.parse_args(argv)


def settings_record() -> dict[str, Any]:
    """How the servers and the load generator were set up (the secret left out)."""
    return {
        "server_env": {
            **srv.LOAD_SETTINGS,
            "CHINWAG_JWT_SECRET": "<random per run>",
        },
        "transport": {
            "uvicorn": "defaults (loop/http/ws auto), ws_per_message_deflate=False, log warning",
            "socketio_json": "orjson wrapper",
            "max_http_buffer_size": 262144,
            "client_transport": "websocket only",
        },
        "pinning": {
            "server_core": SERVER_CORE,
            "loadgen_core": LOADGEN_CORE,
            "postgres_redis": "unpinned",
            "scenario_d": "both server processes on the server core",
        },
        "load": {
            "a_d": "closed loop per connection: next chat:send when the previous is acked",
            "b": "HTTP-triggered room messages, `fanout_inflight` in flight",
            "c": "handshake-authenticated sockets, distinct users, then idle",
        },
        "databases": {
            "a": "SQLite file and a throwaway PostgreSQL 15 (fsync off, synchronous_commit off)",
            "b_c_d": "SQLite file",
        },
    }


def wait_idle(limit_s: float) -> None:
    """Wait (at most ``limit_s``) until CPU pressure over the last 10 s is under 5 %."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        pressure = procstat.cpu_pressure("avg10")
        busy = pressure > 5 if pressure is not None else os.getloadavg()[0] > 1
        if not busy:
            return
        print(f"machine busy (CPU pressure avg10 {pressure}%): waiting", file=sys.stderr)
        time.sleep(min(10.0, max(0.0, deadline - time.monotonic())))


def _terminate(signum: int, frame: object) -> None:
    # SIGTERM (make, timeout) unwinds like Ctrl-C, so every server and cluster is stopped.
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; return the exit status."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    for item in args.server_env:
        name, _, value = item.partition("=")
        srv.LOAD_SETTINGS[name] = value
    profile = QUICK if args.quick else FULL
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in RUNNERS]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    node_executable()
    if not client_installed():
        print("socket.io-client missing: run `npm ci --prefix benchmarks`", file=sys.stderr)
        return 2
    if procstat.cores() < 2:
        print("warning: fewer than 2 cores; server and load generator will share", file=sys.stderr)
    profiling.PROFILE_DIR = args.py_spy
    if args.wait_idle > 0:
        wait_idle(args.wait_idle)
    workdir = Path(tempfile.mkdtemp(prefix="chinwag-bench-"))
    bench = Bench(profile, workdir)
    load_before = os.getloadavg()
    pressure_before = procstat.cpu_pressure()
    started = time.monotonic()
    try:
        for name in chosen:
            RUNNERS[name](bench)
    finally:
        elapsed = time.monotonic() - started
    try:
        from tests.support import find_bindir

        pg_bindir: Path | None = find_bindir()
    except Exception:
        pg_bindir = None
    rows = bench.rows
    pressure_after = procstat.cpu_pressure()
    verified = bool(rows) and all(row.verified for row in rows)
    missed = [r.id for r in rows if r.target is not None and r.target.met(r.ratio) is False]
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "profile": profile.to_json(),
        "scenarios_run": chosen,
        "elapsed_s": round(elapsed, 1),
        **environment.collect(pg_bindir),
        "settings": settings_record(),
        # Other work on the machine skews every figure: compare runs with similar load only.
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "cpu_pressure_some_avg60_pct": {
            "before": pressure_before,
            "after": pressure_after,
        },
        "verified": verified,
        "targets_missed": missed,
        "rows": [row.to_json() for row in rows],
    }
    report.write_json(args.output, document)
    print(report.table(rows))
    for line in report.notes(rows):
        print(f"note: {line}")
    problems = report.failures(rows)
    for line in problems:
        print(f"FAILED {line}")
    # Only the pressure before the run tells of other work: the 60 s average after it is
    # mostly the run itself (two pinned cores plus unpinned PostgreSQL and Redis).
    if (pressure_before or 0) > BUSY_PRESSURE_PCT:
        print(
            f"WARNING: other work competed for the CPUs (pressure {pressure_before}% before the "
            f"run, {pressure_after}% after; load average {os.getloadavg()[0]:.1f}): "
            "the figures are not representative"
        )
    print(
        f"\n{len(rows)} rows in {elapsed:.0f} s; verified: {'yes' if verified else 'NO'}; "
        f"targets missed: {', '.join(missed) or 'none'}; results: {args.output}"
    )
    if problems or args.keep_workdir:
        print(f"work folder (logs, databases): {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    if not verified or (args.strict_targets and missed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
