"""The python-socketio server and its ASGI app, configured from settings."""

from __future__ import annotations

import logging
from collections.abc import Callable

import socketio
from starlette.types import ASGIApp

from chinwag.config import Settings
from chinwag.transport import fastpath
from chinwag.transport.socketio import backpressure
from chinwag.transport.socketio.session_ids import SessionIds


def build_socketio(
    settings: Settings, user_of: Callable[[str], str | None]
) -> socketio.AsyncServer:
    """The Socket.IO server: orjson, the configured buffer, Redis fan-out when configured,
    every socket's outbound buffer bounded (``backpressure``; ``user_of`` names a socket's user
    in its abort line).

    Installs the fast path first (once per process; it stays off when a library moved).
    """
    fastpath.install()
    sio = socketio.AsyncServer(
        async_mode="asgi",
        client_manager=fastpath.manager(settings.redis_url),
        json=fastpath.orjson_module,
        serializer=fastpath.packet_class(),
        cors_allowed_origins="*" if settings.cors_origins == ["*"] else settings.cors_origins,
        max_http_buffer_size=settings.max_http_buffer_size,
        logger=_library_logger("socketio.server"),
        engineio_logger=_library_logger("engineio.server"),
    )
    backpressure.install(sio, settings.max_socket_buffer, user_of)
    # engine.io's public id hook, also used by python-socketio for its session ids.
    sio.eio.generate_id = SessionIds()
    return sio


def _library_logger(name: str) -> logging.Logger:
    """The library's logger, errors only unless configured otherwise, through the root
    handlers (given ``False``, the libraries add a plain handler of their own)."""
    logger = logging.getLogger(name)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.ERROR)
    return logger


def asgi_app(sio: socketio.AsyncServer) -> ASGIApp:
    """The ASGI app serving ``sio`` (mounted at ``/socket.io`` by chinwag's app).

    It answers every request routed to it: engine.io's own path check compares the full
    ``scope["path"]``, which under a host's prefix (``/chat/socket.io/``) never matches, while
    the ``Mount`` in front of it has already matched the path relative to chinwag's app.
    """
    app: ASGIApp = socketio.ASGIApp(sio, socketio_path=None)
    return app
