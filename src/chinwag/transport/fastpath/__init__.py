"""Everything in chinwag that relies on another library's internals, behind one switch.

The rest of chinwag uses python-socketio, python-engineio and uvicorn through their public
API only. What is here makes delivery cheaper and fixes two engine.io behaviours; it is
installed by :func:`install` (called by ``transport.socketio.server.build_socketio`` when
``chinwag.bootstrap.build_runtime`` builds the server; never at import),
after :mod:`~chinwag.transport.fastpath.canary` has checked that every private name below still
exists with the expected signature and that every copied or wrapped library function still has
the source it was written against. When anything moved, :func:`install` logs ONE warning naming
it and leaves the libraries untouched: chinwag then runs on stock behaviour, slower, never
broken. The libraries are pinned exactly (``pyproject.toml``), so this happens only on a
deliberate upgrade, and the canary test (``tests/test_fastpath_canary.py``) fails first.

The patches, what they rely on, and what chinwag does without them:

``engineio_patches`` (process-wide, on ``engineio.async_socket.AsyncSocket``)
    - ``poll`` — a copy of engine.io's, waiting under ``asyncio.timeout`` instead of
      ``asyncio.wait_for`` (no Task per delivered packet), and setting the writer-idle flag that
      direct writes need. Relies on ``queue``, ``upgraded``, ``server.ping_interval`` /
      ``ping_timeout``. Without it: one Task per wake-up, no direct writes.
    - ``send`` — a text packet to an idle websocket is written directly (``direct_ws``); all
      else calls engine.io's ``send``. Without it: every packet goes through the queue.
    - ``_websocket_handler`` (private) — wrapped to remember uvicorn's protocol object reached
      through engine.io's ``WebSocket.asgi_send``. Without it: no direct writes.
    - ``close`` — wrapped: a polling socket closed by the client's CLOSE answers its pending
      long-poll GET at once, as the JavaScript server does. Without it: that GET hangs until
      the ping timeout (python-socketio's client waits ~30 s in ``disconnect()``).
    - ``schedule_ping`` — the wait for the next ping is a ``call_later`` timer cancelled by
      ``close`` (``ping_timer``). Relies on ``last_ping``, ``server.ping_interval``. Without it:
      a sleeping task per socket that keeps a closed socket alive for up to 25 s.
    - engine.io's ASGI ``WebSocket.wait`` returns ``None`` instead of raising ``OSError`` when
      the connection ends (``quiet_close``; relies on ``asgi_receive``, ``upgrading``). Without
      it: every closed websocket is a reference cycle left for a full garbage collection.
    - ``Payload.max_decode_packets`` 16 → 256: a polling request may carry a burst of events
      that is within the rate limit. Without it: such a request gets HTTP 400.
``acyclic``
    A closed websocket is freed by reference counting when it closes: uvicorn's
    ``HttpToolsProtocol.handle_websocket_upgrade`` is wrapped to drop the HTTP protocol's
    ``parser`` (which points back at it) after the upgrade, and engine.io's ASGI
    ``translate_request`` is copied with its per-request class defined once, put in the ASGI
    driver's ``_async`` table. Without it: every closed websocket (~70 objects) waits for a full
    garbage collection, so a burst of closes grows memory until one runs, and it stalls. It also
    drops uvicorn ``WebSocketsSansIOProtocol``'s ``request`` and ``response`` once
    ``handshake_complete`` (called from the ``_websocket_handler`` wrapper). Without it: ~2 KB
    more per open websocket.
``addresses``
    uvicorn's ``get_local_addr`` / ``get_remote_addr``, as imported by its httptools and
    websockets-sansio protocol modules, replaced by versions making the same system calls
    through ``ctypes.PyDLL`` (the GIL is kept; IPv4/IPv6 TCP, else uvicorn's own). Without it:
    each new connection lets go of the GIL twice, and waits up to the interpreter's switch
    interval (5 ms) to get it back while the SQLite writer thread runs.
``direct_ws``
    Writes a prebuilt websocket frame straight to uvicorn's transport when the socket's writer
    is idle. Reads uvicorn ``WebSocketsSansIOProtocol``'s ``transport``, ``close_sent``,
    ``disconnected``, ``writable``, ``conn.extensions`` and engine.io's socket state
    (``upgrading``, ``closing``, ``closed``, ``last_ping``, ``queue``). Without it: uvicorn
    frames every packet for every recipient.
    It also gives the bounded outbound queue the transport's write-buffer size and aborts a
    slow consumer's transport (``get_write_buffer_size``, ``abort``: public asyncio API on the
    ``transport`` above). Without it: see ``chinwag.transport.socketio.backpressure``.
``fanout``
    ``FastFanout``: python-socketio's ``AsyncManager.emit`` (a copy, minus the task per
    recipient), building one frame per broadcast; uses ``get_participants``,
    ``server.packet_class`` and ``server.eio.sockets``. Without it: stock ``AsyncManager`` /
    ``AsyncRedisManager``.
``room_index``
    ``RoomIndex`` (the base of ``FastFanout``): a per-socket index of its rooms kept by wrapping
    ``basic_enter_room`` / ``basic_leave_room``, read by ``basic_disconnect`` (a copy without the
    scan) and ``get_rooms``; uses ``rooms``, ``callbacks``, ``pending_connect``,
    ``pending_disconnect``. Without it: each disconnect scans every room (O(N²) for N closes).
``redis_resume``
    ``QuickResumeRedisManager`` (the base of ``FastFanoutRedisManager``): copies of
    ``AsyncRedisManager._redis_listen_with_retries`` and ``_publish`` that resubscribe within a
    second of Redis returning (the library waits up to 60 s) and log an outage once. Uses
    ``_redis_connect``, ``connected``, ``redis``, ``pubsub``, ``channel``. Without it: cross-process
    delivery resumes seconds later after a Redis outage, and every emit logs two errors meanwhile.
``packets``
    ``JsonPacket``: python-socketio's packet class with a loop instead of ``functools.reduce``
    in ``data_is_binary``, given as ``serializer=`` (the library's public hook for a packet
    class). Relies on ``Packet.__init__`` calling ``data_is_binary`` (signature pinned, its
    source hashed). Without it: the stock ``Packet``, about 10 µs more per packet.
``jsonlib``
    orjson as the ``json`` module python-socketio is given (public API; here because it is a
    delivery-cost choice like the rest).
"""

