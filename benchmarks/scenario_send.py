"""Scenarios (a) and (d): closed-loop ``chat:send`` → ``chat:ack``, one conversation per pair.

(a) puts every connection on one server; (d) puts the two ends of each pair on two processes joined
by Redis, so every ``chat:new`` crosses processes.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks import profiling
from benchmarks.loadgen import LoadGen
from benchmarks.profiles import Profile
from benchmarks.results import Run
from benchmarks.seeding import Seeder
from benchmarks.servers import BASELINE, Server
from benchmarks.verify import RowCounts, Verification, check_rows, check_send


def plan(
    seeders: Sequence[Seeder], servers: Sequence[Server], connections: int, tag: str
) -> dict[str, Any]:
    """Create the conversations and say which user connects where.

    Connection ``i`` is user ``<tag>-u<i>`` in conversation ``i // 2``; with several servers, the
    two ends of a pair go to different ones. An odd last connection's partner never connects.
    ``seeders[0]`` creates the state; the others (baseline only) are told about it.
    """
    campaign = seeders[0].campaign(f"bench {tag}", [])
    conversations = []
    placements = []
    for pair in range((connections + 1) // 2):
        users = [f"{tag}-u{2 * pair}", f"{tag}-u{2 * pair + 1}"]
        cid = seeders[0].conversation(campaign, users)
        for other in seeders[1:]:
            other.conversation(campaign, users, conversation_id=cid)
        conversations.append({"id": cid, "participants": users})
        for end, user in enumerate(users):
            if 2 * pair + end < connections:
                server = servers[end % len(servers)]
                placements.append(
                    {"url": server.url, "user": user, "conversationId": cid, "sends": True}
                )
    return {"conversations": conversations, "connections": placements}


def run_send(
    servers: Sequence[Server],
    profile: Profile,
    connections: int,
    secret: str,
    workdir: Path,
    count_rows: Callable[[], RowCounts] | None = None,
    rate_of: str = "acks",
) -> Run:
    """Drive ``connections`` closed-loop senders; the figure is ``rate_of`` (acks or news) per s.

    CPU is summed over ``servers``; ``count_rows`` (chinwag only) reads the stored messages back.
    """
    kind = servers[0].kind
    tag = f"{kind[:2]}{connections}x{secrets.token_hex(3)}"
    # chinwag's processes share one database; baseline processes each need to be told.
    urls = [s.url for s in servers] if kind == BASELINE else [servers[0].url]
    seeders = [Seeder(url, secret) for url in urls]
    try:
        layout = plan(seeders, servers, connections, tag)
    finally:
        for seeder in seeders:
            seeder.close()
    config = {
        "mode": "send",
        "secret": secret,
        "text": profile.text,
        "connectConcurrency": profile.connect_concurrency,
        "connectTimeoutMs": 20000,
        "drainTimeoutMs": int(profile.drain_timeout_s * 1000),
        "lifetimeMs": int((profile.warmup_s + profile.window_s + 180) * 1000),
        # Across processes the ack is local and does not wait for Redis: without this gate the
        # senders outrun the subscriber and the backlog (not the rate) grows.
        "gateOnDelivery": rate_of == "news",
        **layout,
    }
    with LoadGen(config, workdir, profile.loadgen_core, f"send-{tag}") as gen:
        gen.expect("ready", 120)
        gen.request("start", "started", 10)
        time.sleep(profile.warmup_s)
        with profiling.sampled(servers, f"send-{tag}", profile.window_s):
            gen.request("mark", "marked", 10)
            cpu0 = sum(s.cpu_seconds() for s in servers)
            time.sleep(profile.window_s)
            cpu1 = sum(s.cpu_seconds() for s in servers)
        result = gen.request("stop", "result", profile.drain_timeout_s * 2 + 30)
    window = result["window"]
    seconds = window["seconds"]
    counted = window[rate_of]
    verification = Verification()
    check_send(verification, result, connections)
    if count_rows is not None:
        check_rows(
            verification,
            count_rows(),
            "user",
            result["acksPerConversation"],
            [c["id"] for c in layout["conversations"]],
        )
    # Cross-process runs are about chat:new, so their latency is send → chat:new at the peer.
    latency = window["newLatency" if rate_of == "news" else "latency"]
    return Run(
        server=kind,
        value=counted / seconds if seconds > 0 else None,
        cpu_us_per_msg=(cpu1 - cpu0) * 1e6 / counted if counted else None,
        p50_ms=latency["p50_ms"],
        p99_ms=latency["p99_ms"],
        verification=verification,
        details={
            "connections": connections,
            "conversations": len(layout["conversations"]),
            "window_s": seconds,
            "window": window,
            "server_cpu_s": cpu1 - cpu0,
            "server_cpu_pct": (cpu1 - cpu0) * 100 / seconds if seconds > 0 else None,
            "totals": result["totals"],
            "expected": result["expected"],
        },
    )
