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
import asyncio
import contextlib
import csv
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx

from benchmarks import procstat
from benchmarks import servers as srv
from benchmarks.seeding import Seeder
from benchmarks.soak_load import Counters, ServiceClient, UserClient, user_token
from benchmarks.verify import Verification
from tests.support.errors import ServiceStopError
from tests.support.server import ServerProcess

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_OUTPUT = BENCH_DIR / "soak.csv"
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
RSS_GROWTH_LIMIT = 0.20
FD_GROWTH_ABS, FD_GROWTH_REL = 10, 0.05
#: Clients finish their current operation (a send may retry) within this after the load stops.
WIND_DOWN_S = 60.0
PAGE = 200
#: The load settings give the server a 2 s shutdown deadline; this leaves room for the rest.
STOP_TIMEOUT_S = 6.0


@dataclass
class Options:
    """One soak run."""

    duration_s: float
    interval_s: float
    clients: int
    database: str
    output: Path
    think_s: float
    service_period_s: float
    workdir: Path


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


def judge_flatness(rows: list[dict[str, Any]], verification: Verification) -> None:
    """RSS and open fds: the last 20 % of samples against the 20 % after the warm-up."""
    n = len(rows)
    if n < 3:
        verification.check("enough samples to judge flatness (≥ 3)", False, n)
        return
    size = max(1, math.floor(n * 0.2))
    start = min(size, n - 2)
    baseline, tail = rows[start : start + size], rows[n - size :]

    def mean(key: str, part: list[dict[str, Any]]) -> float:
        return sum(float(r[key]) for r in part) / len(part)

    rss_base, rss_tail = mean("rss_kb", baseline), mean("rss_kb", tail)
    fd_base, fd_tail = mean("open_fds", baseline), mean("open_fds", tail)
    growth = rss_tail / rss_base - 1
    verification.check(
        f"RSS flat (last 20% ≤ +{RSS_GROWTH_LIMIT:.0%} over post-warm-up)",
        growth <= RSS_GROWTH_LIMIT,
        f"{rss_base / 1024:.1f} → {rss_tail / 1024:.1f} MiB ({growth:+.1%})",
    )
    fd_limit = FD_GROWTH_ABS + FD_GROWTH_REL * fd_base
    verification.check(
        f"open fds flat (last 20% ≤ +{FD_GROWTH_ABS} + {FD_GROWTH_REL:.0%})",
        fd_tail - fd_base <= fd_limit,
        f"{fd_base:.1f} → {fd_tail:.1f} (limit +{fd_limit:.1f})",
    )


async def stored_messages(http: httpx.AsyncClient, cid: str, expected: int) -> list[dict[str, Any]]:
    """Every message of a conversation through REST, paging with after_seq (bounded)."""
    items: list[dict[str, Any]] = []
    for _ in range(expected // PAGE + 3):
        after = items[-1]["seq"] if items else 0
        response = await http.get(
            f"/api/conversations/{cid}/messages", params={"after_seq": after, "limit": PAGE}
        )
        response.raise_for_status()
        page = response.json()["items"]
        items.extend(page)
        if len(page) < PAGE:
            break
    return items


async def verify_storage(
    url: str, token: str, conversations: list[str], counters: Counters, verification: Verification
) -> None:
    """Stored rows == acks (same ids), automated rows == posts, seq 1..N without gaps."""
    mismatched: dict[str, Any] = {}
    gaps: dict[str, Any] = {}
    stored_total = 0
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60, trust_env=False
    ) as http:
        for cid in conversations:
            acked = counters.acked_ids.get(cid, set())
            posted = counters.automated_ids.get(cid, set())
            items = await stored_messages(http, cid, len(acked) + len(posted))
            stored_total += len(items)
            users = {m["id"] for m in items if m["kind"] == "user"}
            automated = {m["id"] for m in items if m["kind"] == "automated"}
            if users != acked or automated != posted:
                mismatched[cid] = {
                    "stored_user": len(users),
                    "acked": len(acked),
                    "stored_automated": len(automated),
                    "posted": len(posted),
                }
            seqs = [m["seq"] for m in items]
            if seqs != list(range(1, len(items) + 1)):
                gaps[cid] = {"rows": len(seqs), "max_seq": max(seqs, default=0)}
    acked_total = sum(len(s) for s in counters.acked_ids.values())
    posted_total = sum(len(s) for s in counters.automated_ids.values())
    verification.check(
        "stored rows == acked sends + posted automated (same ids)",
        not mismatched and counters.lost == 0,
        {
            "stored": stored_total,
            "acked": acked_total,
            "automated": posted_total,
            "lost_sends": counters.lost,
            "mismatched": dict(list(mismatched.items())[:5]),
        },
    )
    verification.check("seq gap-free (1..N)", not gaps, dict(list(gaps.items())[:5]))


