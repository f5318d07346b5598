"""Client garbage: malformed frames and polling bodies are a client's fault, not a server error.

Each is counted (``chinwag_client_garbage_total{kind}``), logged as ONE warning line per socket
per window (socket id, user id, what was wrong; later ones in the window are counted into the
next line's ``repeated``), and a socket that sends more than ``CHINWAG_GARBAGE_LIMIT`` within
``CHINWAG_GARBAGE_WINDOW_S`` is closed (``chinwag_sockets_aborted_total{reason="garbage"}``).
Where garbage is caught: :mod:`~chinwag.transport.observability.edge` (engine.io framing, and
python-socketio's decoding of a message) and :mod:`~chinwag.transport.observability.library_logs`
(what only a library sees, e.g. uvicorn's invalid UTF-8).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from chinwag.config import Settings
from chinwag.logs import get_logger
from chinwag.metrics import CLIENT_GARBAGE
from chinwag.transport.observability.line_budget import LineBudget
from chinwag.transport.socketio import aborts

KINDS = ("engineio_packet", "socketio_packet", "invalid_utf8", "polling_body")
UNKNOWN_SOCKET = "-"
"""Tally of garbage whose socket the library did not say (one budget for all of it)."""
MAX_TRACKED = 4096
"""Sockets tracked at once; past that, sockets that are gone are forgotten."""

log = get_logger("chinwag.garbage")

WhoIs = Callable[[str], tuple[str | None, str | None]]
"""engine.io sid → (Socket.IO sid, user id), either None when unknown."""
Closer = Callable[[str], None]
"""Closes the engine.io socket with that sid."""
Alive = Callable[[str], bool]
"""Whether an engine.io socket with that sid still exists."""


@dataclass(slots=True)
class _Tally:
    budget: LineBudget
    window_start: float = 0.0
    count: int = 0
    closed: bool = False
    kinds: set[str] = field(default_factory=set)


class GarbageMonitor:
    """Counts, logs and bounds the garbage of every socket of this process."""

    def __init__(self, settings: Settings, who_is: WhoIs, close: Closer, alive: Alive) -> None:
        self.limit = settings.garbage_limit
        self.window_s = settings.garbage_window_s
        self.who_is = who_is
        self._close = close
        self._alive = alive
        self._tallies: dict[str, _Tally] = {}
        self._counters = {kind: CLIENT_GARBAGE.labels(kind) for kind in KINDS}

    def report(self, key: str | None, kind: str, detail: str) -> bool:
        """Note one piece of garbage from socket ``key`` (an engine.io sid, or a connection's
        own key before its sid is known; None: unknown socket). True when the socket is now
        over the limit and must be closed (done here for an engine.io sid)."""
        self._counters[kind].inc()
        tally = self._tally(key or UNKNOWN_SOCKET)
        now = asyncio.get_running_loop().time()
        if now - tally.window_start >= self.window_s:
            tally.window_start, tally.count = now, 0
        tally.count += 1
        if tally.budget.take(now):
            sid, user_id = self.who_is(key) if key else (None, None)
            repeated = tally.budget.drain_suppressed()
            extra = {"repeated": repeated} if repeated else {}
            log.warning(
                "client garbage", sid=sid or key, user_id=user_id, kind=kind, detail=detail, **extra
            )
        if key is None or tally.count <= self.limit or tally.closed:
            return False
        tally.closed = True
        aborts.stats.garbage += 1
        sid, user_id = self.who_is(key)
        log.warning(
            "socket closed: too much garbage",
            sid=sid or key,
            user_id=user_id,
            limit=self.limit,
            window_s=self.window_s,
        )
        if self._alive(key):
            self._close(key)
        return True

    def forget(self, key: str) -> None:
        """Drop what is known about ``key`` (its connection ended)."""
        self._tallies.pop(key, None)

    def _tally(self, key: str) -> _Tally:
        tally = self._tallies.get(key)
        if tally is None:
            if len(self._tallies) >= MAX_TRACKED:
                for old in [k for k in self._tallies if not self._alive(k)]:
                    del self._tallies[old]
            tally = self._tallies[key] = _Tally(LineBudget(1, self.window_s))
        return tally


def describe(exc: BaseException) -> str:
    """A short, payload-free description of a decoding error (type and the start of its text)."""
    text = str(exc)
    return f"{type(exc).__name__}: {text[:80]}" if text else type(exc).__name__
