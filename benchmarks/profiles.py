"""Run lengths and sizes: ``--quick`` (< 2 minutes in all) and the full run."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: The server runs on this core, the load generator on the other (the machine has two).
SERVER_CORE = 0
LOADGEN_CORE = 1


@dataclass(frozen=True)
class Profile:
    """How long and how big each scenario is."""

    name: str
    #: (a): connection counts; one conversation per pair of connections, every connection sends.
    send_connections: tuple[int, ...]
    #: (a), (d): load before the measured window (connections warm, caches filled).
    warmup_s: float
    #: (a), (d): the measured window.
    window_s: float
    #: (b): sockets in the room, messages before the measured ones, measured messages, in flight.
    fanout_room: int
    fanout_warmup_messages: int
    fanout_messages: int
    fanout_inflight: int
    #: (c): idle authenticated sockets; seconds to settle before RSS is read.
    idle_sockets: int
    idle_settle_s: float
    #: (d): connections, half on each process (one pair per conversation, across the processes).
    cross_connections: int
    #: A run that has not drained its acks and deliveries by then fails its verification.
    drain_timeout_s: float = 15.0
    connect_concurrency: int = 50
    text: str = "benchmark message"
    #: Pin the server and the load generator to their cores (the smoke test does not).
    pin: bool = True
    #: (e): authenticated sockets on one process (capped by the open-files limit), the share of
    #: them chatting in closed loop, and the loopback source addresses the sockets take turns on.
    scale_sockets: int = 200
    scale_chat_fraction: float = 0.01
    scale_source_addresses: tuple[str, ...] = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")
    #: (f): unauthenticated sockets opened at once, chatting connections meanwhile, and the
    #: server's authentication deadline for the run (CHINWAG_AUTH_DEADLINE_S).
    flood_sockets: int = 100
    flood_chat_connections: int = 20
    flood_deadline_s: float = 2.0

    @property
    def server_core(self) -> int | None:
        """The core servers are pinned to, or None."""
        return SERVER_CORE if self.pin else None

    @property
    def loadgen_core(self) -> int | None:
        """The core the load generator is pinned to, or None."""
        return LOADGEN_CORE if self.pin else None

    def to_json(self) -> dict[str, Any]:
        """The form stored in results.json."""
        return asdict(self)


QUICK = Profile(
    name="quick",
    send_connections=(1, 10, 100),
    warmup_s=0.5,
    window_s=1.5,
    fanout_room=500,
    fanout_warmup_messages=5,
    fanout_messages=40,
    fanout_inflight=2,
    # 5,000 sockets take ~25 s per server to open on a busy machine; quick checks the trend.
    idle_sockets=2000,
    idle_settle_s=1.0,
    cross_connections=100,
    scale_sockets=2000,
    flood_sockets=300,
)

FULL = Profile(
    name="full",
    send_connections=(1, 10, 100),
    warmup_s=2.0,
    window_s=10.0,
    fanout_room=500,
    fanout_warmup_messages=20,
    fanout_messages=400,
    fanout_inflight=2,
    idle_sockets=5000,
    idle_settle_s=3.0,
    cross_connections=100,
    scale_sockets=20000,
    flood_sockets=2000,
)

#: The smoke test's profile: one pair of connections, a fraction of a second.
SMOKE = Profile(
    name="smoke",
    send_connections=(2,),
    warmup_s=0.2,
    window_s=0.5,
    fanout_room=20,
    fanout_warmup_messages=2,
    fanout_messages=10,
    fanout_inflight=2,
    idle_sockets=50,
    idle_settle_s=0.2,
    cross_connections=4,
    pin=False,
)
