"""What a batch of sends needs to know about its conversations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from chinwag.domain.access import can_access_conversation
from chinwag.domain.conversation import ChatStatus, Conversation
from chinwag.domain.message import NewMessage
from chinwag.domain.principal import Principal

CONTEXT_FIELDS = (
    "id",
    "campaign_id",
    "chat_status",
    "last_seq",
    "created_at",
    "updated_at",
    "participant_id",
)
"""The columns of the context query, in order: a conversation joined with one of its
participants (``participant_id`` is the participant's ``user_id``, None when it has none).

Every driver's query text is made from these names (``columns``), and its rows are unpacked
in this order into locals of the same names: on CPython 3.11 a NamedTuple per row cost
~0.3 µs each (measured), on the path of every send."""

_Conversation = tuple[str, str, int, datetime, datetime]
"""A context row without its participant: campaign_id, chat_status, last_seq, created_at,
updated_at."""

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


def build_contexts(
    rows: Iterable[Sequence[Any]],
    items: Sequence[NewMessage],
    members_of: MembersOf,
    to_datetime: Callable[[Any], datetime] | None = None,
) -> dict[str, SendContext]:
    """Contexts from the conversation × participant rows (``CONTEXT_FIELDS``, in participant
    order). ``to_datetime`` makes the driver's timestamps aware UTC datetimes (None: they are).

    Campaign membership is only asked for senders who are not participants.
    """
    found: dict[str, _Conversation] = {}
    participants: dict[str, list[str]] = defaultdict(list)
    for id_, campaign_id, chat_status, last_seq, created_at, updated_at, participant_id in rows:
        if id_ not in found:
            if to_datetime is not None:
                created_at, updated_at = to_datetime(created_at), to_datetime(updated_at)
            found[id_] = (campaign_id, chat_status, last_seq, created_at, updated_at)
        if participant_id is not None:
            participants[id_].append(participant_id)
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
        campaign_ids = sorted({campaign_id for campaign_id, *_ in found.values()})
        for campaign_id, user_id in members_of(campaign_ids, sorted(outsiders)):
            members[campaign_id].add(user_id)
    return {
        id_: SendContext(
            Conversation(
                id=id_,
                campaign_id=campaign_id,
                chat_status=cast(ChatStatus, chat_status),
                participant_ids=tuple(participants[id_]),
                created_at=created_at,
                updated_at=updated_at,
                last_message=None,
            ),
            last_seq,
            frozenset(members[campaign_id]),
        )
        for id_, (campaign_id, chat_status, last_seq, created_at, updated_at) in found.items()
    }
