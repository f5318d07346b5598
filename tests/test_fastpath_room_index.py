"""The fast path's room index answers as python-socketio's room scan does, and forgets a socket
entirely when it disconnects (so a disconnect costs its own rooms, not every room)."""

from __future__ import annotations

import socketio
from socketio.base_manager import BaseManager

from chinwag.transport.fastpath.fanout import FastFanout

NS = "/"


async def manager_with(count: int) -> tuple[FastFanout, list[str]]:
    """A real server's manager with ``count`` connected sockets."""
    manager = FastFanout()
    socketio.AsyncServer(async_mode="asgi", client_manager=manager)
    sids = [await manager.connect(f"eio-{k}", NS) for k in range(count)]
    return manager, sids


def stock_rooms(manager: FastFanout, sid: str) -> list[object]:
    return sorted(BaseManager.get_rooms(manager, sid, NS), key=str)


async def test_rooms_of_a_socket_match_the_librarys_scan() -> None:
    manager, (a, b, c) = await manager_with(3)
    await manager.enter_room(a, NS, "conversation")
    await manager.enter_room(b, NS, "conversation")
    await manager.enter_room(a, NS, "user:alice")
    await manager.leave_room(b, NS, "conversation")
    await manager.close_room("user:alice", NS)
    for sid in (a, b, c):
        assert sorted(manager.get_rooms(sid, NS), key=str) == stock_rooms(manager, sid)
    assert manager.get_rooms(a, NS) == [a, "conversation"]


async def test_a_disconnected_socket_leaves_every_room_and_the_index() -> None:
    manager, (a, b) = await manager_with(2)
    for room in ("conversation", "user:alice"):
        await manager.enter_room(a, NS, room)
        await manager.enter_room(b, NS, room)
    await manager.disconnect(a, NS)
    assert all(a not in members for members in manager.rooms[NS].values())
    assert manager.get_rooms(a, NS) == []
    assert list(manager.rooms[NS]["conversation"]) == [b]
    await manager.disconnect(b, NS)
    assert NS not in manager.rooms
    assert manager._rooms_of == {}
