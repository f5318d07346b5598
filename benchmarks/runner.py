"""The scenarios of a benchmark run: each one on chinwag and the baseline, one after the other.

A failure in one server or scenario is recorded in its rows and the run goes on, so one broken
piece does not hide the other figures.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from benchmarks import servers as srv
from benchmarks.bench import Bench
from benchmarks.results import Row, Target
from benchmarks.runner_hostile import scenario_e, scenario_f
from benchmarks.scenario_fanout import run_fanout
from benchmarks.scenario_idle import run_idle
from benchmarks.scenario_send import run_send
from benchmarks.verify import psql_counter, sqlite_counter

SCENARIOS = ("a", "b", "c", "d", "e", "f")
SEND_TARGETS = {"sqlite": Target(0.5, aim=0.7), "postgres": Target(0.35)}


def scenario_a(bench: Bench) -> None:
    """(a) send → ack at each connection count, SQLite and PostgreSQL, vs the bare server."""
    p = bench.profile
    rows: dict[str, dict[int, Row]] = {
        db: {
            n: Row(
                id=f"a-{db}-{n}",
                title=f"(a) send {'SQLite' if db == 'sqlite' else 'PostgreSQL'} ×{n}",
                metric="acks/s",
                target=SEND_TARGETS[db] if n == max(p.send_connections) else None,
            )
            for n in p.send_connections
        }
        for db in ("sqlite", "postgres")
    }
    every = [row for by_n in rows.values() for row in by_n.values()]
    bench.rows += every
    env = srv.server_env(bench.secret, None, None)

    def bare() -> None:
        with bench.server(srv.BASELINE, env, "a-baseline") as server:
            for n in p.send_connections:
                run = bench.attempt(
                    f"(a) bare ×{n}",
                    srv.BASELINE,
                    partial(run_send, [server], p, n, bench.secret, bench.workdir),
                )
                rows["sqlite"][n].baseline = rows["postgres"][n].baseline = run

    def sqlite() -> None:
        path = bench.workdir / "a-sqlite.db"
        env = srv.server_env(bench.secret, f"sqlite+aiosqlite:///{path}", None)
        counter = sqlite_counter(str(path))
        with bench.server(srv.CHINWAG, env, "a-sqlite") as server:
            for n in p.send_connections:
                rows["sqlite"][n].chinwag = bench.attempt(
                    f"(a) chinwag SQLite ×{n}",
                    srv.CHINWAG,
                    partial(run_send, [server], p, n, bench.secret, bench.workdir, counter),
                )

    def postgres() -> None:
        with srv.postgres() as cluster:
            url = cluster.create_database("bench_a")
            counter = psql_counter(lambda sql: cluster.psql(sql, "bench_a"))
            env = srv.server_env(bench.secret, url, None)
            with bench.server(srv.CHINWAG, env, "a-postgres") as server:
                for n in p.send_connections:
                    rows["postgres"][n].chinwag = bench.attempt(
                        f"(a) chinwag PostgreSQL ×{n}",
                        srv.CHINWAG,
                        partial(run_send, [server], p, n, bench.secret, bench.workdir, counter),
                    )

    bench.guarded(every, "baseline", bare)
    bench.guarded(list(rows["sqlite"].values()), "chinwag", sqlite)
    bench.guarded(list(rows["postgres"].values()), "chinwag", postgres)


def scenario_b(bench: Bench) -> None:
    """(b) one room of 500 sockets: chinwag's automated message vs the bare room emit."""
    p = bench.profile
    row = Row(
        id="b-fanout",
        title=f"(b) room fan-out ×{p.fanout_room}",
        metric="deliveries/s",
        target=Target(1.0, aim=2.0),
    )
    bench.rows.append(row)

    def bare() -> None:
        with bench.server(
            srv.BASELINE, srv.server_env(bench.secret, None, None), "b-baseline"
        ) as s:
            row.baseline = bench.attempt(
                "(b) bare", srv.BASELINE, lambda: run_fanout(s, p, bench.secret, bench.workdir)
            )

    def chinwag() -> None:
        path = bench.workdir / "b-sqlite.db"
        env = srv.server_env(bench.secret, f"sqlite+aiosqlite:///{path}", None)
        with bench.server(srv.CHINWAG, env, "b-chinwag") as s:
            row.chinwag = bench.attempt(
                "(b) chinwag SQLite",
                srv.CHINWAG,
                lambda: run_fanout(s, p, bench.secret, bench.workdir, sqlite_counter(str(path))),
            )

    bench.guarded([row], "baseline", bare)
    bench.guarded([row], "chinwag", chinwag)


def scenario_c(bench: Bench) -> None:
    """(c) idle authenticated sockets: server RSS per socket, each in a fresh process."""
    p = bench.profile
    row = Row(
        id="c-idle",
        title=f"(c) idle sockets ×{p.idle_sockets}",
        metric="RSS bytes/socket",
        target=Target(1.5, higher_is_better=False),
    )
    bench.rows.append(row)

    def measure(kind: str, env: dict[str, str]) -> None:
        with bench.server(kind, env, f"c-{kind}") as s:
            setattr(
                row,
                kind,
                bench.attempt(
                    f"(c) {kind}", kind, lambda: run_idle(s, p, bench.secret, bench.workdir)
                ),
            )

    bare_env = srv.server_env(bench.secret, None, None)
    db = f"sqlite+aiosqlite:///{bench.workdir / 'c-sqlite.db'}"
    bench.guarded([row], "baseline", lambda: measure(srv.BASELINE, bare_env))
    bench.guarded(
        [row], "chinwag", lambda: measure(srv.CHINWAG, srv.server_env(bench.secret, db, None))
    )


def scenario_d(bench: Bench) -> None:
    """(d) two processes over Redis: every chat:new crosses from one process to the other."""
    p = bench.profile
    row = Row(
        id="d-redis", title=f"(d) 2 processes/Redis ×{p.cross_connections}", metric="chat:new/s"
    )
    bench.rows.append(row)

    def pair(kind: str, redis_url: str, database_url: str | None) -> None:
        env = srv.server_env(bench.secret, database_url, redis_url)
        with (
            bench.server(kind, env, f"d-{kind}-1") as one,
            bench.server(kind, env, f"d-{kind}-2") as two,
        ):
            counter = sqlite_counter(database_url.split("///", 1)[1]) if database_url else None
            setattr(
                row,
                kind,
                bench.attempt(
                    f"(d) {kind}",
                    kind,
                    lambda: run_send(
                        [one, two],
                        p,
                        p.cross_connections,
                        bench.secret,
                        bench.workdir,
                        counter,
                        rate_of="news",
                    ),
                ),
            )

    def run() -> None:
        with srv.redis() as redis:
            db = f"sqlite+aiosqlite:///{bench.workdir / 'd-sqlite.db'}"
            bench.guarded([row], "baseline", lambda: pair(srv.BASELINE, redis.url, None))
            bench.guarded([row], "chinwag", lambda: pair(srv.CHINWAG, redis.url, db))

    try:
        run()
    except Exception as exc:
        bench.fail_missing([row], "baseline", exc)
        bench.fail_missing([row], "chinwag", exc)


RUNNERS: dict[str, Callable[[Bench], None]] = {
    "a": scenario_a,
    "b": scenario_b,
    "c": scenario_c,
    "d": scenario_d,
    "e": scenario_e,
    "f": scenario_f,
}
