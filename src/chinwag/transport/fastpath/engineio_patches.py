"""What chinwag changes in python-engineio's server socket, process-wide, and why.

:func:`install` patches ``engineio.async_socket.AsyncSocket`` (idempotent):

- ``poll``: the same wait, under ``asyncio.timeout`` instead of ``asyncio.wait_for`` (which
  wrapped every wait in a new Task: once per delivered packet when a broadcast wakes an idle
  socket), and the websocket writer's idle flag that direct writes rely on;
- ``send``: a text message goes straight to an idle websocket
  (:mod:`chinwag.transport.fastpath.direct_ws`), anything else through the queue as before;
- ``_websocket_handler``: remembers the uvicorn protocol of the connection while it runs (and
  tells a bounded queue how to read the transport's write buffer);
- ``close``: when a polling client sends CLOSE, engine.io closes the socket without answering
  the client's pending long-poll GET, which then hangs until the ping timeout (python-socketio's
  client waits on it for 30 s in ``disconnect()``); a CLOSE packet now answers it at once, as
  the JavaScript engine.io server does. It also cancels the socket's ping timer;
- ``_websocket_handler`` also lets engine.io's ASGI ``WebSocket.wait`` (patched too) end the
  handler's loop with ``None`` rather than an ``OSError`` whose traceback makes every closed
  websocket a reference cycle (:mod:`chinwag.transport.fastpath.quiet_close`);
- ``schedule_ping``: the wait for the next ping is a timer, not a sleeping task that keeps a
  closed socket alive for up to 25 s (:mod:`chinwag.transport.fastpath.ping_timer`).

It also lets a polling request carry 256 packets: engine.io refuses more than 16 with HTTP
400, and clients batch everything queued into one request, so a burst within the rate limit
must still pass (the request stays bounded by ``max_http_buffer_size``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import engineio.async_drivers.asgi
import engineio.async_socket
import engineio.payload
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet

from chinwag.transport.fastpath import acyclic, direct_ws, ping_timer, quiet_close

__all__ = ["PATCHED", "enqueue", "enqueue_now", "install"]

_Socket = engineio.async_socket.AsyncSocket
_ORIGINALS: dict[str, Any] = {}
"""engine.io's own functions, kept by :func:`install` before it replaces them."""


async def _poll(self: Any) -> list[Any]:
    """``AsyncSocket.poll``: same semantics, no Task per wait, the writer's idle flag kept."""
    writer = self.upgraded  # the websocket writer, not a polling GET that began before
    if writer:
        self.__dict__[direct_ws.WRITER_IDLE] = True
    try:
        async with asyncio.timeout(self.server.ping_interval + self.server.ping_timeout):
            first = await self.queue.get()
        self.queue.task_done()
    except (TimeoutError, asyncio.CancelledError):
        raise eio_exceptions.QueueEmpty() from None
    finally:
        if writer:
            self.__dict__[direct_ws.WRITER_IDLE] = False
    if first is None:
        return []
    packets = [first]
    while True:
        try:
            pkt = self.queue.get_nowait()
        except asyncio.QueueEmpty:
            break
        self.queue.task_done()
        if pkt is None:
            self.queue.put_nowait(None)
            break
        packets.append(pkt)
    return packets


async def enqueue(sock: Any, pkt: Any) -> None:
    """engine.io's own ``send``: through the socket's queue and writer."""
    direct_ws.stats.queued += 1
    await _ORIGINALS["send"](sock, pkt)


def enqueue_now(sock: Any, packets: Sequence[Any]) -> bool:
    """Put ``packets`` on ``sock``'s queue without yielding; ``False`` (nothing queued) when
    its client timed out and engine.io's ``send`` would close it instead. A closed socket
    gets nothing, like engine.io's ``send``, which raises for it."""
    if sock.closed:
        return True
    if direct_ws.client_gone(sock):
        return False
    for pkt in packets:
        sock.queue.put_nowait(pkt)  # unbounded: never QueueFull
    direct_ws.stats.queued += len(packets)
    return True


async def _send(self: Any, pkt: Any) -> None:
    """``AsyncSocket.send``: a text message goes direct when it can, else through the queue."""
    if (
        self.__dict__.get(direct_ws.PROTOCOL) is not None
        and pkt.packet_type == eio_packet.MESSAGE
        and isinstance(pkt.data, str)
        and direct_ws.write_frame(self, direct_ws.text_frame(pkt.encode()))
    ):
        return
    await enqueue(self, pkt)


async def _websocket_handler(self: Any, ws: Any) -> Any:
    """``AsyncSocket._websocket_handler``, remembering the uvicorn protocol while it runs."""
    protocol = direct_ws.sansio_protocol(ws)
    direct_ws.remember_protocol(self, protocol)
    acyclic.release_handshake(protocol)
    ws.__dict__[quiet_close.SOCKET] = self
    # chinwag's bounded queue (transport.socketio.outbound_queue) counts the TCP buffer too.
    watch = getattr(self.queue, "watch_transport", None)
    if watch is not None:
        watch(self, direct_ws.transport_backlog(self))
    try:
        return await _ORIGINALS["_websocket_handler"](self, ws)
    finally:
        self.__dict__[direct_ws.PROTOCOL] = None
        ws.__dict__.pop(quiet_close.SOCKET, None)
        if watch is not None:
            watch(self, None)


async def _close(self: Any, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
    """``AsyncSocket.close``; a polling socket closed without a CLOSE packet gets one queued,
    which answers the client's pending long-poll GET now instead of at the ping timeout."""
    was_open = not self.closed and not self.closing
    ping_timer.cancel(self)
    await _ORIGINALS["close"](self, wait=wait, abort=abort, reason=reason)
    if was_open and abort and not self.upgraded:
        self.queue.put_nowait(eio_packet.Packet(eio_packet.CLOSE))


PATCHED: dict[str, Any] = {  # AsyncSocket method name → its replacement
    "poll": _poll,
    "send": _send,
    "_websocket_handler": _websocket_handler,
    "close": _close,
    "schedule_ping": ping_timer.schedule_ping,
}


def install() -> None:
    """Apply the patches (idempotent, process-wide); the canary has checked what they need."""
    if _ORIGINALS:
        return
    for name, patch in PATCHED.items():
        _ORIGINALS[name] = getattr(_Socket, name)
        setattr(_Socket, name, patch)
    engineio.async_drivers.asgi.WebSocket.wait = quiet_close.wait
    engineio.payload.Payload.max_decode_packets = 256
