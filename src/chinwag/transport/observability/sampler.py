"""Metrics read from state the process keeps anyway, at scrape time (or every few seconds).

The hot paths count with plain integers (``direct_ws.stats``, ``aborts.stats``) and keep the
sockets and rooms they need; nothing there touches prometheus-client. :meth:`Sampler.sample`
turns them into metrics: counters advance by what the integers moved since the last sample,
gauges are set. Under ``PROMETHEUS_MULTIPROC_DIR`` a scrape reaches one process only, so
every process also samples itself periodically (:meth:`Sampler.run`).
"""

from __future__ import annotations

import asyncio
from collections import Counter as Tally

import socketio
from prometheus_client import Counter

from chinwag import metrics
from chinwag.transport.fastpath import direct_ws
from chinwag.transport.socketio import aborts, backpressure
from chinwag.transport.socketio.rooms import NAMESPACE
from chinwag.transport.socketio.sessions import SessionRegistry

ROOM_KINDS = (("room:work:", "work"), ("room:", "conversation"), ("user:", "user"))
SAMPLE_INTERVAL_S = 5.0


def room_kind(name: object) -> str | None:
    """The kind of a room name chinwag makes, or None (a socket's own room)."""
    if isinstance(name, str):
        for prefix, kind in ROOM_KINDS:
            if name.startswith(prefix):
                return kind
    return None


def _aborts() -> dict[str, int]:
    """Sockets this process aborted, by reason."""
    return {
        "slow_consumer": backpressure.stats.slow_consumer_aborts,
        "garbage": aborts.stats.garbage,
    }


class Sampler:
    """Brings the process's plain counters and live state into the Prometheus metrics."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        sessions: SessionRegistry,
        counters: metrics.EventCounters | None = None,
    ) -> None:
        self.sio = sio
        self.sessions = sessions
        self.counters = counters
        self._seen: dict[tuple[int, str], int] = {}
        # Every label value from the start, so a rate over a counter that never moved is 0.
        for reason in _aborts():
            metrics.SOCKETS_ABORTED.labels(reason)
        for path in ("direct", "queued"):
            metrics.SOCKET_WRITES.labels(path)
        for channel, result in (("fanout", "retried"), ("fanout", "lost"), ("control", "lost")):
            metrics.REDIS_PUBLISH_ERRORS.labels(channel, result)

    def sample(self) -> None:
        """Advance the counters and set the gauges (cheap; no await)."""
        if self.counters is not None:
            self.counters.flush()
        self._advance(metrics.SOCKET_WRITES, "direct", direct_ws.stats.direct)
        self._advance(metrics.SOCKET_WRITES, "queued", direct_ws.stats.queued)
        for reason, count in _aborts().items():
            self._advance(metrics.SOCKETS_ABORTED, reason, count)
        self._sockets()
        self._rooms()

    async def run(self) -> None:
        """Sample every few seconds until cancelled (multi-process mode)."""
        while True:
            self.sample()
            await asyncio.sleep(SAMPLE_INTERVAL_S)

    def _advance(self, counter: Counter, label: str, value: int) -> None:
        key = (id(counter), label)
        delta = value - self._seen.get(key, 0)
        if delta > 0:
            counter.labels(label).inc(delta)
        self._seen[key] = value

    def _sockets(self) -> None:
        authenticated = {
            sid for sid, state in self.sessions.sockets.items() if state.principal is not None
        }
        tally: Tally[tuple[str, str]] = Tally()
        manager = self.sio.manager
        for eio_sid, sock in list(self.sio.eio.sockets.items()):
            transport = "websocket" if sock.upgraded else "polling"
            sid = manager.sid_from_eio_sid(eio_sid, NAMESPACE)
            tally[transport, "true" if sid in authenticated else "false"] += 1
        for transport in ("polling", "websocket"):
            for auth in ("true", "false"):
                metrics.SOCKETS.labels(transport, auth).set(tally[transport, auth])

    def _rooms(self) -> None:
        tally: Tally[str] = Tally()
        for name, members in list(self.sio.manager.rooms.get(NAMESPACE, {}).items()):
            kind = room_kind(name)
            if kind is not None and members:
                tally[kind] += 1
        for _prefix, kind in ROOM_KINDS:
            metrics.ROOMS.labels(kind).set(tally[kind])
