"""Slow readers: every socket's outbound buffer is bounded (PROTOCOL.md, "Slow readers").

A client that stops reading (a phone in a tunnel, a hostile client, a polling client that stops
polling) makes everything sent to it wait in the server: python-engineio and python-socketio
buffer without bound. Here each engine.io socket gets an
:class:`~chinwag.transport.socketio.outbound_queue.OutboundQueue` that counts what waits for it
(queued in engine.io, taken by its writer or long-poll, and, with the fast path on, in the TCP
transport's write buffer). When that passes ``CHINWAG_MAX_SOCKET_BUFFER`` the socket is aborted
at once: its queue is dropped, its TCP connection aborted (websocket, fast path on), and engine.io
closes it without waiting for its queue, which runs the usual disconnect (rooms left, session
forgotten). Its buffer is full, so no notice could reach it; the client reconnects and catches up
with ``chat:sync``. Each abort logs one warning and counts in :data:`stats` (reason
``slow_consumer``).

With the fast path off (a library moved, see ``chinwag.transport.fastpath``) the queue is still
bounded and the socket still closed for Socket.IO, but chinwag cannot reach the websocket's TCP
transport: engine.io's writer stays blocked in uvicorn's ``send`` (which waits while the transport
is paused) until the client reads or the connection drops, holding at most the last batch it took
(≤ the bound) plus uvicorn's write buffer (its high-water mark, 64 KiB, plus one frame).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import socketio

from chinwag.transport import fastpath
from chinwag.transport.socketio.outbound_queue import OutboundQueue

__all__ = ["BackpressureStats", "SlowConsumerGuard", "install", "stats"]

log = logging.getLogger("chinwag.backpressure")

SLOW_CONSUMER = "slow_consumer"
"""The reason sockets aborted here are counted and logged with."""


class BackpressureStats:
    """Sockets aborted for being slow consumers, and the bytes waiting for them (this process).

    The operations exporter reads ``slow_consumer_aborts`` as a counter with reason
    ``slow_consumer``.
    """

    __slots__ = ("slow_consumer_aborts", "slow_consumer_bytes")

    def __init__(self) -> None:
        self.slow_consumer_aborts = 0
        self.slow_consumer_bytes = 0


stats = BackpressureStats()


class SlowConsumerGuard:
    """Makes every engine.io socket's queue of ``sio`` an :class:`OutboundQueue` bounded by
    ``limit`` bytes, and aborts the socket whose queue overflows; ``user_of`` names a socket's
    user in the abort's log line."""

    def __init__(
        self, sio: socketio.AsyncServer, limit: int, user_of: Callable[[str], str | None]
    ) -> None:
        self.sio = sio
        self.limit = limit
        self.user_of = user_of
        self._closing: set[asyncio.Task[None]] = set()

    def create_queue(self, *args: Any, **kwargs: Any) -> OutboundQueue:
        """engine.io's ``create_queue`` for socket queues (it makes no other queue)."""
        return OutboundQueue(self.limit, self.overflow)

    def overflow(self, queue: OutboundQueue, pending: int) -> None:
        """Abort the socket behind ``queue`` now; called (once) from inside ``put_nowait``,
        so nothing here awaits: engine.io's close runs in a task."""
        queue.discard()
        sock = queue.socket or self._socket_of(queue)
        stats.slow_consumer_aborts += 1
        stats.slow_consumer_bytes += pending
        sid = self._sid_of(sock)
        log.warning(
            "socket aborted (%s): sid=%s user=%s buffered=%d bytes, limit=%d",
            SLOW_CONSUMER,
            sid,
            (self.user_of(sid) if sid else None) or "-",
            pending,
            self.limit,
        )
        if sock is None:  # not registered yet (inside the handshake): nothing more to close
            return
        fastpath.abort_transport(sock)
        task = asyncio.get_running_loop().create_task(self._close(sock))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _socket_of(self, queue: OutboundQueue) -> Any:
        """The engine.io socket that owns ``queue`` (a search, on overflow only)."""
        sockets: dict[str, Any] = getattr(self.sio.eio, "sockets", {})
        return next((s for s in list(sockets.values()) if s.queue is queue), None)

    def _sid_of(self, sock: Any) -> str | None:
        if sock is None:
            return None
        with contextlib.suppress(Exception):
            sid: str | None = self.sio.manager.sid_from_eio_sid(sock.sid, "/")
            return sid
        return None

    async def _close(self, sock: Any) -> None:
        # abort=True: no CLOSE packet, and wait=False: never wait for a queue nobody reads.
        with contextlib.suppress(Exception):
            await sock.close(wait=False, abort=True, reason=sock.server.reason.TRANSPORT_ERROR)


def install(
    sio: socketio.AsyncServer, limit: int, user_of: Callable[[str], str | None]
) -> SlowConsumerGuard | None:
    """Bound the outbound buffer of every socket of ``sio`` to ``limit`` bytes (0: unbounded,
    engine.io's stock queue); ``user_of`` maps a Socket.IO sid to its user for the log."""
    if limit <= 0:
        return None
    guard = SlowConsumerGuard(sio, limit, user_of)
    # create_queue is engine.io's public factory for its sockets' queues.
    sio.eio.create_queue = guard.create_queue
    return guard
