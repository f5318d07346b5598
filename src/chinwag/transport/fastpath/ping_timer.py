"""engine.io's ping wait as a cancellable loop timer instead of a sleeping task.

engine.io schedules each ping with ``start_background_task(self._send_ping)``, a task that
sleeps ``ping_interval`` (25 s) and is never cancelled: a socket closed meanwhile stays alive
in that task (its queue, its state, the connection's context) until the sleep ends. After a
handshake flood that is every closed socket for 25 s, and one Task, Future, coroutine and
context per open socket all the time. Here the wait is a ``call_later`` timer kept on the
socket and cancelled when it closes (:func:`cancel`, called by the patched ``close``); the task
that sends the PING is started only when the ping is due. Semantics are engine.io's
``_send_ping``: nothing is sent once the socket is closing or closed.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from engineio import packet as eio_packet

__all__ = ["PING_TIMER", "cancel", "schedule_ping"]

PING_TIMER = "_chinwag_ping_timer"
"""Key of the pending ping timer in an engine.io socket's ``__dict__``."""


def schedule_ping(self: Any) -> None:
    """``AsyncSocket.schedule_ping``: only after the previous ping's cycle completed (and not
    for a socket already closing: its ping would never be sent)."""
    if self.last_ping and not self.closing and not self.closed:
        self.last_ping = None
        loop = asyncio.get_running_loop()
        self.__dict__[PING_TIMER] = loop.call_later(self.server.ping_interval, _ping_due, self)


def _ping_due(sock: Any) -> None:
    sock.__dict__[PING_TIMER] = None
    if not sock.closing and not sock.closed:
        sock.last_ping = time.time()
        sock.server.start_background_task(sock.send, eio_packet.Packet(eio_packet.PING))


def cancel(sock: Any) -> None:
    """Drop ``sock``'s pending ping (it is closing): nothing keeps it alive any longer."""
    timer = sock.__dict__.pop(PING_TIMER, None)
    if timer is not None:
        timer.cancel()
