"""Read receipts repository."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.storage.schema import message_reads, messages

CHUNK = 500


class ReadRepository:
    """Who read which message, on one connection/transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def mark_read(
        self,
        conversation_id: str,
        reader_id: str,
        read_at: datetime,
        *,
        message_ids: Sequence[str] | None = None,
        up_to_message_id: str | None = None,
    ) -> list[str]:
        """Mark messages read; returns only the newly read ids, in seq order.

        Takes ``message_ids`` or ``up_to_message_id`` (every message with seq ≤ that
        one's). Unknown ids and ids of other conversations are ignored; the reader's
        own messages are never marked.
        """
        query = select(messages.c.id).where(
            messages.c.conversation_id == conversation_id,
            messages.c.sender_id.is_distinct_from(reader_id),
            ~select(message_reads.c.message_id)
            .where(
                message_reads.c.message_id == messages.c.id,
                message_reads.c.reader_id == reader_id,
            )
            .exists(),
        )
        if message_ids is not None:
            if not message_ids:
                return []
            query = query.where(messages.c.id.in_(list(dict.fromkeys(message_ids))))
        elif up_to_message_id is not None:
            bound = (
                select(messages.c.seq)
                .where(
                    messages.c.id == up_to_message_id,
                    messages.c.conversation_id == conversation_id,
                )
                .scalar_subquery()
            )
            query = query.where(messages.c.seq <= bound)
        else:
            raise ValueError("message_ids or up_to_message_id is required")
        candidates: list[str] = list(
            (await self._conn.execute(query.order_by(messages.c.seq))).scalars()
        )
        if not candidates:
            return []
        dialect = sqlite if self._conn.dialect.name == "sqlite" else postgresql
        inserted: set[str] = set()
        for start in range(0, len(candidates), CHUNK):
            rows = [
                {"message_id": m, "reader_id": reader_id, "read_at": read_at}
                for m in candidates[start : start + CHUNK]
            ]
            stmt = (
                dialect.insert(message_reads)
                .values(rows)
                .on_conflict_do_nothing()
                .returning(message_reads.c.message_id)
            )
            # A concurrent reader may have just inserted some: RETURNING lists only ours.
            inserted.update((await self._conn.execute(stmt)).scalars())
        return [m for m in candidates if m in inserted]
