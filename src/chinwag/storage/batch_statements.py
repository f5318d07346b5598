"""The statements a send batch runs, behind one small interface with two implementations.

``CoreStatements`` (SQLAlchemy Core) serve PostgreSQL and every async connection (the flow
repository's transactions). On the send writer's own pysqlite connection,
``sqlite_statements.SqliteStatements`` use the driver directly: at one send per batch SQLAlchemy's
per-statement work was about half of the send's storage CPU.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol, cast

from sqlalchemy import Connection, TextualSelect, bindparam, insert, select, text, update

from chinwag.domain.message import Message, NewMessage, action_data_to_dict, attachment_to_dict
from chinwag.storage.rows import MESSAGE_COLUMNS, message_from_row
from chinwag.storage.schema import campaign_members, conversation_participants, conversations
from chinwag.storage.schema import messages as messages_table
from chinwag.storage.send_context import ContextRow, SendContext, build_contexts

Key = tuple[str, str]


class BatchStatements(Protocol):
    """Reads and writes of one batch, inside the caller's transaction."""

    def contexts(self, items: Sequence[NewMessage]) -> dict[str, SendContext]:
        """Contexts of the conversations the items name, their rows locked (in id order)."""
        ...

    def lookup(self, keys: Sequence[Key]) -> dict[Key, tuple[Message, str]]:
        """Stored messages by (sender_id, client_nonce), with their content hashes."""
        ...

    def bump(self, last_seqs: Sequence[tuple[str, int]], now: datetime) -> None:
        """Set each (conversation id, last_seq) and its updated_at."""
        ...

    def insert(self, stored: Sequence[tuple[Message, str]]) -> None:
        """Insert (message, content hash) rows."""
        ...


# Built once: building and cache-keying statements cost more than running them.
_CONTEXTS = (
    select(
        conversations.c.id,
        conversations.c.campaign_id,
        conversations.c.chat_status,
        conversations.c.last_seq,
        conversations.c.created_at,
        conversations.c.updated_at,
        conversation_participants.c.user_id,
    )
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
_LOOKUP_COLUMNS = (*MESSAGE_COLUMNS, messages_table.c.content_hash)
_INSERT = insert(messages_table)
_BUMP = (
    update(conversations)
    .where(conversations.c.id == bindparam("b_id"))
    .values(last_seq=bindparam("b_last_seq"), updated_at=bindparam("b_now"))
)


def lookup_sql(size: int, placeholder: str) -> str:
    """SELECT … FROM (VALUES …) JOIN messages on the (sender_id, client_nonce) unique index.

    SQLite drives the join from the VALUES rows, one index probe each: ``(a, b) IN (…)``
    makes it scan the table, and ``a IN (…) AND b IN (…)`` probes every pair.
    ``placeholder`` formats the i-th pair, e.g. ``(:s{i}, :n{i})`` or ``(?, ?)``.
    """
    values = ", ".join(placeholder.format(i=i) for i in range(size))
    columns = ", ".join(f"messages.{c.name}" for c in _LOOKUP_COLUMNS)
    return (
        f"WITH wanted (sender_id, client_nonce) AS (VALUES {values}) "
        f"SELECT {columns} FROM wanted JOIN messages"
        " ON messages.sender_id = wanted.sender_id"
        " AND messages.client_nonce = wanted.client_nonce"
    )


@functools.lru_cache(maxsize=256)
def _lookup(size: int) -> TextualSelect:
    return text(lookup_sql(size, "(:s{i}, :n{i})")).columns(*_LOOKUP_COLUMNS)


class CoreStatements:
    """Through SQLAlchemy Core (any dialect; type conversion by the column types)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def contexts(self, items: Sequence[NewMessage]) -> dict[str, SendContext]:
        ids = sorted({item.conversation_id for item in items})
        rows = cast(Iterable[ContextRow], self._conn.execute(_CONTEXTS, {"ids": ids}))
        return build_contexts(rows, items, self._members)

    def _members(self, campaign_ids: Sequence[str], user_ids: Sequence[str]) -> list[Key]:
        params = {"campaign_ids": campaign_ids, "user_ids": user_ids}
        return [(str(c), str(u)) for c, u in self._conn.execute(_MEMBERS, params)]

    def lookup(self, keys: Sequence[Key]) -> dict[Key, tuple[Message, str]]:
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


def insert_values(message: Message, content_hash: str, created_at: object) -> tuple[object, ...]:
    """One ``messages`` row for a driver's own INSERT (pysqlite, asyncpg), in the order
    id, conversation_id, seq, sender_id, kind, text, attachments, action_data, client_nonce,
    content_hash, created_at. The JSON columns are JSON text, as SQLAlchemy's JSON type
    stores them (a missing action is the JSON null); ``created_at`` as the driver stores it.
    """
    action = message.action_data
    return (
        message.id,
        message.conversation_id,
        message.seq,
        message.sender_id,
        message.kind,
        message.text,
        json.dumps([attachment_to_dict(a) for a in message.attachments]),
        json.dumps(action_data_to_dict(action) if action is not None else None),
        message.client_nonce,
        content_hash,
        created_at,
    )


def _row(message: Message, content_hash: str) -> dict[str, object]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "sender_id": message.sender_id,
        "kind": message.kind,
        "text": message.text,
        "attachments": [attachment_to_dict(a) for a in message.attachments],
        "action_data": action_data_to_dict(message.action_data)
        if message.action_data is not None
        else None,
        "client_nonce": message.client_nonce,
        "content_hash": content_hash,
        "created_at": message.created_at,
    }
