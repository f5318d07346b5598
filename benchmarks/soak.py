"""``python -m benchmarks.soak`` (``make soak``): a long mixed load with reconnects.

A chinwag server (SQLite, or ``--database postgresql``) gets ``--clients`` users chatting in pairs
(send, read, sync, reconnect on websocket and polling, some abruptly) and a service client posting
automated messages, for ``--duration`` seconds. Every ``--interval`` seconds the server process is
sampled (RSS, open fds, threads, CPU) with the client-side counts of that window; each row is
printed and written to a CSV (``benchmarks/soak.csv``) ready for a chart.

At the end it checks the run and exits 1 when a check fails:

- stored rows == acknowledged sends and posted automated messages, per conversation, with the
  same ids, and ``seq`` gap-free (read back through the REST API);
- no errors on the client side (chat:error, timeouts, failed connects);
- flat resources: the mean of the last 20 % of samples against the mean of the 20 % that follow
  the first 20 % (warm-up): RSS may grow at most 20 %, open fds at most 10 + 5 %.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from benchmarks.soak_run import Options, log, run

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_OUTPUT = BENCH_DIR / "soak.csv"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--duration", type=float, default=600, help="seconds of load (600)")
    parser.add_argument("--interval", type=float, default=10, help="seconds between samples (10)")
    parser.add_argument("--clients", type=int, default=50, help="user clients (50)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="CSV file")
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between operations")
    parser.add_argument(
        "--service-period", type=float, default=1.0, help="seconds between automated messages"
    )
    parser.add_argument("--keep-workdir", action="store_true", help="keep the log and database")
    return parser.parse_args(argv)


def _terminate(signum: int, frame: object) -> None:
    # SIGTERM (make, timeout) unwinds like Ctrl-C, so the server and the cluster are stopped.
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """Run the soak; return the exit status."""
    args = parse_args(argv)
    if args.clients < 1 or args.duration <= 0 or args.interval <= 0:
        log("--clients, --duration and --interval must be positive")
        return 2
    signal.signal(signal.SIGTERM, _terminate)
    workdir = Path(tempfile.mkdtemp(prefix="chinwag-soak-"))
    opts = Options(
        duration_s=args.duration,
        interval_s=args.interval,
        clients=args.clients,
        database=args.database,
        output=args.output,
        think_s=args.think,
        service_period_s=args.service_period,
        workdir=workdir,
    )
    status = 1
    try:
        status = run(opts)
    finally:
        if status != 0 or args.keep_workdir:
            log(f"work folder (server log, database): {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
