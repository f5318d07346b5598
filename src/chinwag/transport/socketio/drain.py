"""Graceful shutdown of the Socket.IO side: count events in flight, drain them, close sockets."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import socketio

from chinwag.config import Settings
from chinwag.transport.socketio.auth_lifecycle import DISCONNECT_GRACE_S
from chinwag.transport.socketio.rooms import SocketIOTransport
from chinwag.transport.socketio.sessions import SessionRegistry
from chinwag_contract.emitter import dump_payload

log = logging.getLogger("chinwag.gateway")


class Drain:
    """Knows when no event is in flight, and closes every socket of this process."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        transport: SocketIOTransport,
        sessions: SessionRegistry,
        settings: Settings,
    ) -> None:
        self.sio = sio
        self.transport = transport
        self.sessions = sessions
        self.settings = settings
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        #: Set when the shutdown starts: from then on connections and events are refused.
        self.closing = False

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        """Count one client→server event as in flight while the block runs."""
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def shutdown(self, reason: str) -> None:
        """Finish in-flight events, announce, and close every socket, within the deadline.

        From the first moment, new events are refused with ``unavailable`` (nothing done, so
        a client retries them elsewhere with the same clientNonce): under continuous load the
        in-flight count would otherwise never reach zero, and a send handled after the drain
        could be stored without its ack reaching the client.
        """
        self.closing = True
        loop = asyncio.get_running_loop()
        end = loop.time() + self.settings.shutdown_deadline_s
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=max(0.0, end - loop.time()))
        except TimeoutError:
            log.error("shutdown deadline passed with %d event(s) in flight", self._in_flight)
        # Let the acknowledgement packets of the last handlers leave before the announcement.
        await asyncio.sleep(DISCONNECT_GRACE_S)
        sids = list(self.sessions.sockets)
        if sids:
            data = dump_payload("server:shutdown", {"reason": reason})
            await self.transport.emit_to_sockets("server:shutdown", data, sids)
        await self._close_sockets(max(0.5, end - loop.time()))

    async def _close_sockets(self, within_s: float) -> None:
        """Close every engine.io socket once its queued packets are out (within ``within_s``).

        Closing at the engine.io level (not a Socket.IO DISCONNECT) makes clients see a
        transport close and reconnect by themselves. Each close waits for its queue to drain
        so acks and ``server:shutdown`` are not cut off; a polling client that vanished never
        drains (no GET left to carry the packets), hence the bound.
        """
        eio = self.sio.eio
        closes = [
            asyncio.ensure_future(sock.close(reason=eio.reason.SERVER_DISCONNECT))
            for sock in list(eio.sockets.values())
        ]
        if not closes:
            return
        _done, pending = await asyncio.wait(closes, timeout=within_s)
        for task in pending:
            task.cancel()
