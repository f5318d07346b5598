"""Group commit for message inserts: many concurrent sends, one transaction.

Each caller's future resolves only after the transaction holding its message commits.
The batch's statements are ``batch.write_batch``. If a batch fails anyway (a retry
racing its original in another transaction on PostgreSQL, any unexpected error) it is
rolled back whole, so the counters leave no gap, and its items are redone one
transaction each; a unique violation on the nonce then means the original has committed
meanwhile, and it is read and returned. A batch that fails because the database cannot be
reached is not redone: each of its sends fails with ``Unavailable`` (the client retries with
the same nonce, which also settles a COMMIT whose outcome the lost connection hid).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from asyncpg.exceptions import UniqueViolationError
from sqlalchemy.exc import IntegrityError

from chinwag.domain.message import NewMessage
from chinwag.errors import ChinwagError, Internal
from chinwag.storage.outages import OutageLog, is_outage
from chinwag.storage.send.batch import Outcome, StoredMessage, compare, key_of, write_batch
from chinwag.storage.send.statements import BatchStatements
from chinwag.storage.send.transactions import BatchTransactions

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Pending:
    item: NewMessage
    future: asyncio.Future[StoredMessage]


class SendWriter:
    """Batches concurrent message inserts into shared transactions (group commit)."""

    def __init__(
        self,
        transactions: BatchTransactions,
        *,
        max_batch: int = 64,
        writers: int = 1,
        outages: OutageLog | None = None,
        on_batch: Callable[[int, float], None] | None = None,
    ) -> None:
        self._transactions = transactions
        self._outages = outages or OutageLog()
        self._max_batch = max_batch
        self._writers = writers
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        #: Called after each group commit with (sends in the batch, seconds it took): metrics.
        self.on_batch = on_batch

    async def submit(self, item: NewMessage) -> StoredMessage:
        """Store ``item`` (or find its original); returns once the transaction committed."""
        if not self._tasks:
            self._tasks = [asyncio.create_task(self._run()) for _ in range(self._writers)]
        future: asyncio.Future[StoredMessage] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(item, future))
        return await future

    async def close(self) -> None:
        """Stop the writer tasks; sends still queued fail with ``Internal``."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        while not self._queue.empty():
            _fail(self._queue.get_nowait(), Internal("shutting down"))
        await self._transactions.close()

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            started = time.perf_counter()
            try:
                await self._commit(batch)
                if self.on_batch is not None:
                    self.on_batch(len(batch), time.perf_counter() - started)
            except asyncio.CancelledError:
                # The outcome is unknown to us now: a retry with the same nonce will tell.
                for pending in batch:
                    _fail(pending, Internal("shutting down"))
                raise
            except Exception as exc:  # never let the writer die: fail the batch instead
                outage = is_outage(exc)
                if not outage:
                    log.exception("group commit failed")
                for pending in batch:
                    _fail(pending, self._outages.unavailable(exc) if outage else Internal())

    async def _commit(self, batch: list[_Pending]) -> None:
        items = [p.item for p in batch]
        try:
            outcomes = await self._transactions.run(partial(write_batch, items=items))
        except Exception as exc:
            if is_outage(exc):
                raise  # redoing it one send at a time would only fail each one again
            if len(batch) == 1:
                outcomes = [await self._redo_single(batch[0].item, exc)]
            else:
                for pending in batch:
                    await self._commit([pending])
                return
        for pending, outcome in zip(batch, outcomes, strict=True):
            if pending.future.done():
                continue
            if isinstance(outcome, ChinwagError):
                pending.future.set_exception(outcome)
            else:
                pending.future.set_result(outcome)

    async def _redo_single(self, item: NewMessage, exc: Exception) -> Outcome:
        # The drivers' own errors: the send path runs on pysqlite or asyncpg directly.
        unique_violation = IntegrityError | sqlite3.IntegrityError | UniqueViolationError
        if isinstance(exc, unique_violation) and key_of(item) is not None:
            found = await self._transactions.run(partial(_find_original, item=item))
            if found is not None:
                return found
        log.error("message insert failed", exc_info=exc)
        return Internal()


def _find_original(statements: BatchStatements, item: NewMessage) -> Outcome | None:
    key = key_of(item)
    if key is None:
        return None
    existing = statements.lookup([key])
    context = statements.contexts([item]).get(item.conversation_id)
    if key not in existing or context is None:
        return None
    return compare(item, *existing[key], context.conversation)


def _fail(pending: _Pending, error: ChinwagError) -> None:
    if not pending.future.done():
        pending.future.set_exception(error)
