"""What a batch of sends needs to know about its conversations, loaded in a few queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, bindparam, select

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
    last_seq: int
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


_CONVERSATIONS = (
    select(conversations, conversation_participants.c.user_id.label("participant_id"))
    .outerjoin(
        conversation_participants,
        conversation_participants.c.conversation_id == conversations.c.id,
    )
    .where(conversations.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(conversations.c.id, conversation_participants.c.user_id)
    .with_for_update(of=conversations)
)

_MEMBERS = select(campaign_members.c.campaign_id, campaign_members.c.user_id).where(
    campaign_members.c.campaign_id.in_(bindparam("campaign_ids", expanding=True)),
    campaign_members.c.user_id.in_(bindparam("user_ids", expanding=True)),
)


def load_send_contexts(conn: Connection, items: Sequence[NewMessage]) -> dict[str, SendContext]:
    """Contexts of every conversation the items name (unknown ones are absent).

    The conversation rows are locked (``FOR UPDATE``, in id order so that concurrent
    batches never deadlock; on SQLite the transaction already holds the write lock):
    ``last_seq`` and ``chat_status`` stay as read until the transaction ends. The
    statements are built once: building and hashing them cost more than running them.
    """
    ids = sorted({item.conversation_id for item in items})
    rows: dict[str, RowMapping] = {}
    participants: dict[str, list[str]] = defaultdict(list)
    for row in conn.execute(_CONVERSATIONS, {"ids": ids}).mappings():
        rows.setdefault(row["id"], row)
        if row["participant_id"] is not None:
            participants[row["id"]].append(row["participant_id"])
    if not rows:
        return {}
    # Campaign membership only matters for senders who are not participants.
    outsiders = {
        item.sender_id
        for item in items
        if item.require_access
        and item.sender_id is not None
        and item.sender_id not in participants[item.conversation_id]
    }
    members: dict[str, set[str]] = defaultdict(set)
    if outsiders:
        campaign_ids = sorted({r["campaign_id"] for r in rows.values()})
        params = {"campaign_ids": campaign_ids, "user_ids": sorted(outsiders)}
        for campaign_id, user_id in conn.execute(_MEMBERS, params):
            members[str(campaign_id)].add(str(user_id))
    return {
        conversation_id: SendContext(
            conversation_from_row(r, tuple(participants[conversation_id]), None),
            r["last_seq"],
            frozenset(members[r["campaign_id"]]),
        )
        for conversation_id, r in rows.items()
    }
