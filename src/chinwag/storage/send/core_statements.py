"""A send batch's statements through SQLAlchemy Core (any dialect; the column types convert)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, TextualSelect, bindparam, insert, select, text, update

from chinwag.domain.message import Message, NewMessage
from chinwag.storage.rows import MESSAGE_FIELDS, message_from_row
from chinwag.storage.schema import campaign_members, conversation_participants, conversations
from chinwag.storage.schema import messages as messages_table
from chinwag.storage.send.columns import (
    CONTEXT_COLUMNS,
    LOOKUP_COLUMNS,
    lookup_sql,
    message_values,
)
from chinwag.storage.send.context import SendContext, build_contexts
from chinwag.storage.send.statements import Found, Key

# Built once: building and cache-keying statements cost more than running them.
_CONTEXTS = (
    select(*CONTEXT_COLUMNS)
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
_INSERT = insert(messages_table)
_BUMP = (
    update(conversations)
    .where(conversations.c.id == bindparam("b_id"))
    .values(last_seq=bindparam("b_last_seq"), updated_at=bindparam("b_now"))
)


@functools.lru_cache(maxsize=256)
def _lookup(size: int) -> TextualSelect:
    return text(lookup_sql(size, "(:s{i}, :n{i})")).columns(*LOOKUP_COLUMNS)


def _same(value: object) -> object:
    return value


class CoreStatements:
    """Statements on a SQLAlchemy connection, inside its open transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def contexts(self, items: Sequence[NewMessage]) -> dict[str, SendContext]:
        ids = sorted({item.conversation_id for item in items})
        rows = self._conn.execute(_CONTEXTS, {"ids": ids})
        return build_contexts(rows, items, self._members)

    def _members(self, campaign_ids: Sequence[str], user_ids: Sequence[str]) -> list[Key]:
        params = {"campaign_ids": campaign_ids, "user_ids": user_ids}
        return [(str(c), str(u)) for c, u in self._conn.execute(_MEMBERS, params)]

    def lookup(self, keys: Sequence[Key]) -> Found:
        unique = sorted(set(keys))
        if not unique:
            return {}
        params = {}
        for i, (sender_id, client_nonce) in enumerate(unique):
            params[f"s{i}"] = sender_id
            params[f"n{i}"] = client_nonce
        return {
            (row["sender_id"], row["client_nonce"]): (message_from_row(row), row["content_hash"])
            for row in self._conn.execute(_lookup(len(unique)), params).mappings()
        }

    def bump(self, last_seqs: Sequence[tuple[str, int]], now: datetime) -> None:
        rows = [{"b_id": c, "b_last_seq": seq, "b_now": now} for c, seq in last_seqs]
        self._conn.execute(_BUMP, rows)

    def insert(self, stored: Sequence[tuple[Message, str]]) -> None:
        self._conn.execute(_INSERT, [_row(m, content_hash) for m, content_hash in stored])


def _row(message: Message, content_hash: str) -> dict[str, object]:
    # The column types encode the JSON columns and the timestamp themselves.
    values = message_values(message, content_hash, message.created_at, _same)
    return dict(zip(MESSAGE_FIELDS, values, strict=True))
