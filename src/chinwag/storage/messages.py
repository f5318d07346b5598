"""Message repository: reading pages of a conversation's messages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.domain.message import PAGE_MAX, Message
from chinwag.storage.rows import MESSAGE_COLUMNS, message_from_row
from chinwag.storage.schema import messages

DEFAULT_PAGE = 50


def clamp_limit(limit: int | None, default: int = DEFAULT_PAGE) -> int:
    """Page size within 1..PAGE_MAX (None → ``default``)."""
    if limit is None:
        return default
    return max(1, min(PAGE_MAX, limit))


class MessageRepository:
    """Messages of conversations, on one connection/transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, message_id: str) -> Message | None:
        """One message by id, or None."""
        row = (
            (await self._conn.execute(select(*MESSAGE_COLUMNS).where(messages.c.id == message_id)))
            .mappings()
            .first()
        )
        return message_from_row(row) if row is not None else None

    async def page(
        self,
        conversation_id: str,
        *,
        after_seq: int | None = None,
        before_seq: int | None = None,
        limit: int | None = None,
    ) -> list[Message]:
        """A page in ascending seq; with ``before_seq`` (and no ``after_seq``) the newest below it.

        Without bounds: the first ``limit`` messages.
        """
        size = clamp_limit(limit)
        query = select(*MESSAGE_COLUMNS).where(messages.c.conversation_id == conversation_id)
        if after_seq is not None:
            query = query.where(messages.c.seq > after_seq)
        if before_seq is not None:
            query = query.where(messages.c.seq < before_seq)
        newest_first = before_seq is not None and after_seq is None
        query = query.order_by(messages.c.seq.desc() if newest_first else messages.c.seq)
        rows = (await self._conn.execute(query.limit(size))).mappings().all()
        found = [message_from_row(r) for r in rows]
        return found[::-1] if newest_first else found

    async def after(
        self, conversation_id: str, after_seq: int, limit: int | None = None
    ) -> tuple[list[Message], bool]:
        """Messages with seq > ``after_seq`` (≤ 200 a page) and whether more follow."""
        size = clamp_limit(limit, default=PAGE_MAX)
        rows = (
            (
                await self._conn.execute(
                    select(*MESSAGE_COLUMNS)
                    .where(
                        messages.c.conversation_id == conversation_id,
                        messages.c.seq > after_seq,
                    )
                    .order_by(messages.c.seq)
                    .limit(size + 1)
                )
            )
            .mappings()
            .all()
        )
        return [message_from_row(r) for r in rows[:size]], len(rows) > size