@contextlib.contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """The server's database URL: a SQLite file in the work folder or a throwaway PostgreSQL."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / 'soak.db'}"
        return
    with srv.postgres() as cluster:
        yield cluster.create_database("soak")


@contextlib.contextmanager
def chinwag_server(
    env: dict[str, str], workdir: Path, warnings: list[str]
) -> Iterator[ServerProcess]:
    """The server under load; a slow exit on SIGTERM becomes a warning, not a 30 s wait."""
    process = ServerProcess(
        {"CHINWAG_REDIS_URL": None, **env}, log_dir=workdir / "logs", start_timeout=60
    )
    process.start()
    try:
        yield process
    finally:
        if process.running:
            try:
                process.stop(timeout=STOP_TIMEOUT_S)
            except ServiceStopError as exc:
                # Shutdown is not what the soak measures, but a hang there is worth knowing.
                warnings.append(str(exc).splitlines()[0])


async def drive(url: str, secret: str, pid: int, opts: Options, out: TextIO) -> Verification:
    """Seed, run the load while sampling, wind down, verify."""
    seeder = Seeder(url, secret)
    try:
        users = [f"soak-user-{i}" for i in range(opts.clients)]
        campaign = seeder.campaign("soak", [])
        pairs = [users[i : i + 2] for i in range(0, len(users), 2)]
        conversations = [seeder.conversation(campaign, pair) for pair in pairs]
    finally:
        seeder.close()
    ttl = opts.duration_s + 3600
    counters = Counters()
    clients = [
        UserClient(url, user_token(secret, user, ttl_s=ttl), conversations[i // 2], counters, i)
        for i, user in enumerate(users)
    ]
    service_token = user_token(secret, "soak-service", role="service", ttl_s=ttl)
    service = ServiceClient(url, service_token, conversations, counters, seed=opts.clients)
    stop = asyncio.Event()
    max_ops = int(opts.duration_s / opts.think_s * 20) + 100
    max_posts = int(opts.duration_s / opts.service_period_s) + 10
    sampler = Sampler(pid, counters, clients, out)
    tasks = [asyncio.create_task(c.run(stop, opts.think_s, max_ops)) for c in clients]
    tasks.append(asyncio.create_task(service.run(stop, opts.service_period_s, max_posts)))
    deadline = sampler.started + opts.duration_s
    for _ in range(int(opts.duration_s / opts.interval_s) + 2):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        await asyncio.sleep(min(opts.interval_s, remaining))
        sampler.sample()
    stop.set()
    _, pending = await asyncio.wait(tasks, timeout=WIND_DOWN_S)
    verification = Verification()
    verification.check("clients wound down", not pending, f"{len(pending)} still running")
    for task in pending:
        task.cancel()
    judge_flatness(sampler.rows, verification)
    verification.check(
        "no client errors",
        counters.errors == 0 and sum(int(r["errors"]) for r in sampler.rows) == 0,
        counters.error_samples[:5],
    )
    await verify_storage(url, service_token, conversations, counters, verification)
    return verification


def run(opts: Options) -> int:
    """Start the server, drive the load, report; return the exit status."""
    secret = srv.new_secret()
    opts.output.parent.mkdir(parents=True, exist_ok=True)
    warnings: list[str] = []
    with (
        database(opts.database, opts.workdir) as db_url,
        chinwag_server(srv.server_env(secret, db_url, None), opts.workdir, warnings) as server,
        opts.output.open("w", newline="") as out,
    ):
        log(
            f"chinwag (pid {server.pid}) on {opts.database}: {opts.clients} clients, "
            f"{opts.duration_s:g} s, a sample every {opts.interval_s:g} s → {opts.output}"
        )
        verification = asyncio.run(drive(server.url, secret, server.pid, opts, out))
    for line in warnings:
        log(f"WARNING {line}")
    for c in verification.checks:
        log(f"{'ok  ' if c['ok'] else 'FAIL'} {c['name']}: {c['detail']}")
    log(f"soak {'passed' if verification.ok else 'FAILED'}; CSV: {opts.output}")
    return 0 if verification.ok else 1


def log(message: str) -> None:
    """Progress and verdict on stderr, so stdout is the CSV alone."""
    print(message, file=sys.stderr, flush=True)


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
