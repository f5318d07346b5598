"""A manager that knows each socket's rooms, so a disconnect does not scan every room.

python-socketio keeps ``rooms[namespace][room] → {sid: eio_sid}`` and nothing the other way:
``basic_disconnect`` and ``get_rooms`` test the socket against every room of the namespace,
and every socket has a room of its own. A disconnect costs O(sockets), so closing N sockets
costs O(N²): the 2,000 sockets of a handshake flood closed at their auth deadline took about a
second of the event loop in room scans alone. Here every room a socket enters is also noted
under the socket (``basic_enter_room`` / ``basic_leave_room`` are the only writers of
``rooms``: connect, join, leave, close_room and disconnect all go through them), and
``basic_disconnect`` / ``get_rooms`` read that note instead (same results; the rest of
``basic_disconnect`` is the library's, copied).
"""

from __future__ import annotations

from typing import Any

import socketio

__all__ = ["RoomIndex"]


class RoomIndex(socketio.AsyncManager):  # type: ignore[misc]
    """``AsyncManager`` with a per-socket index of its rooms."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (namespace, sid) → the rooms it is in (None: the namespace's connected room), in
        # the order entered; a dict for its order.
        self._rooms_of: dict[tuple[str, str], dict[Any, None]] = {}

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._rooms_of.setdefault((namespace, sid), {})[room] = None

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        rooms = self._rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.pop(room, None)
            if not rooms:
                del self._rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        if namespace not in self.rooms:
            return
        for room in list(self._rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        # From here on the library's basic_disconnect, unchanged.
        if sid in self.callbacks:
            del self.callbacks[sid]
        if namespace in self.pending_connect and sid in self.pending_connect[namespace]:
            self.pending_connect[namespace].remove(sid)
            if len(self.pending_connect[namespace]) == 0:
                del self.pending_connect[namespace]
        if namespace in self.pending_disconnect and sid in self.pending_disconnect[namespace]:
            self.pending_disconnect[namespace].remove(sid)
            if len(self.pending_disconnect[namespace]) == 0:
                del self.pending_disconnect[namespace]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        """The rooms ``sid`` is in (without the namespace's own ``None`` room)."""
        return [room for room in self._rooms_of.get((namespace, sid), ()) if room is not None]
