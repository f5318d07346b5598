"""A send batch's statements straight on a pysqlite connection (the send writer's thread).

Values are stored exactly as the SQLAlchemy column types store them on SQLite: timestamps
as the protocol's text form (``UtcTimestamp``), attachments and action data as JSON text
(``JSON``; a missing action is the JSON ``null``), so either path reads the other's rows.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chinwag.domain.message import Message, NewMessage
from chinwag.domain.time import format_timestamp, parse_timestamp
from chinwag.storage.batch_statements import Key, insert_values, lookup_sql
from chinwag.storage.rows import message_from_values
from chinwag.storage.send_context import SendContext, build_contexts, typed_context_rows

_INSERT = (
    "INSERT INTO messages (id, conversation_id, seq, sender_id, kind, text, attachments,"
    " action_data, client_nonce, content_hash, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_BUMP = "UPDATE conversations SET last_seq = ?, updated_at = ? WHERE id = ?"


@functools.lru_cache(maxsize=256)
def _in_list(size: int) -> str:
    return ", ".join("?" * size)


@functools.lru_cache(maxsize=256)
def _lookup(size: int) -> str:
    return lookup_sql(size, "(?, ?)")


class SqliteStatements:
    """Plain DB-API calls; the transaction (BEGIN IMMEDIATE) is the caller's."""

    def __init__(self, driver: sqlite3.Connection) -> None:
        self._db = driver

    def contexts(self, items: Sequence[NewMessage]) -> dict[str, SendContext]:
        ids = sorted({item.conversation_id for item in items})
        rows = self._db.execute(
            "SELECT c.id, c.campaign_id, c.chat_status, c.last_seq, c.created_at, c.updated_at,"
            " p.user_id FROM conversations AS c"
            " LEFT OUTER JOIN conversation_participants AS p ON p.conversation_id = c.id"
            f" WHERE c.id IN ({_in_list(len(ids))}) ORDER BY c.id, p.user_id",
            ids,
        )
        return build_contexts(typed_context_rows(rows, parse_timestamp), items, self._members)

    def _members(self, campaign_ids: Sequence[str], user_ids: Sequence[str]) -> list[Key]:
        sql = (
            "SELECT campaign_id, user_id FROM campaign_members"
            f" WHERE campaign_id IN ({_in_list(len(campaign_ids))})"
            f" AND user_id IN ({_in_list(len(user_ids))})"
        )
        return self._db.execute(sql, [*campaign_ids, *user_ids]).fetchall()

    def lookup(self, keys: Sequence[Key]) -> dict[Key, tuple[Message, str]]:
        unique = sorted(set(keys))
        if not unique:
            return {}
        params = [value for key in unique for value in key]
        found = {}
        for row in self._db.execute(_lookup(len(unique)), params):
            message = _message(row)
            found[(row[3], row[8])] = (message, row[10])
        return found

    def bump(self, last_seqs: Sequence[tuple[str, int]], now: datetime) -> None:
        stamp = format_timestamp(now)
        self._db.executemany(_BUMP, [(seq, stamp, c) for c, seq in last_seqs])

    def insert(self, stored: Sequence[tuple[Message, str]]) -> None:
        stamps: dict[datetime, str] = {}
        rows = []
        for message, content_hash in stored:
            stamp = stamps.get(message.created_at)
            if stamp is None:
                stamp = stamps[message.created_at] = format_timestamp(message.created_at)
            rows.append(insert_values(message, content_hash, stamp))
        self._db.executemany(_INSERT, rows)


def _message(row: Any) -> Message:
    """A ``Message`` from a row of ``MESSAGE_COLUMNS`` (the lookup's column order)."""
    action = json.loads(row[7]) if row[7] is not None else None
    return message_from_values(row, json.loads(row[6]), action, parse_timestamp(row[9]))
