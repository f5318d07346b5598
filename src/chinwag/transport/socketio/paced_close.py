"""Closing many sockets without stalling the others: a few at a time, yielding in between.

Sockets that connect in a burst (a handshake flood) reach their auth deadline in the same
burst: a timer per socket, all due in the same turn of the event loop, each closing its socket
at once would run hundreds of closes back to back while every ack of the users who chat waits
behind them. :class:`PacedCloser` queues the sockets and closes :data:`BATCH` at a time,
letting the loop run everything else that is ready between two batches; a close waits at most
for the batches queued before it (2,000 sockets: well under a second).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from chinwag.logs import get_logger

BATCH = 16
"""Sockets closed together before the loop gets a turn (each close is ~0.5 ms of CPU)."""

log = get_logger("chinwag.sockets")


class PacedCloser:
    """Runs ``close(sid)`` for queued sockets, :data:`BATCH` at a time."""

    def __init__(self, close: Callable[[str], Awaitable[None]]) -> None:
        self._close = close
        self._due: deque[str] = deque()
        self._task: asyncio.Task[None] | None = None

    def close_soon(self, sid: str) -> None:
        """Queue ``sid``; its close runs after the batches already queued."""
        self._due.append(sid)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            while self._due:
                batch = [self._due.popleft() for _ in range(min(BATCH, len(self._due)))]
                results = await asyncio.gather(
                    *(self._close(sid) for sid in batch), return_exceptions=True
                )
                for sid, result in zip(batch, results, strict=True):
                    if isinstance(result, Exception):
                        log.error("closing a socket failed", sid=sid, error=repr(result))
                await asyncio.sleep(0)  # the loop's turn: acks and reads waiting meanwhile
        finally:
            self._task = None
