"""New connections start a few per turn of the event loop, so a storm of them cannot stall acks.

A handshake flood (thousands of sockets connecting at once) reaches the server as thousands of
connections readable in the same turn of the event loop. Handled as they come, each one's
HTTP parsing, websocket upgrade and engine.io handshake runs back to back with the others':
one turn of the loop took 150-400 ms, and every ack of the users who chat waited behind it.

:class:`TurnGate` lets :data:`PER_TURN` new connections start per turn and queues the rest in
arrival order; :func:`paced_http_protocol` puts it in front of uvicorn's HTTP protocol (the
public ``http=`` protocol class of ``uvicorn.Config``). A connection's first bytes are held
(reading paused) until the gate lets it start; from then on it is uvicorn's protocol as usual.
The storm is still admitted as fast as the CPU allows, but a turn stays a few milliseconds
long and the users' work gets its share of every turn. On a quiet server nothing waits.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

from chinwag.logs import get_logger

PER_TURN = 1
"""New connections started per turn of the event loop; the rest wait for the next turns."""

log = get_logger("chinwag.sockets")


class TurnGate:
    """Runs at most ``per_turn`` callbacks per turn of the event loop, in arrival order."""

    __slots__ = ("_queue", "_scheduled", "_started", "per_turn")

    def __init__(self, per_turn: int = PER_TURN) -> None:
        self.per_turn = per_turn
        self._started = 0
        self._scheduled = False
        self._queue: deque[tuple[Callable[..., None], tuple[Any, ...]]] = deque()

    @property
    def waiting(self) -> int:
        """Callbacks queued for a later turn."""
        return len(self._queue)

    def admit_now(self) -> bool:
        """Whether this turn has room (then it is taken); if not, use :meth:`later`."""
        if self._started < self.per_turn and not self._queue:
            self._started += 1
            self._schedule()
            return True
        return False

    def later(self, callback: Callable[..., None], *args: Any) -> None:
        """Run ``callback(*args)`` in a later turn, after the callbacks queued before it."""
        self._queue.append((callback, args))
        self._schedule()

    def _schedule(self) -> None:
        # A callback scheduled now runs in the next turn of the loop: that turn's share.
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._next_turn)

    def _next_turn(self) -> None:
        self._scheduled = False
        self._started = 0
        while self._queue and self._started < self.per_turn:
            callback, args = self._queue.popleft()
            self._started += 1
            try:
                callback(*args)
            except Exception:  # one connection's fault must not stall the others
                log.exception("starting a connection failed")
        if self._queue:
            self._schedule()


def paced_http_protocol(gate: TurnGate) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol class (httptools when installed), its connections started
    through ``gate``."""

    class PacedHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
        """Holds a new connection's first bytes until ``gate`` lets it start."""

        _paced: str = "new"
        """new → (waiting →) started, or lost while waiting."""

        def connection_made(self, transport: Any) -> None:
            # uvloop starts reading only after this returns, so the gate decides on the
            # first data: that is where a connection's work begins.
            self._paced_transport = transport

        def data_received(self, data: bytes) -> None:
            if self._paced == "started":
                super().data_received(data)
            elif self._paced == "new":
                if gate.admit_now():
                    self._start(data, False)
                else:
                    self._paced = "waiting"
                    self._paced_transport.pause_reading()
                    gate.later(self._start, data, True)

        def _start(self, data: bytes, paused: bool) -> None:
            if self._paced == "lost":
                return
            transport, self._paced_transport = self._paced_transport, None
            self._paced = "started"
            if paused:  # before uvicorn runs: it may pause reading itself (flow control)
                transport.resume_reading()
            super().connection_made(transport)
            super().data_received(data)

        def connection_lost(self, exc: Exception | None) -> None:
            if self._paced == "started":
                super().connection_lost(exc)
            else:  # uvicorn never saw it
                self._paced = "lost"
                self._paced_transport = None

    return PacedHTTPProtocol
