"""The /socket.io edge: garbage is caught before a library turns it into a traceback.

- Websocket frames: a text frame engine.io cannot decode (empty, an unknown packet type, bad
  base64) would end engine.io's reader with an exception and leave the socket half-dead; here it
  is reported and dropped, and once the socket is over the garbage limit engine.io is told the
  connection ended. Only ``receive`` is wrapped: ``send`` stays uvicorn's own (direct writes).
- Polling POST bodies are checked the same way (bounded by the engine.io buffer) and answered
  400 when malformed.
- Messages python-socketio cannot decode (a bad packet type, an id over its limit, JSON that is
  not a list, a binary packet it did not expect) raise inside engine.io's ``message`` handler;
  :func:`guard_messages` wraps that handler (public ``eio.on``) to report them instead. A binary
  packet announcing no attachment is refused there too (it would wedge the socket).
"""

from __future__ import annotations

import base64
import binascii
import itertools
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qs

import socketio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chinwag.logs import get_logger
from chinwag.transport.observability.garbage import GarbageMonitor, describe

ENGINEIO_TYPES = frozenset("0123456")
# Socket.IO BINARY_EVENT and BINARY_ACK: one announcing no attachment would make python-socketio
# wait for one forever, failing every later message of that socket.
BINARY_PACKET_TYPES = ("5", "6")


def binary_header_problem(data: str) -> str | None:
    """Why a binary Socket.IO packet's header is unusable (no attachment count ≥ 1), or None."""
    head = data[1:12]
    dash = head.find("-")
    if dash > 0 and head[:dash].isdigit() and int(head[:dash]) >= 1:
        return None
    return "binary packet without attachments"


# What python-socketio raises on undecodable input (orjson's error is a ValueError).
DECODE_ERRORS = (ValueError, KeyError, IndexError, TypeError, AttributeError)

log = get_logger("chinwag.edge")
_connection_ids = itertools.count(1)


class _Connection:
    """One websocket connection as the edge sees it; :meth:`receive` is the ASGI ``receive``
    engine.io gets (a bound method of a slotted object: one per connection, kept for its whole
    life, so smaller than a closure and its cells)."""

    __slots__ = ("_monitor", "_receive", "aborted", "key")

    def __init__(self, key: str, receive: Receive, monitor: GarbageMonitor) -> None:
        self.key = key
        #: Set when the socket is over the garbage limit: the next read ends the connection.
        self.aborted = False
        self._receive = receive
        self._monitor = monitor

    async def receive(self) -> Message:
        """The next message engine.io can decode; garbage frames are reported and dropped."""
        while not self.aborted:
            message = await self._receive()
            text = message.get("text") if message["type"] == "websocket.receive" else None
            problem = None if text is None else packet_problem(text)
            if problem is None:
                return DISCONNECT if self.aborted else message
            if self._monitor.report(self.key, "engineio_packet", problem):
                self.aborted = True
        return DISCONNECT


# engine.io runs each message handler in a task created inside the websocket's request, so
# the handler sees the connection it came from through this variable.
_CONNECTION: ContextVar[_Connection | None] = ContextVar("chinwag_edge_connection", default=None)
DISCONNECT: Message = {"type": "websocket.disconnect", "code": 1008}


def packet_problem(packet: str) -> str | None:
    """Why engine.io could not decode ``packet`` (one text packet), or None when it can."""
    if not packet:
        return "empty packet"
    head = packet[0]
    if head == "b":
        try:
            base64.b64decode(packet[1:], validate=True)
        except (binascii.Error, ValueError):
            return "bad base64 in a binary packet"
        return None
    return None if head in ENGINEIO_TYPES else f"unknown engine.io packet type {head[:1]!r}"


def body_problem(body: bytes) -> tuple[str, str] | None:
    """(kind, detail) when a polling POST body is malformed, else None."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid_utf8", "polling body is not UTF-8"
    if not text or text.startswith("d="):  # empty, or JSONP: engine.io's own handling
        return None
    for packet in text.split("\x1e"):
        problem = packet_problem(packet)
        if problem is not None:
            return "polling_body", problem
    return None


def _query_sid(scope: Scope) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("sid")
    return values[0] if values else None


class SocketIOEdge:
    """ASGI middleware in front of the Socket.IO app (see the module docstring)."""

    def __init__(self, app: ASGIApp, monitor: GarbageMonitor, max_body: int) -> None:
        self.app = app
        self.monitor = monitor
        self.max_body = max_body

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine itself: what it returns is awaited in its place, so a connection's
        # chain of suspended frames (kept for its whole life) is one frame shorter.
        if scope["type"] == "websocket":
            return self._websocket(scope, receive, send)
        if scope["type"] == "http" and scope.get("method") == "POST":
            return self._post(scope, receive, send)
        return self.app(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Before engine.io names the socket (a websocket-only connection), garbage is counted
        # against the connection itself.
        key = _query_sid(scope) or f"ws-{next(_connection_ids)}"
        connection = _Connection(key, receive, self.monitor)
        token = _CONNECTION.set(connection)
        try:
            await self.app(scope, connection.receive, send)
        finally:
            _CONNECTION.reset(token)
            self.monitor.forget(connection.key)

    async def _post(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        if not length.isdigit() or int(length) > self.max_body:
            await self.app(scope, receive, send)  # engine.io enforces its own limit
            return
        body = b""
        message: Message = {"type": "http.request", "body": b"", "more_body": True}
        while message.get("more_body"):
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
        problem = body_problem(body)
        if problem is not None:
            sid = _query_sid(scope)
            self.monitor.report(sid, *problem)
            await _bad_request(send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _bad_request(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"Bad Request"})


MessageHandler = Callable[[str, Any], Awaitable[None]]


def guard_messages(sio: socketio.AsyncServer, monitor: GarbageMonitor) -> None:
    """Report what python-socketio cannot decode instead of letting engine.io log a traceback."""
    original: MessageHandler = sio.eio.handlers["message"]

    async def guarded(eio_sid: str, data: Any) -> None:
        problem: str | None = None
        if type(data) is str and data[:1] in BINARY_PACKET_TYPES:
            problem = binary_header_problem(data)
        if problem is None:
            try:
                await original(eio_sid, data)
            except DECODE_ERRORS as exc:
                problem = describe(exc)
        if problem is not None and monitor.report(eio_sid, "socketio_packet", problem):
            # engine.io sent its CLOSE; a client that ignores it is cut off at its next frame.
            connection = _CONNECTION.get()
            if connection is not None:
                connection.aborted = True

    sio.eio.on("message", guarded)
