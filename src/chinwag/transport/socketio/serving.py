"""uvicorn with chinwag's graceful shutdown in front of its own."""

from __future__ import annotations

import logging
import math
import socket
import time

import uvicorn

from chinwag.transport.socketio.gateway import Gateway

log = logging.getLogger("chinwag.serving")


class ChinwagServer(uvicorn.Server):
    """On SIGTERM/SIGINT: stop accepting, drain in-flight events, announce, close sockets.

    uvicorn alone would close websockets at once (in-flight sends lose their ack) and wait
    for long-polling requests to time out. Here the listeners close first, the gateway
    finishes what it is handling (bounded by the shutdown deadline), every socket gets
    ``server:shutdown``, and the sockets are closed before uvicorn's own shutdown runs.
    """

    def __init__(self, config: uvicorn.Config, gateway: Gateway) -> None:
        super().__init__(config)
        self.gateway = gateway

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        started = time.monotonic()
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        try:
            await self.gateway.shutdown("shutdown")
        except Exception:  # never let a drain fault block the exit
            log.exception("graceful drain failed")
        # What is left are plain HTTP requests (REST, and long-polls of clients already gone,
        # which engine.io never answers): they get the rest of the deadline, at least 1 s, so
        # the whole exit stays within the deadline rather than twice it.
        deadline = self.gateway.settings.shutdown_deadline_s
        remaining = deadline - (time.monotonic() - started)
        self.config.timeout_graceful_shutdown = max(1, math.ceil(remaining))
        await super().shutdown(sockets=None)
