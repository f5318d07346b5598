"""A cheaper room fan-out for python-socketio's managers.

python-socketio encodes a broadcast once, then starts one asyncio task per recipient to
put the packet on that socket's queue, and waits for them all. Here the frame is built once
and, in one loop in the caller's task, written straight to every recipient whose websocket
writer is idle (see :mod:`chinwag.transport.fastpath.direct_ws`); any other recipient (polling,
upgrading, a busy or paused writer) gets the packet on its engine.io queue, as before.
Nothing in the loop awaits: python-socketio's tasks kept the order of two broadcasts at every
socket because they started in creation order, and a loop that could suspend midway (engine.io's
``send`` runs the disconnect handler when it finds a client gone) would let a later broadcast
overtake an earlier one at the remaining recipients. Sockets found gone are closed after it.
"""

from __future__ import annotations

import contextlib
from typing import Any

from engineio import packet as eio_packet
from socketio import packet as sio_packet

from chinwag.transport.fastpath import direct_ws
from chinwag.transport.fastpath.engineio_patches import enqueue_now
from chinwag.transport.fastpath.redis_resume import QuickResumeRedisManager
from chinwag.transport.fastpath.room_index import RoomIndex


class FastFanout(RoomIndex):
    """``AsyncManager`` whose callback-less emits skip the task per recipient (and whose
    disconnects do not scan every room, see ``room_index``)."""

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        if callback is not None:
            await super().emit(event, data, namespace, room, skip_sid, callback, to, **kwargs)
            return
        room = to or room
        if namespace not in self.rooms:
            return
        if isinstance(data, tuple):
            args = list(data)
        elif data is not None:
            args = [data]
        else:
            args = []
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        encoded = self.server.packet_class(
            sio_packet.EVENT, namespace=namespace, data=[event, *args]
        ).encode()
        packets = [
            eio_packet.Packet(eio_packet.MESSAGE, part)
            for part in (encoded if isinstance(encoded, list) else [encoded])
        ]
        # A text event is one engine.io packet: one websocket frame for every recipient.
        frame = direct_ws.text_frame(packets[0].encode()) if isinstance(encoded, str) else None
        sockets = self.server.eio.sockets
        gone = []
        # The loop never yields, so two broadcasts reach every recipient in emit order.
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip:
                continue
            sock = sockets.get(eio_sid)
            if sock is None:
                continue
            if frame is not None and direct_ws.write_frame(sock, frame):
                continue
            if not enqueue_now(sock, packets):
                gone.append(sock)
        for sock in gone:  # what engine.io's send does for them: close, which may await
            with contextlib.suppress(Exception):
                await sock.check_ping_timeout()


class FastFanoutRedisManager(QuickResumeRedisManager, FastFanout):
    """Redis fan-out across processes (resubscribing soon after an outage, see
    ``redis_resume``); each process delivers locally with ``FastFanout``."""
