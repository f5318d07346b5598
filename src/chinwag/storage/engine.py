"""Engine construction: SQLite pragmas and single-writer setup, PostgreSQL pool sizes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

SQLITE_BUSY_TIMEOUT_MS = 10_000


def is_sqlite(url: str) -> bool:
    """True for SQLite URLs."""
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_setup(engine: Engine, *, immediate: bool) -> None:
    """WAL, busy timeout, synchronous=NORMAL and foreign keys on every connection.

    Transactions are started by us (the driver's implicit BEGIN is off) so that the
    writer can use ``BEGIN IMMEDIATE``: a deferred BEGIN that later upgrades to a
    write lock fails with "database is locked" and the busy timeout does not help.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The busy timeout first: switching to WAL needs a lock another starter may hold.
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_writer_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20) -> AsyncEngine:
    """The engine writes go through: one connection with BEGIN IMMEDIATE on SQLite."""
    if is_sqlite(url):
        engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_timeout=60)
        _sqlite_setup(engine.sync_engine, immediate=True)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=max_overflow)


def create_sqlite_send_engine(url: str) -> Engine:
    """A synchronous (pysqlite) engine over the same SQLite file, for the send writer thread.

    A second writer connection beside the async writer's: both start with ``BEGIN
    IMMEDIATE``, so they take turns at the write lock (the busy timeout waits).
    """
    sync_url = make_url(url).set(drivername="sqlite")
    engine = create_engine(sync_url, pool_size=1, max_overflow=0, pool_timeout=60)
    _sqlite_setup(engine, immediate=True)
    return engine


def create_reader_engine(url: str, writer: AsyncEngine, *, pool_size: int = 10) -> AsyncEngine:
    """The engine reads go through: a separate pool on SQLite (WAL readers never block)."""
    if is_sqlite(url):
        engine = create_async_engine(url, pool_size=pool_size, max_overflow=0)
        _sqlite_setup(engine.sync_engine, immediate=False)
        return engine
    return writer


def create_migration_engine(url: str) -> AsyncEngine:
    """A throwaway engine for migrations (BEGIN IMMEDIATE on SQLite serialises migrators)."""
    engine = create_async_engine(url, poolclass=NullPool)
    if is_sqlite(url):
        _sqlite_setup(engine.sync_engine, immediate=True)
    return engine
