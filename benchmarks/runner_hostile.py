"""Scenarios (e) connection scale and (f) handshake flood, on chinwag and the bare server."""

from __future__ import annotations

from benchmarks import servers as srv
from benchmarks.bench import Bench
from benchmarks.results import Row, Target
from benchmarks.scenario_flood import run_flood
from benchmarks.scenario_scale import run_scale, socket_budget
from benchmarks.verify import sqlite_counter

#: chinwag's p99 ack latency during the flood, over its quiet p99 (the issue's target).
FLOOD_P99_LIMIT = 2.0
#: (e): what chinwag should reach per socket (Centrifugo publishes about 30 KB).
SCALE_AIM_BYTES = 30 * 1024


def scenario_e(bench: Bench) -> None:
    """(e) authenticated sockets on one process, 1% of them chatting: RSS per socket, p99."""
    p = bench.profile
    total, capped = socket_budget(p.scale_sockets)
    row = Row(
        id="e-scale",
        title=f"(e) {total:,} sockets, 1% chat",
        metric="RSS bytes/socket",
        target=Target(1.0, higher_is_better=False),
    )
    if capped:
        row.notes["capped"] = capped
    bench.rows.append(row)

    def measure(kind: str, env: dict[str, str], count: str | None) -> None:
        with bench.server(kind, env, f"e-{kind}") as s:
            counter = sqlite_counter(count) if count else None
            run = bench.attempt(
                f"(e) {kind}",
                kind,
                lambda: run_scale(s, p, bench.secret, bench.workdir, total, counter),
            )
            setattr(row, kind, run)

    path = bench.workdir / "e-sqlite.db"
    chinwag_env = srv.server_env(bench.secret, f"sqlite+aiosqlite:///{path}", None)
    bare_env = srv.server_env(bench.secret, None, None)
    bench.guarded([row], "baseline", lambda: measure(srv.BASELINE, bare_env, None))
    bench.guarded([row], "chinwag", lambda: measure(srv.CHINWAG, chinwag_env, str(path)))
    if row.chinwag is not None and row.chinwag.value is not None:
        row.notes["aim_30KB_per_socket_met"] = row.chinwag.value <= SCALE_AIM_BYTES


def scenario_f(bench: Bench) -> None:
    """(f) unauthenticated sockets at once while users chat: p99 under flood / quiet p99."""
    p = bench.profile
    row = Row(
        id="f-flood",
        title=f"(f) handshake flood ×{p.flood_sockets:,}",
        metric="p99 flood/quiet",
    )
    bench.rows.append(row)

    def measure(kind: str, env: dict[str, str]) -> None:
        env = {**env, "CHINWAG_AUTH_DEADLINE_S": str(p.flood_deadline_s)}
        with bench.server(kind, env, f"f-{kind}") as s:
            run = bench.attempt(
                f"(f) {kind}", kind, lambda: run_flood(s, p, bench.secret, bench.workdir)
            )
            setattr(row, kind, run)

    path = bench.workdir / "f-sqlite.db"
    chinwag_env = srv.server_env(bench.secret, f"sqlite+aiosqlite:///{path}", None)
    bench.guarded(
        [row], "baseline", lambda: measure(srv.BASELINE, srv.server_env(bench.secret, None, None))
    )
    bench.guarded([row], "chinwag", lambda: measure(srv.CHINWAG, chinwag_env))
    if row.chinwag is not None and row.chinwag.value is not None:
        met = row.chinwag.value <= FLOOD_P99_LIMIT
        row.notes["target"] = (
            f"chinwag p99 during the flood ≤ {FLOOD_P99_LIMIT:g}× its quiet p99: "
            f"{row.chinwag.value:.2f}× {'ok' if met else 'MISSED'}"
        )
