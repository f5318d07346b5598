"""The garbage collector and the allocator around bursts of sockets (a handshake flood).

Each websocket connection is a few hundred tracked objects. The libraries under it used to
leave about seventy of them in reference cycles when it closed (uvicorn's HTTP protocol and its
parser, engine.io's per-request payload class), which waited for a full collection; the fast
path breaks both (``chinwag.transport.fastpath.acyclic``), and a few objects per socket remain
(and all of them when the fast path is off). CPython starts
a full collection whenever the long-lived objects grew by a quarter: while 2,000 sockets
connect at once that is several full collections, each walking every object of the process
(hundreds of milliseconds on one core, every ack waiting behind it). So:

- :func:`tune_collector`, once start-up is over (``chinwag serve`` only: it is process-wide):
  ``gc.freeze()`` moves what start-up created (modules, models, the contract: most of the
  heap) out of every later collection, and a higher third threshold keeps full collections
  from running back to back while a burst of sockets grows the heap;
- :class:`MemoryRelease`: once ``memory_release_after`` sockets have closed, and they are a
  burst (at least :data:`BURST_SHARE` of the sockets still open: a full collection walks every
  open socket's objects, seconds with 20,000 of them, so ordinary churn on a big server is left
  to the collector's own schedule), and no socket has closed for :data:`QUIET_S` (or for
  :data:`MAX_DEFER_S` at most), one full collection frees
  the cycles of the closed sockets and ``malloc_trim(0)`` (glibc only) hands the freed pages
  back to the system, so the process's memory comes back towards its level before the burst
  instead of staying at its high-water mark. What it cannot return: pymalloc's 1 MiB arenas
  that still hold one live object (0-8 MiB after a 2,000-socket flood here, none with
  ``PYTHONMALLOC=malloc``, which costs ~3 KB more per open socket).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Callable

from chinwag.logs import get_logger

QUIET_S = 1.0
"""A burst is over when no socket closed for this long."""
BURST_SHARE = 0.25
"""Closed sockets worth a release, as a share of the sockets still open."""
MAX_DEFER_S = 30.0
"""Sockets that keep closing (steady churn, no quiet second) are released at least this often."""
FULL_COLLECTION_THRESHOLD = 500
"""gc's third threshold (CPython's default: 10): a full collection at most every
700 × 10 × 500 net allocations of tracked objects. After ``gc.freeze()`` the "quarter's
growth" rule no longer spaces them (few objects are left to grow from): the 2,000 sockets of a
flood (~400,000 objects) crossed 100 and paid a full collection mid-burst."""

log = get_logger("chinwag.memory")


def tune_collector() -> None:
    """Freeze what start-up allocated and space full collections out (see the module doc)."""
    gc.collect()
    gc.freeze()
    first, second, _ = gc.get_threshold()
    gc.set_threshold(first, second, FULL_COLLECTION_THRESHOLD)


def _malloc_trim() -> Callable[[], object] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


class MemoryRelease:
    """Collects and trims once a burst of at least ``after`` closed sockets is over;
    ``open_sockets`` counts the sockets still open (see :data:`BURST_SHARE`)."""

    def __init__(self, after: int, open_sockets: Callable[[], int]) -> None:
        self.after = after
        self.open_sockets = open_sockets
        self.closed = 0
        self.releases = 0
        self._last_close = 0.0
        self._first_close = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._trim = _malloc_trim()

    def socket_closed(self) -> None:
        """Count one closed socket (cheap: called on every disconnect)."""
        if self.after <= 0:
            return
        loop = asyncio.get_running_loop()
        if self.closed == 0:
            self._first_close = loop.time()
        self.closed += 1
        self._last_close = loop.time()
        if self._timer is None and self.closed >= self.after:
            self._timer = loop.call_later(QUIET_S, self._check)

    def _check(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        quiet_for = now - self._last_close
        if quiet_for < QUIET_S and now - self._first_close < MAX_DEFER_S:
            # Still closing: look again when it may be over.
            self._timer = loop.call_later(QUIET_S - quiet_for, self._check)
            return
        self._timer = None
        if self.closed >= BURST_SHARE * self.open_sockets():
            self.release()
        else:  # churn among many open sockets: the collector's own schedule frees it
            self.closed = 0

    def release(self) -> None:
        """Free the closed sockets' cycles now and return free memory to the system."""
        closed, self.closed = self.closed, 0
        collected = gc.collect()
        if self._trim is not None:
            self._trim()
        self.releases += 1
        log.info("memory released", closed_sockets=closed, collected_objects=collected)
