"""``python -m benchmarks.metrics_cost``: what recording metrics costs the send path.

Runs scenario (a) (send → ack, chinwag on SQLite) with ``CHINWAG_METRICS=true`` and with
``false``, alternating ROUNDS times so drift on a shared machine hits both alike, and prints
chinwag's server CPU per acked send (µs) for each, and the overhead. The target (issue 17) is
under 5 %. ``--quick`` uses the short windows.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROUNDS = 2
TARGET_PCT = 5.0


def _run(metrics: bool, quick: bool, folder: Path, index: int) -> dict[str, float]:
    """CPU µs per send by row id (chinwag's sqlite rows of scenario a)."""
    output = folder / f"{'on' if metrics else 'off'}-{index}.json"
    argv = [sys.executable, "-m", "benchmarks", "--only", "a", "--output", str(output)]
    argv += ["--server-env", f"CHINWAG_METRICS={'true' if metrics else 'false'}"]
    if quick:
        argv.append("--quick")
    subprocess.run(argv, check=False)
    rows = json.loads(output.read_text())["rows"]
    cost = {}
    for row in rows:
        run = row.get("chinwag") or {}
        if "sqlite" in row["id"] and run.get("cpu_us_per_msg"):
            cost[row["id"]] = float(run["cpu_us_per_msg"])
    return cost


def main(argv: list[str] | None = None) -> int:
    """Run, print the comparison; exit 1 when the overhead is over the target."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.metrics_cost")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    on: dict[str, list[float]] = {}
    off: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="chinwag-metrics-cost-") as tmp:
        for index in range(args.rounds):
            for metrics, into in ((True, on), (False, off)):
                for row, value in _run(metrics, args.quick, Path(tmp), index).items():
                    into.setdefault(row, []).append(value)
    worst = 0.0
    print(f"{'row':<28} {'metrics on µs/send':>20} {'off µs/send':>12} {'overhead':>9}")
    for row in sorted(on.keys() & off.keys()):
        with_metrics, without = statistics.median(on[row]), statistics.median(off[row])
        overhead = 100.0 * (with_metrics - without) / without
        worst = max(worst, overhead)
        print(f"{row:<28} {with_metrics:>20.1f} {without:>12.1f} {overhead:>8.1f}%")
    print(f"worst overhead {worst:.1f}% (target < {TARGET_PCT:g}%)")
    return 0 if worst < TARGET_PCT else 1


if __name__ == "__main__":
    sys.exit(main())
