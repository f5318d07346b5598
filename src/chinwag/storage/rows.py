"""Row → domain object mapping, and domain object → row values."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import RowMapping

from chinwag.domain.conversation import ChatStatus, Conversation
from chinwag.domain.message import (
    Message,
    MessageKind,
    action_data_from_dict,
    attachment_from_dict,
)
from chinwag.storage.schema import messages

MESSAGE_FIELDS: tuple[str, ...] = tuple(messages.c.keys())
"""Every ``messages`` column, in table order: the one list of the message columns. The send
path's INSERT and lookup texts for each driver are made from it (``storage.send.columns``)."""

MESSAGE_COLUMNS = tuple(messages.c[name] for name in MESSAGE_FIELDS if name != "content_hash")
"""The columns ``message_from_row`` needs, in a select-ready tuple."""


class ByName(Protocol):
    """A row read by column name (``RowMapping``, asyncpg's ``Record``, ``sqlite3.Row``)."""

    def __getitem__(self, name: str, /) -> Any: ...


def message_from_values(
    row: ByName, attachments: Any, action: Any, created_at: datetime
) -> Message:
    """Build a ``Message`` from a row holding the columns of ``MESSAGE_COLUMNS``.

    The JSON columns and the timestamp come separately, decoded: each driver stores them its
    own way (SQLAlchemy's types, pysqlite's text, asyncpg's codecs).
    """
    return Message(
        id=row["id"],
        conversation_id=row["conversation_id"],
        seq=row["seq"],
        sender_id=row["sender_id"],
        kind=cast(MessageKind, row["kind"]),
        text=row["text"],
        attachments=tuple(attachment_from_dict(a) for a in attachments or ()),
        action_data=action_data_from_dict(action) if action is not None else None,
        client_nonce=row["client_nonce"],
        created_at=created_at,
    )


def message_from_row(row: RowMapping) -> Message:
    """Build a ``Message`` from a SQLAlchemy row holding ``MESSAGE_COLUMNS``."""
    return message_from_values(row, row["attachments"], row["action_data"], row["created_at"])


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
