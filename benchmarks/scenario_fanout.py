"""Scenario (b): messages into one room of 500 sockets; deliveries/s and first-to-last spread."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from benchmarks.loadgen import LoadGen
from benchmarks.profiles import Profile
from benchmarks.results import Run
from benchmarks.seeding import Seeder
from benchmarks.servers import Server
from benchmarks.verify import RowCounts, Verification, check_rows


def run_fanout(
    server: Server,
    profile: Profile,
    secret: str,
    workdir: Path,
    count_rows: Callable[[], RowCounts] | None = None,
) -> Run:
    """Room members are campaign members (that is what lets them join); the two participants never
    connect, so every delivery counted is a ``chat:automated`` room delivery.
    """
    tag = f"fan{secrets.token_hex(3)}"
    users = [f"{tag}-m{i}" for i in range(profile.fanout_room)]
    seeder = Seeder(server.url, secret)
    try:
        campaign = seeder.campaign(f"bench {tag}", users)
        conversation = seeder.conversation(campaign, [f"{tag}-owner-a", f"{tag}-owner-b"])
        token = seeder.token
    finally:
        seeder.close()
    config = {
        "mode": "fanout",
        "secret": secret,
        "url": server.url,
        "users": users,
        "conversationId": conversation,
        "triggerUrl": f"{server.url}/api/conversations/{conversation}/automated-messages",
        "serviceToken": token,
        "inflight": profile.fanout_inflight,
        "connectConcurrency": profile.connect_concurrency,
        "connectTimeoutMs": 20000,
        "runTimeoutMs": 120000,
        "lifetimeMs": 400000,
    }
    with LoadGen(config, workdir, profile.loadgen_core, f"fanout-{tag}") as gen:
        ready = gen.expect("ready", 120)
        warm = gen.request("run", "result", 150, count=profile.fanout_warmup_messages)
        cpu0 = server.cpu_seconds()
        result = gen.request("run", "result", 150, count=profile.fanout_messages)
        cpu1 = server.cpu_seconds()
    verification = Verification()
    verification.check(
        "all sockets connected and joined",
        ready["connected"] == profile.fanout_room and ready["failed"] == 0,
        {"connected": ready["connected"], "failures": ready["failures"]},
    )
    for name, run in (("warm-up", warm), ("measured", result)):
        verification.check(
            f"{name}: deliveries == messages × room",
            run["complete"] and run["deliveries"] == run["expectedDeliveries"],
            f"{run['deliveries']} / {run['expectedDeliveries']}",
        )
    totals = result["totals"]
    verification.check(
        "no failed triggers, no stray deliveries",
        totals["postErrors"] == 0 and totals["strays"] == 0,
        {**totals, "samples": result["postErrorSamples"]},
    )
    if count_rows is not None:
        check_rows(
            verification,
            count_rows(),
            "automated",
            {conversation: totals["triggered"]},
            [conversation],
        )
    deliveries = result["deliveries"]
    seconds = result["seconds"]
    return Run(
        server=server.kind,
        value=deliveries / seconds if seconds > 0 else None,
        cpu_us_per_msg=(cpu1 - cpu0) * 1e6 / deliveries if deliveries else None,
        p50_ms=result["spread"]["p50_ms"],
        p99_ms=result["spread"]["p99_ms"],
        verification=verification,
        details={
            "room": result["roomSize"],
            "messages": result["messages"],
            "inflight": profile.fanout_inflight,
            "seconds": seconds,
            "server_cpu_s": cpu1 - cpu0,
            "server_cpu_pct": (cpu1 - cpu0) * 100 / seconds if seconds > 0 else None,
            "first_to_last_ms": result["spread"],
            "trigger_to_last_ms": result["triggerToLast"],
            "loadgen_cpu_pct": result["loadgen_cpu_pct"],
        },
    )
