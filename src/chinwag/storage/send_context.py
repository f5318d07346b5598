"""What a batch of sends needs to know about its conversations, loaded in a few queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.domain.access import can_access_conversation
from chinwag.domain.conversation import Conversation
from chinwag.domain.message import NewMessage
from chinwag.domain.principal import Principal
from chinwag.storage.rows import conversation_from_row
from chinwag.storage.schema import campaign_members, conversation_participants, conversations


@dataclass(frozen=True, slots=True)
class SendContext:
    """A conversation as the batch found it, and which of the batch's senders staff its campaign."""

    conversation: Conversation
    member_senders: frozenset[str]

    def allows(self, item: NewMessage) -> bool:
        """Whether ``item`` may be stored (access is only checked when the item asks for it)."""
        if not item.require_access:
            return True
        if item.sender_id is None:
            return False
        return can_access_conversation(
            Principal(item.sender_id), self.conversation, self.member_senders
        )


async def load_send_contexts(
    conn: AsyncConnection, items: Sequence[NewMessage]
) -> dict[str, SendContext]:
    """Contexts of every conversation the items name (unknown ones are absent)."""
    ids = {item.conversation_id for item in items}
    rows = (
        (await conn.execute(select(conversations).where(conversations.c.id.in_(ids))))
        .mappings()
        .all()
    )
    if not rows:
        return {}
    participants: dict[str, list[str]] = defaultdict(list)
    result = await conn.execute(
        select(conversation_participants.c.conversation_id, conversation_participants.c.user_id)
        .where(conversation_participants.c.conversation_id.in_(ids))
        .order_by(conversation_participants.c.user_id)
    )
    for row in result:
        participants[str(row[0])].append(str(row[1]))
    senders = {item.sender_id for item in items if item.require_access and item.sender_id}
    members: dict[str, set[str]] = defaultdict(set)
    if senders:
        result = await conn.execute(
            select(campaign_members.c.campaign_id, campaign_members.c.user_id).where(
                campaign_members.c.campaign_id.in_({r["campaign_id"] for r in rows}),
                campaign_members.c.user_id.in_(senders),
            )
        )
        for row in result:
            members[str(row[0])].add(str(row[1]))
    return {
        r["id"]: SendContext(
            conversation_from_row(r, tuple(participants[r["id"]]), None),
            frozenset(members[r["campaign_id"]]),
        )
        for r in rows
    }
