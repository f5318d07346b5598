"""Scenario (f): a handshake flood while authenticated users chat.

Closed-loop senders chat through a quiet window (its p99 ack latency is the reference); then a
second load generator opens ``flood_sockets`` sockets at once that never authenticate, and the
senders' p99 over the flood window (from the storm to the last socket closed) is compared with
the quiet one. chinwag must close every unauthenticated socket at its deadline
(``CHINWAG_AUTH_DEADLINE_S``, small here) and its memory must come back to the level before the
flood. The bare server admits only handshake-authenticated sockets, so it refuses the flood's
sockets in their handshake: its figure is the cost of the storm alone.
"""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import profiling
from benchmarks.loadgen import LoadGen
from benchmarks.profiles import Profile
from benchmarks.results import Run
from benchmarks.scenario_send import plan
from benchmarks.seeding import Seeder
from benchmarks.servers import CHINWAG, Server
from benchmarks.verify import Verification, check_send

#: A socket closed this much after the deadline still counts as closed "at" it (the server
#: checks deadlines on a timer, and 2,000 closes take a while on one busy core).
DEADLINE_SLACK_S = 1.5
#: The load generator times a socket from its own ``connect`` event, which it may handle late
#: while thousands of handshakes complete at once: a lifetime this much under the deadline
#: still means "not before it".
CLIENT_LAG_S = 0.5
#: RSS after the flood may exceed RSS before it by this much (allocator arenas, caches).
RSS_SLACK_BYTES = 8 * 1024 * 1024
#: Waits after the flood before RSS is read again.
SETTLE_S = 3.0


class RssPeak:
    """Samples a server's RSS every 50 ms in a thread while in use."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peak = server.rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.server.rss_bytes())

    def __enter__(self) -> RssPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_flood(server: Server, profile: Profile, secret: str, workdir: Path) -> Run:
    """Quiet window, then the flood window; the figure is p99 flood / p99 quiet."""
    n = profile.flood_chat_connections
    tag = f"fl{server.kind[:2]}{secrets.token_hex(3)}"
    seeder = Seeder(server.url, secret)
    try:
        layout = plan([seeder], [server], n, tag)
    finally:
        seeder.close()
    hold_ms = int((profile.flood_deadline_s + DEADLINE_SLACK_S + 2.0) * 1000)
    chat_config = {
        "mode": "send",
        "secret": secret,
        "text": profile.text,
        "connectConcurrency": profile.connect_concurrency,
        "connectTimeoutMs": 20000,
        "drainTimeoutMs": int(profile.drain_timeout_s * 1000),
        "lifetimeMs": 600000,
        "gateOnDelivery": False,
        **layout,
    }
    flood_config = {
        "mode": "flood",
        "url": server.url,
        "lifetimeMs": 600000,
        "connectTimeoutMs": 60000,
        "localAddresses": list(profile.scale_source_addresses),
    }
    with (
        LoadGen(chat_config, workdir, profile.loadgen_core, f"flood-chat-{tag}") as chat,
        LoadGen(flood_config, workdir, profile.loadgen_core, f"flood-{tag}") as flooder,
    ):
        chat.expect("ready", 120)
        flooder.expect("ready", 30)
        chat.request("start", "started", 10)
        time.sleep(profile.warmup_s)
        # A first flood, not measured: it takes the allocator to its high-water mark (CPython
        # keeps freed arenas), so the measured one shows what a flood leaves behind, if anything.
        warm = flood(flooder, profile.flood_sockets, hold_ms)
        time.sleep(SETTLE_S)
        chat.request("mark", "marked", 10)
        time.sleep(profile.window_s)
        quiet = chat.request("sample", "sample", 30)
        rss_before = server.rss_bytes()
        # --py-spy: the server's stacks over the storm and the closes (hold_ms covers both).
        with RssPeak(server) as peak, profiling.sampled([server], "f-flood", hold_ms / 1000):
            flooded = flood(flooder, profile.flood_sockets, hold_ms)
            during = chat.request("sample", "sample", 30)
        time.sleep(SETTLE_S)
        rss_after = server.rss_bytes()
        result = chat.request("stop", "result", profile.drain_timeout_s * 2 + 30)
    verification = Verification()
    check_send(verification, result, n)
    if server.kind == CHINWAG:
        _check_deadline(verification, warm, profile, "first flood")
        _check_deadline(verification, flooded, profile, "measured flood")
        verification.check(
            "RSS back to its level before the flood",
            rss_after - rss_before <= RSS_SLACK_BYTES,
            {"before": rss_before, "peak": peak.peak, "after": rss_after},
        )
    p99_quiet = quiet["latency"]["p99_ms"]
    p99_flood = during["latency"]["p99_ms"]
    return Run(
        server=server.kind,
        value=p99_flood / p99_quiet if p99_quiet and p99_flood else None,
        p50_ms=during["latency"]["p50_ms"],
        p99_ms=p99_flood,
        verification=verification,
        details={
            "p99_quiet_ms": p99_quiet,
            "p99_flood_ms": p99_flood,
            "quiet": quiet,
            "flood_window": during,
            "flood": flooded,
            "first_flood": warm,
            "deadline_s": profile.flood_deadline_s,
            "rss_before_bytes": rss_before,
            "rss_peak_bytes": peak.peak,
            "rss_after_bytes": rss_after,
            "totals": result["totals"],
        },
    )


def flood(flooder: LoadGen, count: int, hold_ms: int) -> dict[str, Any]:
    """Open ``count`` unauthenticated sockets at once; what became of them."""
    return flooder.request("flood", "flooded", hold_ms / 1000 + 120, count=count, holdMs=hold_ms)


def _check_deadline(
    verification: Verification, flooded: dict[str, Any], profile: Profile, which: str
) -> None:
    deadline_ms = profile.flood_deadline_s * 1000

    def check(name: str, ok: bool, detail: Any) -> None:
        verification.check(f"{which}: {name}", ok, detail)

    check(
        "every unauthenticated socket connected and was closed by the server",
        flooded["connected"] == flooded["count"] == flooded["closedByServer"],
        {k: flooded[k] for k in ("count", "connected", "closedByServer", "closedByUs")},
    )
    first, last = flooded["lifetimeMinMs"], flooded["lifetimeMaxMs"]
    check(
        "closed at the deadline (not before, at most the slack after)",
        first is not None
        and last is not None
        and first >= deadline_ms - CLIENT_LAG_S * 1000
        and last <= deadline_ms + DEADLINE_SLACK_S * 1000,
        {"deadline_ms": deadline_ms, "first_ms": first, "last_ms": last},
    )
