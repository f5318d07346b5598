"""What the fast path needs from other libraries' internals, checked before it is installed.

Every private name the fast path reads or replaces is listed here, with the signature it is
called with, and every library function it copies or wraps is pinned by a hash of its source
(``inspect.getsource``). The libraries are pinned exactly in ``pyproject.toml``; when an
upgrade changes any of this anyway, :func:`problems` names what moved and the fast path stays
off (stock python-socketio/engine.io/uvicorn behaviour) instead of misbehaving.

To accept a new library release: read the changed functions against the patches in this
package, adapt them, then update :data:`SOURCE_HASHES` (``python -m chinwag.transport.fastpath
.canary`` prints the current values).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import re
from collections.abc import Callable
from typing import Any

SOURCE_HASHES: dict[str, str] = {
    # copied: fastpath.engineio_patches._poll is this function with asyncio.timeout
    "engineio.async_socket:AsyncSocket.poll": "826f58a9f3606db2",
    # wrapped: called for everything that does not go direct
    "engineio.async_socket:AsyncSocket.send": "0437276ccba7ab09",
    # wrapped: a polling socket's CLOSE answers its pending GET
    "engineio.async_socket:AsyncSocket.close": "faa2e93902543244",
    # wrapped: remembers the uvicorn protocol while the handler runs
    "engineio.async_socket:AsyncSocket._websocket_handler": "27f120df4d717a24",
    # called for sockets whose client is gone (what engine.io's send does)
    "engineio.async_socket:AsyncSocket.check_ping_timeout": "77616d5ca7809257",
    # copied: fastpath.fanout.FastFanout.emit is this loop without a task per recipient
    "socketio.async_manager:AsyncManager.emit": "01ccd5b82b4f955e",
    "socketio.base_manager:BaseManager.get_participants": "7d78ad681c95de5b",
    # fastpath.room_index: wrapped (the only writers of rooms), copied minus the room scan,
    # stood in for
    "socketio.base_manager:BaseManager.basic_enter_room": "3f509586d2d7f47e",
    "socketio.base_manager:BaseManager.basic_leave_room": "e27f3eea06d1c6a6",
    "socketio.base_manager:BaseManager.basic_disconnect": "2933b50bc4b2ea7b",
    "socketio.base_manager:BaseManager.get_rooms": "56a1017f85af9f91",
    # fastpath.quiet_close: copied, returning None where the connection ended
    "engineio.async_drivers.asgi:WebSocket.wait": "0346a1c9ebdafdff",
    # fastpath.ping_timer: stands in for the ping scheduling and its sleeping task
    "engineio.async_socket:AsyncSocket.schedule_ping": "fe316639159cd70d",
    "engineio.async_socket:AsyncSocket._send_ping": "67db82a704ea49d0",
    # copied: fastpath.redis_resume, with short waits and one log line per outage
    "socketio.async_redis_manager:AsyncRedisManager._redis_listen_with_retries": (
        "ad347f253fd3423a"
    ),
    "socketio.async_redis_manager:AsyncRedisManager._publish": "033e4da7cc8768b4",
    # stood in for: fastpath.packets.JsonPacket.data_is_binary answers the same question
    "socketio.packet:Packet.data_is_binary": "464dded7ae952a64",
    "socketio.packet:Packet.__init__": "5fe2fa797e082c1d",
    # fastpath.acyclic: wrapped (the parser is dropped after it), copied with a module-level
    # payload class
    "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.handle_websocket_upgrade": (
        "179c4f769386ab89"
    ),
    "engineio.async_drivers.asgi:translate_request": "39e74733f1fe46aa",
    # fastpath.acyclic.release_handshake: what sets request/response (and send, pinned below,
    # the only reader)
    "uvicorn.protocols.websockets.websockets_sansio_impl:WebSocketsSansIOProtocol.handle_connect": (
        "fc648c2161ff8e13"
    ),
    # fastpath.addresses: stood in for (same answers without releasing the GIL), in the two
    # protocols' connection_made
    "uvicorn.protocols.utils:get_local_addr": "6be1e23931c77938",
    "uvicorn.protocols.utils:get_remote_addr": "5cb127377672c133",
    "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.connection_made": "6efb565ff3d36b91",
    (
        "uvicorn.protocols.websockets.websockets_sansio_impl:"
        "WebSocketsSansIOProtocol.connection_made"
    ): "f533ec93747c2cbf",
    # direct writes replace what this send does for a text frame
    "uvicorn.protocols.websockets.websockets_sansio_impl:WebSocketsSansIOProtocol.send": (
        "d4919ed760ce9f7b"
    ),
}
"""Library functions the fast path copies, wraps or stands in for → sha256 of their source."""

SIGNATURES: dict[str, str] = {
    "engineio.async_socket:AsyncSocket.poll": "(self)",
    "engineio.async_socket:AsyncSocket.send": "(self, pkt)",
    "engineio.async_socket:AsyncSocket.close": "(self, wait=True, abort=False, reason=None)",
    "engineio.async_socket:AsyncSocket._websocket_handler": "(self, ws)",
    "engineio.async_socket:AsyncSocket.check_ping_timeout": "(self)",
    "socketio.async_manager:AsyncManager.emit": (
        "(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs)"
    ),
    "socketio.base_manager:BaseManager.get_participants": "(self, namespace, room)",
    "socketio.base_manager:BaseManager.basic_enter_room": (
        "(self, sid, namespace, room, eio_sid=None)"
    ),
    "socketio.base_manager:BaseManager.basic_leave_room": "(self, sid, namespace, room)",
    "socketio.base_manager:BaseManager.basic_disconnect": "(self, sid, namespace, **kwargs)",
    "socketio.base_manager:BaseManager.get_rooms": "(self, sid, namespace)",
    "engineio.async_socket:AsyncSocket.schedule_ping": "(self)",
    "engineio.async_drivers.asgi:WebSocket.wait": "(self)",
    "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol.handle_websocket_upgrade": (
        "(self) -> 'None'"
    ),
    "engineio.async_drivers.asgi:translate_request": "(scope, receive, send)",
    "socketio.async_redis_manager:AsyncRedisManager._redis_listen_with_retries": "(self)",
    "socketio.async_redis_manager:AsyncRedisManager._publish": "(self, data)",
    "socketio.async_redis_manager:AsyncRedisManager._redis_connect": "(self)",
    "socketio.packet:Packet.__init__": (
        "(self, packet_type=2, data=None, namespace=None, id=None, binary=None, "
        "encoded_packet=None)"
    ),
}
"""How the fast path calls or replaces them."""

INSTANCE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    # read on every engine.io socket by direct writes and the fan-out
    "engineio.async_socket:AsyncSocket": (
        "queue",
        "upgraded",
        "upgrading",
        "closing",
        "closed",
        "last_ping",
        "server",
    ),
    # the ASGI send of engine.io's websocket wrapper leads to uvicorn's protocol
    "engineio.async_drivers.asgi:WebSocket": ("asgi_send", "asgi_receive"),
    # the server's encoder and engine.io's socket table the fan-out uses, the manager's rooms
    "socketio.base_server:BaseServer": ("packet_class", "eio"),
    "engineio.base_server:BaseServer": ("sockets",),
    "socketio.base_manager:BaseManager": (
        "rooms",
        "server",
        "callbacks",
        "pending_connect",
        "pending_disconnect",
    ),
    # the Redis manager's client, subscription and connection flag the copies use
    "socketio.async_redis_manager:AsyncRedisManager": ("connected", "redis", "pubsub"),
    "socketio.async_pubsub_manager:AsyncPubSubManager": ("channel",),
    # the HTTP protocol's parser, dropped after a websocket upgrade (fastpath.acyclic)
    "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol": ("parser",),
    # uvicorn's websocket state that decides whether a direct write is safe
    "uvicorn.protocols.websockets.websockets_sansio_impl:WebSocketsSansIOProtocol": (
        "transport",
        "close_sent",
        "disconnected",
        "writable",
        "conn",
        "handshake_complete",
    ),
}
"""Attributes set in a class's ``__init__`` (checked in its source: ``self.<name> =`` or
``self.<name>: T =``)."""

CLASS_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "engineio.payload:Payload": ("max_decode_packets",),
    "engineio.packet:Packet": ("encode",),
}
"""Class attributes read or set."""

MODULE_NAMES: dict[str, tuple[str, ...]] = {
    "engineio.packet": ("MESSAGE", "CLOSE"),
    "socketio.packet": ("EVENT",),
    # engine.io's servers take translate_request from this table (fastpath.acyclic)
    "engineio.async_drivers.asgi": ("_async",),
    # fastpath.addresses replaces these module globals
    "uvicorn.protocols.http.httptools_impl": ("get_local_addr", "get_remote_addr"),
    "uvicorn.protocols.websockets.websockets_sansio_impl": ("get_local_addr", "get_remote_addr"),
}


def resolve(target: str) -> Any:
    """``module:Qual.name`` → the object; raises ImportError or AttributeError."""
    module_name, _, qualname = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split(".") if qualname else ():
        obj = getattr(obj, part)
    return obj


def source_hash(obj: Callable[..., Any]) -> str:
    """First 16 hex digits of the sha256 of ``obj``'s source."""
    return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()[:16]


