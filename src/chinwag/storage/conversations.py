"""Conversation repository (participants, chat_status, listing with unread counts)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from chinwag.domain.conversation import ChatStatus, Conversation
from chinwag.domain.message import Message
from chinwag.domain.principal import Principal
from chinwag.domain.time import utc_now
from chinwag.storage.rows import (
    MESSAGE_COLUMNS,
    conversation_from_row,
    message_from_row,
)
from chinwag.storage.schema import (
    campaign_members,
    conversation_participants,
    conversations,
    message_reads,
    messages,
)


class ConversationRepository:
    """Conversations and their participants, on one connection/transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def create(
        self, campaign_id: str, chat_status: ChatStatus, participant_ids: Sequence[str]
    ) -> Conversation:
        """Insert a conversation (the campaign must exist: a foreign key)."""
        now = utc_now()
        conversation = Conversation(
            id=str(uuid.uuid4()),
            campaign_id=campaign_id,
            chat_status=chat_status,
            participant_ids=tuple(sorted(set(participant_ids))),
            created_at=now,
            updated_at=now,
        )
        await self._conn.execute(
            insert(conversations).values(
                id=conversation.id,
                campaign_id=campaign_id,
                chat_status=chat_status,
                last_seq=0,
                created_at=now,
                updated_at=now,
            )
        )
        await self._set_participants(conversation.id, conversation.participant_ids)
        return conversation

    async def get(self, conversation_id: str) -> Conversation | None:
        """The conversation with participants and last message, or None."""
        found = await self._load(conversations.c.id == conversation_id)
        return found[0] if found else None

    async def update(
        self,
        conversation_id: str,
        *,
        chat_status: ChatStatus | None = None,
        participant_ids: Sequence[str] | None = None,
    ) -> tuple[Conversation, Conversation] | None:
        """Change status and/or participants; returns (before, after), or None when unknown."""
        before = await self.get(conversation_id)
        if before is None:
            return None
        now = utc_now()
        values: dict[str, object] = {"updated_at": now}
        if chat_status is not None:
            values["chat_status"] = chat_status
        await self._conn.execute(
            update(conversations).where(conversations.c.id == conversation_id).values(**values)
        )
        if participant_ids is not None:
            await self._conn.execute(
                delete(conversation_participants).where(
                    conversation_participants.c.conversation_id == conversation_id
                )
            )
            await self._set_participants(conversation_id, sorted(set(participant_ids)))
        after = await self.get(conversation_id)
        assert after is not None
        return before, after

    async def list_for(self, principal: Principal) -> list[tuple[Conversation, int]]:
        """Conversations the principal may read, newest activity first, with unread counts.

        A user sees conversations they participate in or whose campaign they belong to;
        the service role sees all. Unread = messages not sent by them and not read by them.
        """
        if principal.is_service:
            condition: ColumnElement[bool] = conversations.c.id.is_not(None)
        else:
            user = principal.user_id
            condition = or_(
                conversations.c.id.in_(
                    select(conversation_participants.c.conversation_id).where(
                        conversation_participants.c.user_id == user
                    )
                ),
                conversations.c.campaign_id.in_(
                    select(campaign_members.c.campaign_id).where(campaign_members.c.user_id == user)
                ),
            )
        found = await self._load(condition)
        unread = await self._unread_counts([c.id for c in found], principal.user_id)
        return [(c, unread.get(c.id, 0)) for c in found]

    async def _load(self, condition: ColumnElement[bool]) -> list[Conversation]:
        rows = (
            (
                await self._conn.execute(
                    select(conversations)
                    .where(condition)
                    .order_by(conversations.c.updated_at.desc(), conversations.c.id)
                )
            )
            .mappings()
            .all()
        )
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        participants: dict[str, list[str]] = defaultdict(list)
        result = await self._conn.execute(
            select(
                conversation_participants.c.conversation_id,
                conversation_participants.c.user_id,
            )
            .where(conversation_participants.c.conversation_id.in_(ids))
            .order_by(conversation_participants.c.user_id)
        )
        for conversation_id, user_id in result:
            participants[str(conversation_id)].append(str(user_id))
        last = await self._last_messages(ids)
        return [
            conversation_from_row(r, tuple(participants[r["id"]]), last.get(r["id"])) for r in rows
        ]

    async def _last_messages(self, ids: list[str]) -> dict[str, Message]:
        # last_seq is always the highest stored seq: the counter never leaves a gap.
        result = await self._conn.execute(
            select(*MESSAGE_COLUMNS)
            .join(
                conversations,
                and_(
                    conversations.c.id == messages.c.conversation_id,
                    conversations.c.last_seq == messages.c.seq,
                ),
            )
            .where(conversations.c.id.in_(ids))
        )
        return {row["conversation_id"]: message_from_row(row) for row in result.mappings()}

    async def _unread_counts(self, ids: list[str], reader_id: str) -> dict[str, int]:
        if not ids:
            return {}
        read = select(message_reads.c.message_id).where(
            message_reads.c.message_id == messages.c.id,
            message_reads.c.reader_id == reader_id,
        )
        result = await self._conn.execute(
            select(messages.c.conversation_id, func.count(messages.c.id))
            .where(
                messages.c.conversation_id.in_(ids),
                messages.c.sender_id.is_distinct_from(reader_id),
                ~read.exists(),
            )
            .group_by(messages.c.conversation_id)
        )
        return {str(row[0]): int(row[1]) for row in result}

    async def _set_participants(self, conversation_id: str, user_ids: Sequence[str]) -> None:
        if user_ids:
            await self._conn.execute(
                insert(conversation_participants),
                [{"conversation_id": conversation_id, "user_id": u} for u in user_ids],
            )
