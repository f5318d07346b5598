"""Row → domain object mapping, and domain object → row values."""

from __future__ import annotations

from typing import cast

from sqlalchemy import RowMapping

from chinwag.domain.conversation import ChatStatus, Conversation
from chinwag.domain.message import (
    Message,
    MessageKind,
    action_data_from_dict,
    attachment_from_dict,
)
from chinwag.storage.schema import messages

MESSAGE_COLUMNS = (
    messages.c.id,
    messages.c.conversation_id,
    messages.c.seq,
    messages.c.sender_id,
    messages.c.kind,
    messages.c.text,
    messages.c.attachments,
    messages.c.action_data,
    messages.c.client_nonce,
    messages.c.created_at,
)
"""The columns ``message_from_row`` needs, in a select-ready tuple."""


def message_from_row(row: RowMapping) -> Message:
    """Build a ``Message`` from a row holding ``MESSAGE_COLUMNS``."""
    action = row["action_data"]
    return Message(
        id=row["id"],
        conversation_id=row["conversation_id"],
        seq=row["seq"],
        sender_id=row["sender_id"],
        kind=cast(MessageKind, row["kind"]),
        text=row["text"],
        attachments=tuple(attachment_from_dict(a) for a in row["attachments"] or ()),
        action_data=action_data_from_dict(action) if action is not None else None,
        client_nonce=row["client_nonce"],
        created_at=row["created_at"],
    )


def conversation_from_row(
    row: RowMapping,
    participant_ids: tuple[str, ...],
    last_message: Message | None,
) -> Conversation:
    """Build a ``Conversation`` from a ``conversations`` row plus its participants."""
    return Conversation(
        id=row["id"],
        campaign_id=row["campaign_id"],
        chat_status=cast(ChatStatus, row["chat_status"]),
        participant_ids=participant_ids,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        last_message=last_message,
    )