def _check(target: str, check: Callable[[Any], str | None]) -> str | None:
    try:
        obj = resolve(target)
    except (ImportError, AttributeError) as exc:
        return f"{target}: missing ({exc})"
    found = check(obj)
    return None if found is None else f"{target}: {found}"


def _hash_is(expected: str) -> Callable[[Any], str | None]:
    def check(obj: Any) -> str | None:
        actual = source_hash(obj)
        return None if actual == expected else f"source changed ({actual} != {expected})"

    return check


def _signature_is(expected: str) -> Callable[[Any], str | None]:
    def check(obj: Any) -> str | None:
        actual = str(inspect.signature(obj))
        return None if actual == expected else f"signature {actual} != {expected}"

    return check


def _assigns(names: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(cls: Any) -> str | None:
        source = inspect.getsource(cls.__init__)
        absent = [
            name for name in names if not re.search(rf"self\.{name}\s*(:[^=\n]+)?=[^=]", source)
        ]
        return None if not absent else f"__init__ no longer sets {', '.join(absent)}"

    return check


def _has(names: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(obj: Any) -> str | None:
        absent = [name for name in names if not hasattr(obj, name)]
        return None if not absent else f"no attribute {', '.join(absent)}"

    return check


def problems() -> list[str]:
    """Everything the fast path relies on that is not as expected (empty: safe to install).

    Must run before the patches are applied: it reads the libraries' own functions.
    """
    checks: list[tuple[str, Callable[[Any], str | None]]] = [
        *((target, _hash_is(digest)) for target, digest in SOURCE_HASHES.items()),
        *((target, _signature_is(sig)) for target, sig in SIGNATURES.items()),
        *((target, _assigns(names)) for target, names in INSTANCE_ATTRIBUTES.items()),
        *((target, _has(names)) for target, names in CLASS_ATTRIBUTES.items()),
        *((target, _has(names)) for target, names in MODULE_NAMES.items()),
    ]
    return [found for target, check in checks if (found := _check(target, check)) is not None]


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    for target in SOURCE_HASHES:
        print(f"{target}: {source_hash(resolve(target))}")
