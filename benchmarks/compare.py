"""``python -m benchmarks.compare --against DIR``: this checkout against another, same machine.

"No worse than before" cannot be judged from one run of each: on a 2-core machine the same
server's CPU per message moves by 10–30 % between runs as other work comes and goes. So the two
checkouts take turns (this, other, other, this, this, other, … over ``--rounds`` rounds, so that
neither always runs first), each with its own virtualenv and its own copy of the benchmarks, and
the table gives each row's **median** over the rounds: chinwag's figure and CPU µs per message
in both checkouts, and the bare server's (the same code in both, so its spread shows how much the
machine moved). A checkout is any directory with ``.venv`` and ``benchmarks/`` (e.g. ``git
worktree add /tmp/before <commit> && make -C /tmp/before venv``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__)
    parser.add_argument("--against", type=Path, required=True, help="the other checkout")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each checkout")
    parser.add_argument("--only", default="a", help="scenarios, e.g. a,b,c,d (default: a)")
    parser.add_argument("--quick", action="store_true", help="short windows")
    parser.add_argument("--output", type=Path, default=None, help="also write the table as JSON")
    return parser.parse_args(argv)


def run_once(checkout: Path, args: argparse.Namespace, output: Path) -> list[dict[str, Any]]:
    """One ``python -m benchmarks`` run in ``checkout``; its rows."""
    argv = [str(checkout / ".venv" / "bin" / "python"), "-m", "benchmarks"]
    argv += ["--only", args.only, "--output", str(output), *(["--quick"] if args.quick else [])]
    print(f"… {checkout}: {' '.join(argv[1:])}", flush=True)
    subprocess.run(argv, cwd=checkout, check=False, stdout=subprocess.DEVNULL)
    if not output.exists():
        return []
    rows: list[dict[str, Any]] = json.loads(output.read_text())["rows"]
    return rows


def order(rounds: int) -> list[str]:
    """``this other other this this other …``: each side runs first in half the rounds."""
    sides = []
    for index in range(rounds):
        pair = ["this", "other"] if index % 2 == 0 else ["other", "this"]
        sides += pair
    return sides


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summarise(runs: dict[str, list[list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """Per row: medians of chinwag's figure and CPU µs/msg on both sides, and of the bare's."""
    table = []
    ids = [row["id"] for row in (runs["this"] or [[]])[0]]
    for row_id in ids:
        entry: dict[str, Any] = {"id": row_id}
        for side in ("this", "other"):
            rows = [r for run in runs[side] for r in run if r["id"] == row_id]
            entry["title"] = rows[0]["title"] if rows else row_id
            entry["metric"] = rows[0]["metric"] if rows else ""
            for server in ("chinwag", "baseline"):
                found = [r[server] for r in rows if r.get(server) and r[server].get("ok")]
                entry[f"{side}_{server}"] = _median([f["value"] for f in found])
                entry[f"{side}_{server}_cpu"] = _median(
                    [f["cpu_us_per_msg"] for f in found if f.get("cpu_us_per_msg")]
                )
                entry[f"{side}_{server}_all"] = [round(f["value"], 1) for f in found]
        table.append(entry)
    return table


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if not a or not b else f"{a / b:.2f}×"


def render(table: list[dict[str, Any]]) -> str:
    """The comparison as a text table (medians)."""
    head = (
        f"{'row':28} {'metric':16} {'this':>9} {'other':>9} {'this/other':>10}"
        f" {'CPU µs this':>11} {'CPU µs other':>12} {'bare this':>9} {'bare other':>10}"
    )
    lines = [head, "-" * len(head)]
    for e in table:
        lines.append(
            f"{e['title'][:28]:28} {e['metric'][:16]:16} {_fmt(e['this_chinwag']):>9}"
            f" {_fmt(e['other_chinwag']):>9} {_ratio(e['this_chinwag'], e['other_chinwag']):>10}"
            f" {_fmt(e['this_chinwag_cpu']):>11} {_fmt(e['other_chinwag_cpu']):>12}"
            f" {_fmt(e['this_baseline']):>9} {_fmt(e['other_baseline']):>10}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run both checkouts in turn, print the medians."""
    args = parse_args(argv)
    checkouts = {"this": HERE, "other": args.against.resolve()}
    runs: dict[str, list[list[dict[str, Any]]]] = {"this": [], "other": []}
    with tempfile.TemporaryDirectory(prefix="chinwag-compare-") as tmp:
        for index, side in enumerate(order(args.rounds)):
            output = Path(tmp) / f"{index}-{side}.json"
            runs[side].append(run_once(checkouts[side], args, output))
    table = summarise(runs)
    print(f"medians over {args.rounds} runs each; this = {HERE}, other = {checkouts['other']}")
    print(render(table))
    if args.output is not None:
        args.output.write_text(json.dumps(table, indent=2))
    return 0 if all(runs["this"]) and all(runs["other"]) else 1


if __name__ == "__main__":
    sys.exit(main())
