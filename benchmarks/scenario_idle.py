"""Scenario (c): idle authenticated sockets; the server's resident memory per socket."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.loadgen import LoadGen
from benchmarks.profiles import Profile
from benchmarks.results import Run
from benchmarks.servers import Server
from benchmarks.verify import Verification

#: Sockets opened and closed first, so lazily imported code and first-use caches are not counted.
WARM_SOCKETS = 50
#: Seconds the server gets to process the disconnects before it is stopped.
CLOSE_GRACE_S = 2.0


def run_idle(server: Server, profile: Profile, secret: str, workdir: Path) -> Run:
    """Connect ``idle_sockets`` sockets (distinct users, handshake auth); RSS growth / socket."""
    config = {
        "mode": "idle",
        "secret": secret,
        "url": server.url,
        "connectConcurrency": profile.connect_concurrency,
        "connectTimeoutMs": 30000,
        "lifetimeMs": 400000,
    }
    n = profile.idle_sockets
    with LoadGen(config, workdir, profile.loadgen_core, f"idle-{server.kind}") as gen:
        gen.expect("ready", 30)
        warm = gen.request("connect", "connected", 120, count=WARM_SOCKETS, prefix="warm")
        gen.request("close", "closed", 30)
        time.sleep(profile.idle_settle_s)
        rss0 = server.rss_bytes()
        opened = gen.request("connect", "connected", 300, count=n, prefix="idle")
        time.sleep(profile.idle_settle_s)
        rss1 = server.rss_bytes()
        cpu = server.cpu_seconds()
        # Close politely and let the server forget them: thousands of sockets dropping at once
        # right before SIGTERM made chinwag's shutdown hang (seen with 2,000).
        gen.request("close", "closed", 60)
        time.sleep(CLOSE_GRACE_S)
    verification = Verification()
    verification.check(
        "all sockets authenticated",
        opened["connected"] == n and opened["failed"] == 0 and warm["failed"] == 0,
        {
            "connected": opened["connected"],
            "failed": opened["failed"],
            "failures": opened["failures"],
        },
    )
    return Run(
        server=server.kind,
        value=(rss1 - rss0) / n,
        verification=verification,
        details={
            "sockets": n,
            "rss_before_bytes": rss0,
            "rss_after_bytes": rss1,
            "connect_seconds": opened["seconds"],
            "connects_per_s": n / opened["seconds"] if opened["seconds"] else None,
            "server_cpu_s_total": cpu,
        },
    )
