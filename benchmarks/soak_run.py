"""One soak run: the database and server, the load with its sampling, the verdict."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from benchmarks import servers as srv
from benchmarks.seeding import Seeder, user_token
from benchmarks.soak_checks import judge_flatness, verify_storage
from benchmarks.soak_counters import Counters
from benchmarks.soak_sampler import Sampler
from benchmarks.soak_service import ServiceClient
from benchmarks.soak_user import UserClient
from benchmarks.verify import Verification
from tests.support import ServerProcess, ServiceStopError

#: Clients finish their current operation (a send may retry) within this after the load stops.
WIND_DOWN_S = 60.0
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
