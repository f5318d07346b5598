"""Scenario (e): connection scale. Many authenticated idle sockets on one process, 1% chatting.

The idle sockets (distinct users, handshake auth) are spread over several Node processes (one
process may hold only as many sockets as its open-files limit) and over several loopback source
addresses (ephemeral ports are per address). The figure is (RSS with them − RSS before) / idle
sockets, read as in (c); then 1% of the total chat in closed loop (``run_send``) while the idle
ones stay connected, for the p99 ack latency.
"""

from __future__ import annotations

import contextlib
import math
import resource
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.loadgen import LoadGen
from benchmarks.profiles import Profile
from benchmarks.results import Run
from benchmarks.scenario_send import run_send
from benchmarks.servers import Server
from benchmarks.verify import RowCounts, Verification

#: Sockets one Node process holds at most (its open-files limit is that of this process).
PER_LOADGEN = 9000
#: Open files the server needs besides its sockets (database, Redis, logs, listening socket).
SERVER_SPARE_FDS = 200
WARM_SOCKETS = 50


def socket_budget(wanted: int) -> tuple[int, str | None]:
    """How many sockets one server process can hold here, and why fewer, if so.

    The soft open-files limit is raised to the hard one first; the hard one only root with
    CAP_SYS_RESOURCE can raise.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if wanted + SERVER_SPARE_FDS <= limit:
        return wanted, None
    capped = (limit - SERVER_SPARE_FDS) // 100 * 100
    return capped, f"capped at {capped} by the open-files limit ({limit}, ulimit -n)"


def chat_connections(total: int, fraction: float) -> int:
    """1% of ``total`` (or the profile's share), an even number ≥ 2 (pairs of senders)."""
    return max(2, 2 * math.ceil(total * fraction / 2))


def run_scale(
    server: Server,
    profile: Profile,
    secret: str,
    workdir: Path,
    total: int,
    count_rows: Callable[[], RowCounts] | None = None,
) -> Run:
    """``total`` sockets on ``server``: RSS per idle socket, then p99 of the 1% chatting."""
    chatting = chat_connections(total, profile.scale_chat_fraction)
    idle = total - chatting
    shares = [len(part) for part in _split(idle, math.ceil(idle / PER_LOADGEN))]
    config = {
        "mode": "idle",
        "secret": secret,
        "url": server.url,
        "connectConcurrency": profile.connect_concurrency,
        "connectTimeoutMs": 60000,
        "lifetimeMs": 1800000,
        "localAddresses": list(profile.scale_source_addresses),
    }
    with contextlib.ExitStack() as stack:
        gens = [
            stack.enter_context(
                LoadGen(config, workdir, profile.loadgen_core, f"scale-{server.kind}-{i}")
            )
            for i in range(len(shares))
        ]
        for gen in gens:
            gen.expect("ready", 30)
        warm = gens[0].request("connect", "connected", 120, count=WARM_SOCKETS, prefix="warm")
        gens[0].request("close", "closed", 30)
        time.sleep(profile.idle_settle_s)
        rss0 = server.rss_bytes()
        started = time.monotonic()
        for i, (gen, share) in enumerate(zip(gens, shares, strict=True)):
            gen.send("connect", count=share, prefix=f"scale{i}")
        opened = [gen.expect("connected", 1200) for gen in gens]
        connect_s = time.monotonic() - started
        time.sleep(profile.idle_settle_s)
        rss1 = server.rss_bytes()
        chat = run_send([server], profile, chatting, secret, workdir, count_rows)
        rss2 = server.rss_bytes()
        for gen in gens:
            gen.send("close")
        for gen in gens:
            gen.expect("closed", 120)
        time.sleep(2.0)  # let the server forget them before it is stopped
    connected = sum(o["connected"] for o in opened)
    verification = Verification()
    verification.check(
        "all idle sockets authenticated",
        connected == idle and all(o["failed"] == 0 for o in opened) and warm["failed"] == 0,
        {"connected": connected, "wanted": idle, "failures": [o["failures"] for o in opened]},
    )
    verification.checks += [dict(c, name=f"chat: {c['name']}") for c in chat.verification.checks]
    return Run(
        server=server.kind,
        value=(rss1 - rss0) / idle,
        cpu_us_per_msg=chat.cpu_us_per_msg,
        p50_ms=chat.p50_ms,
        p99_ms=chat.p99_ms,
        verification=verification,
        details={
            "sockets": total,
            "idle_sockets": idle,
            "chatting_sockets": chatting,
            "rss_before_bytes": rss0,
            "rss_idle_bytes": rss1,
            "rss_after_chat_bytes": rss2,
            "connect_seconds": connect_s,
            "connects_per_s": idle / connect_s if connect_s else None,
            "acks_per_s": chat.value,
            "server_cpu_pct": chat.details.get("server_cpu_pct"),
            "window": chat.details.get("window"),
        },
    )


def _split(n: int, parts: int) -> list[range]:
    step = math.ceil(n / parts)
    return [range(i, min(n, i + step)) for i in range(0, n, step)]
