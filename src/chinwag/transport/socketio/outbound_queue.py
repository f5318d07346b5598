"""engine.io's per-socket queue, counting the bytes that wait for one socket.

python-engineio makes every socket's queue with its server's public ``create_queue()``;
chinwag hands it :class:`OutboundQueue` (see :mod:`~chinwag.transport.socketio.backpressure`).
Counting in the queue itself catches every way a packet goes out, with the fast path on or off:
python-socketio's emits, the fast fan-out, pings, acks and replies all end in ``put_nowait``
(``put`` calls it), and every consumer takes packets with ``get`` then ``get_nowait``.

What the queue counts for its socket (:attr:`OutboundQueue.pending`):

- ``queued``: packets in the queue;
- ``taken``: the batch its consumer took last (engine.io's websocket writer writes it one packet
  at a time, waiting whenever uvicorn's transport is paused; a polling GET answers with it). A
  consumer that comes back with ``get`` has finished with its previous batch, so that releases it.

Bytes that are already in the TCP transport's write buffer are added by the guard when the fast
path knows the socket's uvicorn protocol (websocket; see ``watch_transport``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from engineio import packet as eio_packet

from chinwag.transport.socketio.lean_queue import LeanQueue

__all__ = ["OutboundQueue", "packet_size"]

OTHER_DATA_SIZE = 256
"""What a packet whose data is neither text nor bytes counts for (engine.io's OPEN: a dict)."""


def packet_size(pkt: Any) -> int:
    """Memory held by an engine.io packet's data (``sys.getsizeof``: O(1), and a non-ASCII
    text counts what it really holds); 0 for the writer's stop sentinel ``None``."""
    if pkt is None:
        return 0
    data = pkt.data
    if data.__class__ is str or data.__class__ is bytes:  # the usual case, checked cheaply
        return _getsizeof(data)
    if data is None:
        return 1
    return _getsizeof(data) if isinstance(data, (str, bytes)) else OTHER_DATA_SIZE


_getsizeof = sys.getsizeof
_put_nowait = LeanQueue.put_nowait
_get_nowait = LeanQueue.get_nowait
_get = LeanQueue.get


class OutboundQueue(LeanQueue):
    """An unbounded queue (:class:`LeanQueue`: nothing allocated while empty) that knows how
    many bytes wait in it and with its consumer, and calls ``on_overflow`` (once) when that
    passes ``limit``.

    After the overflow the socket is being aborted: message packets are dropped (nothing can
    reach the client any more, and memory must stop growing at once); control packets and the
    stop sentinel still pass, because engine.io's own shutdown of the socket relies on them.
    """

    # One per socket: slots, no instance dict.
    __slots__ = (
        "aborted",
        "limit",
        "on_overflow",
        "queued",
        "socket",
        "taken",
        "transport_backlog",
    )

    def __init__(self, limit: int, on_overflow: Callable[[OutboundQueue, int], None]) -> None:
        super().__init__()
        self.limit = limit
        self.on_overflow = on_overflow
        self.queued = 0
        self.taken = 0
        self.aborted = False
        #: Returns the bytes in the socket's TCP write buffer; set by the fast path for a
        #: websocket whose uvicorn protocol it knows (``watch_transport``).
        self.transport_backlog: Callable[[], int] | None = None
        #: The engine.io socket, when the fast path told it (saves a search on overflow).
        self.socket: Any = None

    @property
    def pending(self) -> int:
        """Bytes waiting for this socket: queued, with its consumer and (when known) in TCP."""
        backlog = self.transport_backlog
        return self.queued + self.taken + (backlog() if backlog is not None else 0)

    def watch_transport(self, sock: Any, backlog: Callable[[], int] | None) -> None:
        """Count ``backlog()`` (the transport's write buffer) too, or stop when it is None."""
        self.socket = sock if backlog is not None else self.socket
        self.transport_backlog = backlog

    def put_nowait(self, item: Any) -> None:
        """Queue ``item``; past the bound, report the overflow instead of growing."""
        if self.aborted:
            if item is not None and item.packet_type == eio_packet.MESSAGE:
                return  # the socket is being aborted: nothing can reach its client
            _put_nowait(self, item)
            return
        _put_nowait(self, item)
        data = getattr(item, "data", None)
        # Inline for the usual text packet (the fan-out's hot path); packet_size for the rest.
        size = _getsizeof(data) if data.__class__ is str else packet_size(item)
        self.queued += size
        total = self.queued + self.taken
        backlog = self.transport_backlog
        if total > self.limit or (backlog is not None and total + backlog() > self.limit):
            self.aborted = True
            self.on_overflow(self, self.pending)

    def get_nowait(self) -> Any:
        """Take one packet; its bytes stay counted as taken until the consumer's next ``get``."""
        item = _get_nowait(self)
        data = getattr(item, "data", None)
        size = _getsizeof(data) if data.__class__ is str else packet_size(item)
        self.queued -= size
        self.taken += size
        return item

    async def get(self) -> Any:
        """Wait for a packet; calling it means the consumer is done with its previous batch."""
        self.taken = 0
        return await _get(self)

    def discard(self) -> None:
        """Drop every queued packet now (the socket is aborted: free their memory)."""
        while True:
            if self.empty():
                break
            _get_nowait(self)
            self.task_done()
        self.queued = 0
        self.taken = 0
