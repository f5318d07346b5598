"""Wires operations into one process: metrics, garbage handling, readiness, Admin UI.

Built by ``chinwag.bootstrap.build_runtime`` after the gateway, with the per-event counters it
gave the gateway's observer, the transport and the database; ``chinwag.app`` mounts its
routes (``/metrics`` when metrics are on, ``/ready``), wraps the Socket.IO app in its edge and
runs :meth:`Operations.running` in the lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import socketio
from starlette.routing import Route
from starlette.types import ASGIApp

from chinwag.config import Settings
from chinwag.metrics import EventCounters
from chinwag.transport.observability import admin_ui
from chinwag.transport.observability.edge import SocketIOEdge, guard_messages
from chinwag.transport.observability.exposition import MetricsEndpoint
from chinwag.transport.observability.garbage import GarbageMonitor
from chinwag.transport.observability.library_logs import install_filter
from chinwag.transport.observability.readiness import Pingable, Readiness
from chinwag.transport.observability.sampler import Sampler
from chinwag.transport.socketio.gateway import Gateway
from chinwag.transport.socketio.rooms import NAMESPACE


class Operations:
    """What one process exposes to the people who run it."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        gateway: Gateway,
        database: Pingable,
        settings: Settings,
        counters: EventCounters | None,
    ) -> None:
        self.sio = sio
        self.settings = settings
        self.metrics: MetricsEndpoint | None = None
        if counters is not None:
            self.metrics = MetricsEndpoint(Sampler(sio, gateway.sessions, counters))
        self._sessions = gateway.sessions
        self._closing: set[asyncio.Future[None]] = set()
        self.monitor = GarbageMonitor(settings, self._who_is, self._close, self._alive)
        guard_messages(sio, self.monitor)
        install_filter(self.monitor)
        self.readiness = Readiness(database, settings.redis_url, lambda: gateway.drain.closing)
        self.admin_ui = admin_ui.instrument(sio, settings)

    def routes(self) -> list[Route]:
        """``/ready``, and ``/metrics`` when metrics are on."""
        routes = [Route("/ready", self.readiness.respond, methods=["GET"])]
        if self.metrics is not None:
            routes.append(Route("/metrics", self.metrics.respond, methods=["GET"]))
        return routes

    def wrap(self, socketio_app: ASGIApp) -> ASGIApp:
        """The Socket.IO app behind the garbage-catching edge."""
        return SocketIOEdge(socketio_app, self.monitor, self.settings.max_http_buffer_size)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """For the app's lifespan: periodic sampling (multi-process), then cleanup."""
        try:
            if self.metrics is None:
                yield
            else:
                async with self.metrics.running():
                    yield
        finally:
            await self.readiness.close()

    def _who_is(self, eio_sid: str) -> tuple[str | None, str | None]:
        sid = self.sio.manager.sid_from_eio_sid(eio_sid, NAMESPACE)
        return sid, self._sessions.user_of(sid) if sid else None

    def _alive(self, eio_sid: str) -> bool:
        return eio_sid in self.sio.eio.sockets

    def _close(self, eio_sid: str) -> None:
        task = asyncio.ensure_future(self.sio.eio.disconnect(eio_sid))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
