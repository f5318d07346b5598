"""Where a send batch's synchronous statements run: one call, one transaction.

On SQLite the batch runs in a thread of its own over a synchronous connection, so a
batch costs one hop between the event loop and that thread. Through aiosqlite every
statement cost several hops (cursor, execute, fetch, close), and on one core those
context switches and the GIL hand-offs cost more CPU than SQLite's work. Elsewhere
(PostgreSQL) ``AsyncConnection.run_sync`` runs the same function on a pooled connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from typing import Protocol, TypeVar

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.storage.engine import create_sqlite_send_engine

T = TypeVar("T")


class BatchTransactions(Protocol):
    """Runs a synchronous function in a transaction of its own; committed when it returns."""

    async def run(self, fn: Callable[[Connection], T]) -> T:
        """``fn(conn)`` inside a transaction; rolled back when it raises."""
        ...

    async def close(self) -> None:
        """Release connections and threads (after the last ``run``)."""
        ...


class AsyncEngineTransactions:
    """Transactions from an async engine, the function run through ``run_sync``."""

    def __init__(self, begin: Callable[[], AbstractAsyncContextManager[AsyncConnection]]) -> None:
        self._begin = begin

    async def run(self, fn: Callable[[Connection], T]) -> T:
        """``fn(conn)`` in a new transaction of the engine."""
        async with self._begin() as conn:
            return await conn.run_sync(fn)

    async def close(self) -> None:
        """Nothing of its own to release (the engine's owner disposes of it)."""


class SqliteThreadTransactions:
    """A synchronous SQLite writer connection, used from one thread only."""

    def __init__(self, url: str) -> None:
        self._engine = create_sqlite_send_engine(url)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chinwag-send-writer")

    async def run(self, fn: Callable[[Connection], T]) -> T:
        """``fn(conn)`` in a ``BEGIN IMMEDIATE`` transaction, on the writer thread."""
        return await asyncio.get_running_loop().run_in_executor(
            self._thread, self._in_transaction, fn
        )

    def _in_transaction(self, fn: Callable[[Connection], T]) -> T:
        with self._engine.begin() as conn:
            return fn(conn)

    async def close(self) -> None:
        """Let a running batch finish, then close the connection on its own thread."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._engine.dispose)
        self._thread.shutdown(wait=True)
