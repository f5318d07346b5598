"""Where a send batch's synchronous statements run: one call, one transaction.

On SQLite the batch runs in a thread of its own over a synchronous connection, so a
batch costs one hop between the event loop and that thread. Through aiosqlite every
statement cost several hops (cursor, execute, fetch, close), and on one core those
context switches and the GIL hand-offs cost more CPU than SQLite's work. On PostgreSQL
the batch runs in a greenlet on a pooled connection's asyncpg driver, in asyncpg's own
transaction (``AsyncpgTransactions``); any other async driver gets SQLAlchemy Core through
``AsyncConnection.run_sync``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, TypeVar

from asyncpg.exceptions import IntegrityConstraintViolationError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util import greenlet_spawn

from chinwag.storage.engine import create_sqlite_send_engine, is_sqlite
from chinwag.storage.send.asyncpg_statements import AsyncpgStatements
from chinwag.storage.send.core_statements import CoreStatements
from chinwag.storage.send.sqlite_statements import SqliteStatements
from chinwag.storage.send.statements import BatchStatements

T = TypeVar("T")


class BatchTransactions(Protocol):
    """Runs a synchronous function in a transaction of its own; committed when it returns."""

    async def run(self, fn: Callable[[BatchStatements], T]) -> T:
        """``fn(statements)`` inside a transaction; rolled back when it raises."""
        ...

    async def close(self) -> None:
        """Release connections and threads (after the last ``run``)."""
        ...


def transactions_for(url: str, writer: AsyncEngine) -> BatchTransactions:
    """The send path for the database at ``url`` (``writer`` is its async writer engine)."""
    if is_sqlite(url):
        return SqliteThreadTransactions(url)
    if writer.dialect.driver == "asyncpg":
        return AsyncpgTransactions(writer)
    return AsyncEngineTransactions(writer.begin)


class AsyncEngineTransactions:
    """Transactions from an async engine, the function run through ``run_sync``."""

    def __init__(self, begin: Callable[[], AbstractAsyncContextManager[AsyncConnection]]) -> None:
        self._begin = begin

    async def run(self, fn: Callable[[BatchStatements], T]) -> T:
        """``fn(statements)`` in a new transaction of the engine."""
        async with self._begin() as conn:
            return await conn.run_sync(lambda sync_conn: fn(CoreStatements(sync_conn)))

    async def close(self) -> None:
        """Nothing of its own to release (the engine's owner disposes of it)."""


class SqliteThreadTransactions:
    """A synchronous SQLite writer connection, used from one thread only."""

    def __init__(self, url: str) -> None:
        self._engine = create_sqlite_send_engine(url)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chinwag-send-writer")

    async def run(self, fn: Callable[[BatchStatements], T]) -> T:
        """``fn(statements)`` in a ``BEGIN IMMEDIATE`` transaction, on the writer thread."""
        return await asyncio.get_running_loop().run_in_executor(
            self._thread, self._in_transaction, fn
        )

    def _in_transaction(self, fn: Callable[[BatchStatements], T]) -> T:
        with self._engine.begin() as conn:
            driver = conn.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            return fn(SqliteStatements(driver))

    async def close(self) -> None:
        """Let a running batch finish, then close the connection on its own thread."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._engine.dispose)
        self._thread.shutdown(wait=True)


class AsyncpgTransactions:
    """asyncpg transactions on connections of the engine's pool, the batch in a greenlet."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def run(self, fn: Callable[[BatchStatements], T]) -> T:
        """``fn(statements)`` in an asyncpg transaction on a pooled connection.

        SQLAlchemy never starts a transaction of its own on the connection (nothing is
        executed through it), and the pool's reset on return finds nothing to roll back.
        """
        async with self._engine.connect() as conn:
            pooled = await conn.get_raw_connection()
            driver: Any = pooled.driver_connection
            assert driver is not None
            try:
                async with driver.transaction():
                    return await greenlet_spawn(fn, AsyncpgStatements(driver))
            except IntegrityConstraintViolationError:
                raise  # a retry racing its original: the connection is fine
            except Exception:
                await _report_disconnect(conn)
                raise

    async def close(self) -> None:
        """Nothing of its own to release (the engine's owner disposes of it)."""


async def _report_disconnect(conn: AsyncConnection) -> None:
    """Let SQLAlchemy see whether the connection is gone, as it would have on its own path.

    If it is, SQLAlchemy's disconnect handling invalidates it and every older connection of
    the pool (a server restart or failover drops them all), so the retry gets a fresh one.
    asyncpg does not always know yet (an "admin shutdown" error arrives before the close),
    so the probe runs after any failure but a constraint violation; it costs a round trip
    on a healthy connection, and failures are rare.

    The failed connection itself is discarded either way: a statement that failed midway
    (the server terminated the session during it) can leave asyncpg's protocol busy ("another
    operation is in progress"), and returned to the pool it would fail every later batch.
    """
    with contextlib.suppress(Exception):
        await conn.exec_driver_sql("SELECT 1")
    if not conn.invalidated:
        with contextlib.suppress(Exception):
            await conn.invalidate()
