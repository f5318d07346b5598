"""The printed table and ``benchmarks/results.json``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.results import Row, Run

COLUMNS = (
    "scenario",
    "metric",
    "chinwag",
    "bare",
    "ratio",
    "target",
    "CPU µs/msg c|b",
    "p50 ms c|b",
    "p99 ms c|b",
    "srv CPU% c|b",
    "verified",
)


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _pair(a: float | None, b: float | None) -> str:
    return f"{_num(a)} | {_num(b)}"


def _attr(run: Run | None, name: str) -> float | None:
    return None if run is None else getattr(run, name)


def _cpu_pct(run: Run | None) -> float | None:
    # Well under 100 % while latency grows: the server was starved or waiting, not saturated.
    return None if run is None else run.details.get("server_cpu_pct")


def _status(row: Row) -> str:
    if row.verified:
        return "yes"
    sides = (("chinwag", row.chinwag), ("baseline", row.baseline))
    # A missing run (None) has no server name of its own: name the side it should have filled.
    bad = [side if r is None else r.server for side, r in sides if r is None or not r.ok]
    return "NO (" + ", ".join(bad) + ")" if bad else "NO"


def _target(row: Row) -> str:
    if row.target is None:
        return ""
    met = row.target.met(row.ratio)
    verdict = "" if met is None else (" ok" if met else " MISSED")
    return row.target.describe() + verdict


def table(rows: Sequence[Row]) -> str:
    """A fixed-width table, one line per scenario."""
    lines = [
        [
            row.title,
            row.metric,
            _num(_attr(row.chinwag, "value")),
            _num(_attr(row.baseline, "value")),
            "—" if row.ratio is None else f"{row.ratio:.2f}×",
            _target(row),
            _pair(_attr(row.chinwag, "cpu_us_per_msg"), _attr(row.baseline, "cpu_us_per_msg")),
            _pair(_attr(row.chinwag, "p50_ms"), _attr(row.baseline, "p50_ms")),
            _pair(_attr(row.chinwag, "p99_ms"), _attr(row.baseline, "p99_ms")),
            _pair(_cpu_pct(row.chinwag), _cpu_pct(row.baseline)),
            _status(row),
        ]
        for row in rows
    ]
    widths = [max(len(str(c)) for c in col) for col in zip(COLUMNS, *lines, strict=False)]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [fmt(COLUMNS), fmt(["-" * w for w in widths])]
    out += [fmt(line) for line in lines]
    return "\n".join(out)


LOADGEN_SATURATED_PCT = 95.0


def notes(rows: Sequence[Row]) -> list[str]:
    """Caveats a reader needs for the ratios: runs limited by the load generator, not the server;
    and what a scenario has to say beyond its ratio (``row.notes``: a capped size, a target)."""
    lines = [
        f"{row.id}: {text}" for row in rows for text in row.notes.values() if isinstance(text, str)
    ]
    for row in rows:
        for run in (row.chinwag, row.baseline):
            if run is None:
                continue
            window = run.details.get("window") or {}
            pct = run.details.get("loadgen_cpu_pct", window.get("loadgen_cpu_pct"))
            if pct is not None and pct >= LOADGEN_SATURATED_PCT:
                lines.append(
                    f"{row.id} [{run.server}]: the load generator saturated its core ({pct:.0f}% "
                    f"CPU; server {_num(_cpu_pct(run))}%): this figure is a lower bound, "
                    "compare CPU µs/msg"
                )
    return lines


def failures(rows: Sequence[Row]) -> list[str]:
    """One line per failed check or error, for the end of the output."""
    lines = []
    for row in rows:
        for run in (row.chinwag, row.baseline):
            if run is None:
                lines.append(f"{row.id}: a run is missing")
            elif run.error is not None:
                lines.append(f"{row.id} [{run.server}]: {run.error}")
            else:
                lines += [f"{row.id} [{run.server}]: {f}" for f in run.verification.failures()]
    return lines


def write_json(path: Path, document: dict[str, Any]) -> None:
    """Write results.json (pretty, stable key order)."""
    path.write_text(json.dumps(document, indent=2, sort_keys=False, default=str) + "\n")
