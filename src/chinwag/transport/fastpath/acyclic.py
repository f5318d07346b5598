"""A closed websocket is freed when it closes, not by a full garbage collection later.

Two reference cycles made every websocket connection (about seventy objects: uvicorn's two
protocol objects and transport, the websockets parser, engine.io's request environ, the ASGI
queues) garbage that only a full collection frees. After a handshake flood that was every flood
socket: memory grew for as long as sockets kept closing (a full collection is rare by design,
see ``chinwag.transport.socketio.memory``), and the collection that finally freed them stalled
the event loop for ~300 ms. Both cycles are broken here:

- uvicorn's ``HttpToolsProtocol`` and its ``httptools`` parser point at each other (the parser
  calls the protocol back). After a websocket upgrade the HTTP protocol is done (the transport
  belongs to the websocket protocol from then on), so :func:`handle_websocket_upgrade` drops
  its parser once uvicorn's own upgrade returns.
- (not a cycle, but the same sockets) uvicorn's websocket protocol keeps the handshake's
  websockets ``Request`` and ``Response`` (with their headers, ~3 KB) for the connection's life;
  nothing reads them once the accept is sent, and :func:`release_handshake` drops them.
- engine.io's ASGI ``translate_request`` defines a class inside the function, so every request
  creates a new class (a type is always in a cycle with its own ``__dict__``), and the request's
  environ (holding the ASGI ``receive`` and ``send``, and through them the connection) hangs
  from an instance of it. :func:`translate_request` is engine.io's function with the class
  defined once, at module level (it also saves creating a class per request).
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = [
    "AwaitablePayload",
    "handle_websocket_upgrade",
    "install",
    "release_handshake",
    "translate_request",
]

_ORIGINALS: dict[str, Any] = {}


def handle_websocket_upgrade(self: Any) -> None:
    """``HttpToolsProtocol.handle_websocket_upgrade``, then the HTTP protocol lets go of its
    parser (which holds the protocol): nothing feeds it after the upgrade."""
    _ORIGINALS["handle_websocket_upgrade"](self)
    self.parser = None


def release_handshake(protocol: Any) -> None:
    """Drop the handshake request and response of a uvicorn ``WebSocketsSansIOProtocol``
    (``direct_ws.sansio_protocol``; None: nothing to do) once its accept is sent
    (``handle_connect`` set them; only ``send`` read them, for the accept)."""
    if protocol is not None and protocol.handshake_complete:
        protocol.request = None
        protocol.response = None


class AwaitablePayload:
    """engine.io's ``translate_request.<locals>.AwaitablePayload``, defined once: the request
    body, read on demand (``receive`` is an argument instead of a closure's cell)."""

    __slots__ = ("event", "payload", "receive")

    def __init__(self, event: dict[str, Any], receive: Callable[[], Awaitable[Any]]) -> None:
        self.event = event
        self.payload: bytes | None = None
        self.receive = receive

    async def read(self, length: int | None = None) -> Any:
        """Up to ``length`` bytes of the body (all of it when None); engine.io's code."""
        if self.payload is None and self.event["type"] == "http.request":
            # read payload from http request
            self.payload = self.event.get("body") or b""
            while self.event.get("more_body"):
                self.event = await self.receive()
                if self.event["type"] == "http.request" and (
                    length is None or len(self.payload) < length
                ):
                    self.payload += self.event.get("body") or b""
        if length is None:
            r = self.payload
            self.payload = b""
        else:
            r = self.payload[:length]  # type: ignore[index]
            self.payload = self.payload[length:]  # type: ignore[index]
        return r


async def translate_request(scope: Any, receive: Any, send: Any) -> dict[str, Any]:
    """``engineio.async_drivers.asgi.translate_request`` with :class:`AwaitablePayload`."""
    event = await receive()
    if event["type"] not in ["http.request", "websocket.connect"]:
        return {}

    raw_uri = scope["path"]
    query_string = ""
    if scope.get("query_string"):
        try:
            query_string = scope["query_string"].decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raw_uri += "?" + query_string
    environ = {
        "wsgi.input": AwaitablePayload(event, receive),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.async": True,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "SERVER_SOFTWARE": "asgi",
        "REQUEST_METHOD": scope.get("method", "GET"),
        "PATH_INFO": scope["path"],
        "QUERY_STRING": query_string,
        "RAW_URI": raw_uri,
        "SCRIPT_NAME": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "0",
        "SERVER_NAME": "asgi",
        "SERVER_PORT": "0",
        "asgi.receive": receive,
        "asgi.send": send,
        "asgi.scope": scope,
    }

    for hdr_name, hdr_value in scope["headers"]:
        try:
            hdr_name = hdr_name.upper().decode("utf-8")
            hdr_value = hdr_value.decode("utf-8")
        except UnicodeDecodeError:
            # skip header if it cannot be decoded
            continue
        if hdr_name == "CONTENT-TYPE":
            environ["CONTENT_TYPE"] = hdr_value
            continue
        elif hdr_name == "CONTENT-LENGTH":
            environ["CONTENT_LENGTH"] = hdr_value
            continue

        key = "HTTP_" + hdr_name.replace("-", "_")
        if key in environ:
            hdr_value = f"{environ[key]},{hdr_value}"

        environ[key] = hdr_value

    environ["wsgi.url_scheme"] = environ.get("HTTP_X_FORWARDED_PROTO", "http")
    return environ


def install() -> None:
    """Put both in place (idempotent, process-wide); the canary has checked what they need."""
    if _ORIGINALS:
        return
    import engineio.async_drivers.asgi as engineio_asgi
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    _ORIGINALS["handle_websocket_upgrade"] = HttpToolsProtocol.handle_websocket_upgrade
    HttpToolsProtocol.handle_websocket_upgrade = handle_websocket_upgrade  # type: ignore[method-assign]
    # engine.io's servers look the function up in this table of the ASGI driver.
    _ORIGINALS["translate_request"] = engineio_asgi._async["translate_request"]
    engineio_asgi._async["translate_request"] = translate_request
