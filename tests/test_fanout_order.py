"""Room broadcasts keep their order at every recipient, even when one recipient is gone.

Real python-socketio and python-engineio objects, no network: two engine.io sockets in one
room, one of them "gone" (a ping sent an hour ago, never answered). engine.io closes such a
socket when something is sent to it, and closing runs the disconnect handler, which may await.
A fan-out loop that awaited there would let a later broadcast overtake the earlier one at the
recipients after the gone socket; ``FastFanout`` closes gone sockets only after its loop.
"""

from __future__ import annotations

import asyncio
import json
import time

import socketio
from engineio.async_socket import AsyncSocket

from chinwag.transport.fastpath import engineio_patches
from chinwag.transport.fastpath.fanout import FastFanout


def _socket(server: socketio.AsyncServer, eio_sid: str) -> AsyncSocket:
    sock = AsyncSocket(server.eio, eio_sid)
    sock.connected = True
    server.eio.sockets[eio_sid] = sock
    return sock


async def test_a_later_broadcast_never_overtakes_an_earlier_one_at_a_recipient() -> None:
    engineio_patches.install()
    server = socketio.AsyncServer(async_mode="asgi", client_manager=FastFanout())
    closing = asyncio.Event()
    release = asyncio.Event()

    @server.event
    async def disconnect(sid: str, reason: str) -> None:
        closing.set()
        await release.wait()  # e.g. releasing the user's socket count in Redis

    gone = _socket(server, "eio-gone")
    live = _socket(server, "eio-live")
    for eio_sid in ("eio-gone", "eio-live"):  # the gone socket first in the room's order
        sid = await server.manager.connect(eio_sid, "/")
        await server.enter_room(sid, "room")
    gone.last_ping = time.time() - 3600

    first = asyncio.create_task(server.emit("tick", {"n": 1}, room="room"))
    async with asyncio.timeout(10):
        await closing.wait()  # the first broadcast reached the gone socket and is closing it
    await server.emit("tick", {"n": 2}, room="room")
    release.set()
    await first

    received = []
    while not live.queue.empty():
        packet = live.queue.get_nowait()
        received.append(json.loads(packet.data[1:])[1]["n"])  # "2[event, payload]"
    assert received == [1, 2]
    assert gone.closed