from __future__ import annotations

import logging
from typing import Any

import socketio

from chinwag.transport.fastpath import acyclic, addresses, canary, direct_ws, engineio_patches
from chinwag.transport.fastpath.fanout import FastFanout, FastFanoutRedisManager
from chinwag.transport.fastpath.jsonlib import orjson_module
from chinwag.transport.fastpath.packets import JsonPacket

__all__ = ["abort_transport", "active", "install", "manager", "orjson_module", "packet_class"]

log = logging.getLogger("chinwag.fastpath")

_state: dict[str, bool] = {}


def install() -> bool:
    """Install the fast path once per process if the canary passes; return whether it is on."""
    if "active" not in _state:
        found = canary.problems()
        if found:
            log.warning(
                "chinwag fast path OFF (stock python-socketio/engine.io/uvicorn behaviour): "
                "a library no longer matches what it relies on: %s",
                "; ".join(found),
            )
        else:
            engineio_patches.install()
            acyclic.install()
            addresses.install()
        _state["active"] = not found
    return _state["active"]


def active() -> bool:
    """Whether :func:`install` put the fast path in place in this process."""
    return _state.get("active", False)


def abort_transport(sock: Any) -> bool:
    """Abort the TCP connection of engine.io socket ``sock`` now (a slow consumer); ``False``
    when the fast path does not know its transport (off, polling, another websocket stack)."""
    return active() and direct_ws.abort_transport(sock)


def packet_class() -> Any:
    """The ``serializer`` for ``socketio.AsyncServer``: :class:`JsonPacket` when the fast path
    is on, else the library's default."""
    return JsonPacket if active() else "default"


def manager(redis_url: str | None) -> socketio.AsyncManager:
    """The Socket.IO client manager: the fast fan-out when the fast path is on, else stock."""
    if active():
        return FastFanoutRedisManager(redis_url) if redis_url else FastFanout()
    return socketio.AsyncRedisManager(redis_url) if redis_url else socketio.AsyncManager()
