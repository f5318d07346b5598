"""The storage entry point: engines, transactions, the group-commit send path."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.config import Settings
from chinwag.domain.message import NewMessage
from chinwag.storage.campaigns import CampaignRepository
from chinwag.storage.conversations import ConversationRepository
from chinwag.storage.engine import create_reader_engine, create_writer_engine, is_sqlite
from chinwag.storage.flows import FlowRepository
from chinwag.storage.messages import MessageRepository
from chinwag.storage.outages import OutageLog
from chinwag.storage.reads import ReadRepository
from chinwag.storage.schema import ALL_TABLES
from chinwag.storage.send import SendWriter, StoredMessage, transactions_for
from chinwag.storage.webhooks import WebhookRepository

POSTGRES_SEND_WRITERS = 4


class Session:
    """The repositories over one connection; inside ``Database.write()`` one transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.campaigns = CampaignRepository(conn)
        self.conversations = ConversationRepository(conn)
        self.messages = MessageRepository(conn)
        self.reads = ReadRepository(conn)
        self.flows = FlowRepository(conn)
        self.webhooks = WebhookRepository(conn)


class Database:
    """Engines and the write paths of one database.

    On SQLite every write starts with ``BEGIN IMMEDIATE`` on one of two writer
    connections: the async engine's single pooled one, where concurrent writers queue
    instead of failing with "database is locked", and the send writer's own thread
    (see ``send.transactions``); reads use their own pool. On PostgreSQL one pool
    serves all.

    A database that cannot be reached (a restart, a failover) fails reads, writes and sends
    with ``Unavailable`` and ``retry_after`` (see ``outages``), never with a driver error.
    """

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        max_overflow: int = 20,
        group_commit_max_batch: int = 64,
        send_writers: int | None = None,
        on_batch: Callable[[int, float], None] | None = None,
    ) -> None:
        """``on_batch(sends, seconds)`` is called after every group commit (for metrics)."""
        self.url = url
        self.is_sqlite = is_sqlite(url)
        self._writer = create_writer_engine(url, pool_size=pool_size, max_overflow=max_overflow)
        self._reader = create_reader_engine(url, self._writer, pool_size=pool_size)
        self._outages = OutageLog()
        if send_writers is None:
            send_writers = 1 if self.is_sqlite else POSTGRES_SEND_WRITERS
        self._sends = SendWriter(
            transactions_for(url, self._writer),
            max_batch=group_commit_max_batch,
            writers=send_writers,
            outages=self._outages,
            on_batch=on_batch,
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, *, on_batch: Callable[[int, float], None] | None = None
    ) -> Database:
        """A database configured from ``settings`` (``on_batch``: see the constructor)."""
        return cls(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            group_commit_max_batch=settings.group_commit_max_batch,
            on_batch=on_batch,
        )

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Session]:
        """One write transaction: committed when the block exits normally, else rolled back."""
        async with self._outages.translated(), self._writer.begin() as conn:
            yield Session(conn)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Session]:
        """A read-only snapshot (never committed)."""
        async with self._outages.translated(), self._reader.connect() as conn:
            yield Session(conn)

    async def send(self, item: NewMessage) -> StoredMessage:
        """Store a message through group commit; returns after its transaction committed.

        Raises ``IdempotencyConflict``, ``NotRealTime`` (``item.require_real_time``),
        ``NotFound`` (unknown conversation), ``Unavailable`` (the database cannot be
        reached) or ``Internal``.
        """
        return await self._sends.submit(item)

    async def ping(self) -> None:
        """Run ``SELECT 1`` on a fresh read connection; raises when the database is unreachable."""
        async with self._reader.connect() as conn:
            await conn.execute(select(1))

    async def count_rows(self) -> dict[str, int]:
        """Row count of every table (for tests and diagnostics)."""
        async with self._reader.connect() as conn:
            return {
                t.name: int((await conn.execute(select(func.count()).select_from(t))).scalar_one())
                for t in ALL_TABLES
            }

    async def close(self) -> None:
        """Stop the send writers and dispose of the engines."""
        await self._sends.close()
        await self._writer.dispose()
        if self._reader is not self._writer:
            await self._reader.dispose()
