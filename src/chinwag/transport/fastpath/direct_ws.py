"""Direct websocket writes: a frame goes straight to the TCP transport of an idle socket.

python-engineio sends every packet through the socket's queue and its writer task; the writer
hands it to the ASGI ``send`` of uvicorn's websocket protocol, which frames it and calls
``transport.write``. When the socket's writer is idle (waiting on an empty queue), everything
queued before has already been written, so writing the frame ourselves, at once, keeps the
order and skips the queue, the writer's wake-up and the ASGI layers. A server frame is not
masked: a room broadcast builds its frame once and writes the same bytes to every recipient.

The direct path is taken only when all of this holds, otherwise the packet takes
engine.io's queue exactly as before:

- the websocket is served by uvicorn's ``websockets-sansio`` protocol (uvicorn's default when
  ``websockets`` is installed) and engine.io was handed that protocol's own ``send`` (chinwag's
  app routes Socket.IO websockets around Starlette's middleware for this; mounted in another
  app, the host's middleware wraps ``send`` and is not bypassed);
- the connection negotiated no extension (permessage-deflate off, chinwag's default);
- the engine.io socket is upgraded (not upgrading, closing or closed) and its ping has not
  timed out;
- its queue is empty and its writer is waiting on it (the flag :func:`writer_waiting` sets);
- uvicorn's side is open (no close sent, not disconnected) and writable (a paused transport
  leaves backpressure to the writer, as before).

The hooks into engine.io's socket class are in :mod:`chinwag.transport.fastpath.engineio_patches`.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from typing import Any

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import (
        WebSocketsSansIOProtocol as _SansIO,
    )
except ImportError:  # the canary reports it and keeps the fast path off
    _SansIO = None  # type: ignore[assignment,misc]

__all__ = [
    "DirectStats",
    "abort_transport",
    "client_gone",
    "remember_protocol",
    "sansio_protocol",
    "stats",
    "text_frame",
    "transport_backlog",
    "write_frame",
]

PROTOCOL = "_chinwag_ws_protocol"
"""Attribute of an engine.io socket: the uvicorn protocol frames may be written to, or None."""
WRITER_IDLE = "_chinwag_writer_idle"
"""Attribute of an engine.io socket: True while its websocket writer waits on an empty queue."""


class DirectStats:
    """Packets written directly, and packets left to engine.io's queue (this process)."""

    __slots__ = ("direct", "queued")

    def __init__(self) -> None:
        self.direct = 0
        self.queued = 0


stats = DirectStats()


def text_frame(payload: str) -> bytes:
    """One final, unmasked websocket text frame carrying ``payload`` (RFC 6455 §5.2)."""
    data = payload.encode()
    size = len(data)
    if size < 126:
        return struct.pack("!BB", 0x81, size) + data
    if size < 65536:
        return struct.pack("!BBH", 0x81, 126, size) + data
    return struct.pack("!BBQ", 0x81, 127, size) + data


def client_gone(sock: Any) -> bool:
    """engine.io's own test (``AsyncSocket.check_ping_timeout``): a ping was sent and its
    answer is overdue. Its ``send`` then closes the socket instead of queueing."""
    last_ping = sock.last_ping
    return bool(last_ping) and time.time() - last_ping > sock.server.ping_timeout


def write_frame(sock: Any, frame: bytes) -> bool:
    """Write ``frame`` to ``sock``'s websocket now if that is safe; ``False`` when it is not."""
    protocol = sock.__dict__.get(PROTOCOL)
    if (
        protocol is None
        or not sock.__dict__.get(WRITER_IDLE)
        or not sock.upgraded
        or sock.upgrading
        or sock.closing
        or sock.closed
        or not sock.queue.empty()
        or protocol.close_sent
        or protocol.disconnected
        or not protocol.writable.is_set()
    ):
        return False
    if client_gone(sock):
        return False  # engine.io's send closes a socket whose client is gone
    transport = protocol.transport
    if transport.is_closing():
        return False
    transport.write(frame)
    stats.direct += 1
    return True


def transport_backlog(sock: Any) -> Callable[[], int] | None:
    """A function returning the bytes waiting in ``sock``'s TCP write buffer, or None when
    its uvicorn protocol is not known (polling, another websocket implementation)."""
    protocol = sock.__dict__.get(PROTOCOL)
    if protocol is None:
        return None
    return protocol.transport.get_write_buffer_size  # type: ignore[no-any-return]


def abort_transport(sock: Any) -> bool:
    """Abort ``sock``'s TCP connection now, dropping its write buffer (a slow consumer);
    ``False`` when its uvicorn protocol is not known. uvicorn then reports the disconnect to
    engine.io, whose websocket handler ends as for any lost connection."""
    protocol = sock.__dict__.get(PROTOCOL)
    if protocol is None:
        return False
    protocol.transport.abort()
    return True


_PROTOCOL_STATE = ("transport", "close_sent", "disconnected", "writable", "conn")
"""uvicorn internals :func:`write_frame` reads (uvicorn is pinned to a minor version; a release
that renames them turns direct writes off instead of breaking sends, and the tests that expect
direct writes fail)."""


def sansio_protocol(ws: Any) -> Any:
    """The uvicorn ``WebSocketsSansIOProtocol`` behind engine.io's websocket wrapper ``ws``
    (reached through its ASGI ``send``), or None (another websocket stack)."""
    send = getattr(ws, "asgi_send", None)
    protocol = getattr(send, "__self__", None)
    if (
        _SansIO is None
        or type(protocol) is not _SansIO
        or getattr(send, "__func__", None) is not _SansIO.send
    ):
        return None
    return protocol


def remember_protocol(sock: Any, protocol: Any) -> None:
    """Note on ``sock`` its uvicorn protocol (:func:`sansio_protocol`), or None when frames
    must not be written to it directly."""
    usable = (
        protocol is not None
        and all(hasattr(protocol, name) for name in _PROTOCOL_STATE)
        and not protocol.conn.extensions  # permessage-deflate: frames go through the codec
    )
    sock.__dict__[PROTOCOL] = protocol if usable else None
