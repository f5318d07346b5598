"""What a batch of sends needs to know about its conversations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from chinwag.domain.access import can_access_conversation
from chinwag.domain.conversation import ChatStatus, Conversation
from chinwag.domain.message import NewMessage
from chinwag.domain.principal import Principal

ContextRow = tuple[str, str, str, int, datetime, datetime, str | None]
"""A conversation joined with one participant: id, campaign_id, chat_status, last_seq,
created_at, updated_at, participant user id (None when it has none)."""

MembersOf = Callable[[Sequence[str], Sequence[str]], Iterable[tuple[str, str]]]
"""(campaign ids, user ids) → the (campaign_id, user_id) memberships among them."""


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


def typed_context_rows(
    rows: Iterable[Sequence[Any]], to_datetime: Callable[[Any], datetime]
) -> Iterator[ContextRow]:
    """A driver's raw context rows, with its timestamps made aware UTC datetimes."""
    for id_, campaign_id, status, last_seq, created, updated, participant in rows:
        yield (
            id_,
            campaign_id,
            status,
            last_seq,
            to_datetime(created),
            to_datetime(updated),
            participant,
        )


def build_contexts(
    rows: Iterable[ContextRow], items: Sequence[NewMessage], members_of: MembersOf
) -> dict[str, SendContext]:
    """Contexts from the conversation × participant rows (in participant order).

    Campaign membership is only asked for senders who are not participants.
    """
    found: dict[str, ContextRow] = {}
    participants: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        found.setdefault(row[0], row)
        if row[6] is not None:
            participants[row[0]].append(row[6])
    if not found:
        return {}
    outsiders = {
        item.sender_id
        for item in items
        if item.require_access
        and item.sender_id is not None
        and item.sender_id not in participants[item.conversation_id]
    }
    members: dict[str, set[str]] = defaultdict(set)
    if outsiders:
        campaign_ids = sorted({row[1] for row in found.values()})
        for campaign_id, user_id in members_of(campaign_ids, sorted(outsiders)):
            members[campaign_id].add(user_id)
    return {
        conversation_id: SendContext(
            Conversation(
                id=conversation_id,
                campaign_id=campaign_id,
                chat_status=cast(ChatStatus, chat_status),
                participant_ids=tuple(participants[conversation_id]),
                created_at=created_at,
                updated_at=updated_at,
                last_message=None,
            ),
            last_seq,
            frozenset(members[campaign_id]),
        )
        for conversation_id, (
            _,
            campaign_id,
            chat_status,
            last_seq,
            created_at,
            updated_at,
            _,
        ) in found.items()
    }
