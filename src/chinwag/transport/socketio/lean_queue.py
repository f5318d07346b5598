"""An unbounded queue with ``asyncio.Queue``'s interface that holds no memory while it is empty.

Every engine.io socket has a queue, and most of the time it is empty: direct writes
(``chinwag.transport.fastpath.direct_ws``) skip it, and what does go through it is written at
once. ``asyncio.Queue`` allocates four deques up front (items, getters, putters, and its
``join`` event's waiters), each with a 64-slot block: about 3 KB per socket, for 20,000 idle
sockets 60 MB. :class:`LeanQueue` creates its item deque on the first put and drops it when
it empties, and keeps its waiting consumers (engine.io has one) in a list made on demand.

It offers what engine.io and the fast path use: ``put``, ``put_nowait``, ``get``,
``get_nowait``, ``task_done``, ``join``, ``empty`` and ``qsize``, with asyncio's semantics
(FIFO; a cancelled ``get`` loses nothing and passes its wake-up on; ``get_nowait`` raises
``asyncio.QueueEmpty``; ``join`` waits until every item put has been marked done).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any


class LeanQueue:
    """See the module docstring. Unbounded: ``put`` never waits."""

    __slots__ = ("_getters", "_items", "_joiners", "_unfinished")

    def __init__(self) -> None:
        self._items: deque[Any] | None = None
        self._getters: list[asyncio.Future[None]] | None = None
        self._joiners: list[asyncio.Future[None]] | None = None
        self._unfinished = 0

    def qsize(self) -> int:
        """Items in the queue."""
        return len(self._items) if self._items is not None else 0

    def empty(self) -> bool:
        """Whether the queue holds no item."""
        return self._items is None

    def put_nowait(self, item: Any) -> None:
        """Append ``item`` and wake the first waiting consumer."""
        items = self._items
        if items is None:
            items = self._items = deque()
        items.append(item)
        self._unfinished += 1
        self._wake_getter()

    async def put(self, item: Any) -> None:
        """``put_nowait`` (the queue is unbounded)."""
        self.put_nowait(item)

    def get_nowait(self) -> Any:
        """The first item; ``asyncio.QueueEmpty`` when there is none."""
        items = self._items
        if items is None:
            raise asyncio.QueueEmpty
        item = items.popleft()
        if not items:
            self._items = None  # an empty deque still holds its 64-slot block
        return item

    async def get(self) -> Any:
        """Wait for an item and take it."""
        while self._items is None:
            getter = asyncio.get_running_loop().create_future()
            if self._getters is None:
                self._getters = []
            self._getters.append(getter)
            try:
                await getter
            except BaseException:
                getter.cancel()  # in case it was not done
                getters = self._getters
                if getters is not None and getter in getters:
                    getters.remove(getter)
                    if not getters:
                        self._getters = None
                if self._items is not None and not getter.cancelled():
                    # Woken, then cancelled before taking it: the next consumer gets the turn.
                    self._wake_getter()
                raise
        return self.get_nowait()

    def task_done(self) -> None:
        """One item taken earlier is processed; ``join`` returns when none is left."""
        if self._unfinished <= 0:
            raise ValueError("task_done() called too many times")
        self._unfinished -= 1
        if self._unfinished == 0 and self._joiners is not None:
            joiners, self._joiners = self._joiners, None
            for joiner in joiners:
                if not joiner.done():
                    joiner.set_result(None)

    async def join(self) -> None:
        """Wait until every item put has been marked done with ``task_done``."""
        if self._unfinished == 0:
            return
        joiner = asyncio.get_running_loop().create_future()
        if self._joiners is None:
            self._joiners = []
        self._joiners.append(joiner)
        await joiner

    def _wake_getter(self) -> None:
        getters = self._getters
        while getters:
            getter = getters.pop(0)
            if not getter.done():
                getter.set_result(None)
                break
        if not getters:
            self._getters = None
