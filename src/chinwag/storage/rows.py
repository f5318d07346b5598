"""Row → domain object mapping, and domain object → row values."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

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


_IN_ORDER = operator.itemgetter(*(column.name for column in MESSAGE_COLUMNS))


def message_from_values(
    values: Sequence[Any], attachments: Any, action: Any, created_at: datetime
) -> Message:
    """Build a ``Message`` from values in ``MESSAGE_COLUMNS`` order.

    The JSON columns and the timestamp come separately, decoded: each driver stores them its
    own way (SQLAlchemy's types, pysqlite's text, asyncpg's codecs).
    """
    return Message(
        id=values[0],
        conversation_id=values[1],
        seq=values[2],
        sender_id=values[3],
        kind=cast(MessageKind, values[4]),
        text=values[5],
        attachments=tuple(attachment_from_dict(a) for a in attachments or ()),
        action_data=action_data_from_dict(action) if action is not None else None,
        client_nonce=values[8],
        created_at=created_at,
    )


def message_from_row(row: RowMapping) -> Message:
    """Build a ``Message`` from a SQLAlchemy row holding ``MESSAGE_COLUMNS``."""
    return message_from_values(
        _IN_ORDER(row), row["attachments"], row["action_data"], row["created_at"]
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
