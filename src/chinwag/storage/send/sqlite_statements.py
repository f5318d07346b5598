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
from typing import Any, cast

from chinwag.domain.message import Message, NewMessage
from chinwag.domain.time import format_timestamp, parse_timestamp
from chinwag.storage.rows import message_from_values
from chinwag.storage.send.columns import CONTEXTS_FROM, insert_sql, lookup_sql, message_values
from chinwag.storage.send.context import SendContext, build_contexts
from chinwag.storage.send.statements import Found, Key

_INSERT = insert_sql(lambda _: "?")
_BUMP = "UPDATE conversations SET last_seq = ?, updated_at = ? WHERE id = ?"


@functools.lru_cache(maxsize=256)
def _in_list(size: int) -> str:
    return ", ".join("?" * size)


@functools.lru_cache(maxsize=256)
def _contexts(size: int) -> str:
    return f"{CONTEXTS_FROM} WHERE c.id IN ({_in_list(size)}) ORDER BY c.id, p.user_id"


@functools.lru_cache(maxsize=256)
def _lookup(size: int) -> str:
    return lookup_sql(size, "(?, ?)")


class SqliteStatements:
    """Plain DB-API calls; the transaction (BEGIN IMMEDIATE) is the caller's."""

    def __init__(self, driver: sqlite3.Connection) -> None:
        self._db = driver

    def contexts(self, items: Sequence[NewMessage]) -> dict[str, SendContext]:
        ids = sorted({item.conversation_id for item in items})
        rows = self._db.execute(_contexts(len(ids)), ids)
        return build_contexts(rows, items, self._members, parse_timestamp)

    def _members(self, campaign_ids: Sequence[str], user_ids: Sequence[str]) -> list[Key]:
        sql = (
            "SELECT campaign_id, user_id FROM campaign_members"
            f" WHERE campaign_id IN ({_in_list(len(campaign_ids))})"
            f" AND user_id IN ({_in_list(len(user_ids))})"
        )
        return self._db.execute(sql, [*campaign_ids, *user_ids]).fetchall()

    def lookup(self, keys: Sequence[Key]) -> Found:
        unique = sorted(set(keys))
        if not unique:
            return {}
        params = [value for key in unique for value in key]
        cursor = self._db.cursor()
        # Rows by column name, for this cursor only (typeshed types the factory narrower).
        cursor.row_factory = cast(Any, sqlite3.Row)
        found = {}
        row: sqlite3.Row
        for row in cursor.execute(_lookup(len(unique)), params):
            found[(row["sender_id"], row["client_nonce"])] = (_message(row), row["content_hash"])
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
            rows.append(message_values(message, content_hash, stamp))
        self._db.executemany(_INSERT, rows)


def _message(row: sqlite3.Row) -> Message:
    action = row["action_data"]
    return message_from_values(
        row,
        json.loads(row["attachments"]),
        json.loads(action) if action is not None else None,
        parse_timestamp(row["created_at"]),
    )
