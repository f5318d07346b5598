"""chinwag's Prometheus metrics: names, types and (bounded) labels, in one place.

Labels never carry ids: event names come from the contract's operation table (anything else
is ``unknown``), outcomes from its error codes, and the rest are small fixed sets. The objects
are prometheus-client's, so ``PROMETHEUS_MULTIPROC_DIR`` makes them multi-process safe; gauges
say how processes add up. Counting on hot paths goes through :class:`EventCounters`, which
resolves each label set once.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Gauge, Histogram

from chinwag_contract.operations import ERROR_CODES, INBOUND, OUTBOUND_MODELS

UNKNOWN = "unknown"
"""The ``event`` label of any event name the contract does not declare."""
OUTCOMES = ("ok", *ERROR_CODES)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)

SOCKETS = Gauge(
    "chinwag_sockets",
    "Connected Socket.IO sockets by transport and whether they are authenticated.",
    ["transport", "authenticated"],
    multiprocess_mode="livesum",
)
ROOMS = Gauge(
    "chinwag_rooms",
    "Socket.IO rooms with at least one local socket, by kind (conversation, work, user).",
    ["kind"],
    multiprocess_mode="livesum",
)
EVENTS_RECEIVED = Counter(
    "chinwag_events_received_total",
    "Client→server events handled, by event and outcome (ok or the error code replied).",
    ["event", "outcome"],
)
EVENTS_EMITTED = Counter(
    "chinwag_events_emitted_total",
    "Server→client emits by event (a room broadcast counts once).",
    ["event"],
)
EVENT_LATENCY = Histogram(
    "chinwag_event_latency_seconds",
    "From an event's arrival at the gateway to its reply or ack being sent (chat:send: "
    "receive → ack).",
    ["event"],
    buckets=LATENCY_BUCKETS,
)
RATE_LIMITED = Counter(
    "chinwag_rate_limited_total",
    "Events refused with rate_limited, by the limit that was hit (socket or user).",
    ["scope"],
)
GROUP_COMMIT_BATCH = Histogram(
    "chinwag_group_commit_batch_size",
    "Sends stored by one group-commit transaction.",
    buckets=BATCH_BUCKETS,
)
GROUP_COMMIT_SECONDS = Histogram(
    "chinwag_db_group_commit_seconds",
    "Duration of one group-commit transaction (database latency of the send path).",
    buckets=LATENCY_BUCKETS,
)
SOCKET_WRITES = Counter(
    "chinwag_socket_writes_total",
    "Packets written to websockets directly, or left to engine.io's queue.",
    ["path"],
)
SOCKETS_ABORTED = Counter(
    "chinwag_sockets_aborted_total",
    "Sockets this process closed on its own initiative, by reason.",
    ["reason"],
)
CLIENT_GARBAGE = Counter(
    "chinwag_client_garbage_total",
    "Malformed frames and polling bodies received, by what was wrong.",
    ["kind"],
)
REDIS_PUBLISH_ERRORS = Counter(
    "chinwag_redis_publish_errors_total",
    "Failed Redis publishes: fan-out retried, fan-out lost, or control channel.",
    ["channel", "result"],
)


def event_label(event: str) -> str:
    """The ``event`` label for a wire event name: itself when the contract declares it."""
    return event if event in INBOUND or event in OUTBOUND_MODELS else UNKNOWN


class EventCounters:
    """Per-event counting for the send path: plain integers, pushed into the counters by
    :meth:`flush` (at scrape time, see ``transport.observability.sampler``), and one histogram
    observation per event. Label sets are resolved once, here."""

    def __init__(self) -> None:
        events = [*INBOUND, UNKNOWN]
        self._received = {
            (event, outcome): EVENTS_RECEIVED.labels(event, outcome)
            for event in events
            for outcome in OUTCOMES
        }
        self._emitted = {event: EVENTS_EMITTED.labels(event) for event in [*OUTBOUND_MODELS]}
        self.received = dict.fromkeys(self._received, 0)
        self.emitted = dict.fromkeys(self._emitted, 0)
        self._flushed_received = dict(self.received)
        self._flushed_emitted = dict(self.emitted)
        self.latency = {event: EVENT_LATENCY.labels(event) for event in events}
        self.rate_limited = {scope: RATE_LIMITED.labels(scope) for scope in ("socket", "user")}

    def handled(self, event: str, outcome: str, seconds: float) -> None:
        """One client→server event was answered with ``outcome`` after ``seconds``."""
        key = event if event in self.latency else UNKNOWN
        self.received[key, outcome if outcome in OUTCOMES else "internal"] += 1
        self.latency[key].observe(seconds)

    def emitted_once(self, event: str) -> None:
        """One server→client emit of ``event``."""
        if event in self.emitted:
            self.emitted[event] += 1

    def flush(self) -> None:
        """Advance the Prometheus counters by what the integers moved since the last flush."""
        _advance(self.received, self._flushed_received, self._received)
        _advance(self.emitted, self._flushed_emitted, self._emitted)


def _advance(current: dict[Any, int], flushed: dict[Any, int], counters: dict[Any, Any]) -> None:
    for key, value in current.items():
        delta = value - flushed[key]
        if delta:
            counters[key].inc(delta)
            flushed[key] = value


def observe_group_commit(sends: int, seconds: float) -> None:
    """One group commit stored ``sends`` sends in ``seconds`` (``Database``'s ``on_batch``)."""
    GROUP_COMMIT_BATCH.observe(sends)
    GROUP_COMMIT_SECONDS.observe(seconds)
