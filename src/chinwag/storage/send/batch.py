"""One group-commit batch: its outcomes, from a few statements inside one transaction.

Synchronous on purpose: on SQLite the whole batch runs in one hop to the writer thread
(a thread hop per statement cost more CPU than the statements themselves), and elsewhere
in a greenlet or through ``Connection.run_sync``.

Per batch (``BatchStatements``): the conversation rows are read and locked; one SELECT
finds earlier sends with the same (sender, nonce); one UPDATE moves each conversation's
``last_seq`` over a gap-free range; one INSERT stores the messages. A retry whose original
is in the same batch maps to it.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from chinwag.domain.conversation import Conversation, with_last_message
from chinwag.domain.message import Message, NewMessage
from chinwag.domain.time import utc_now
from chinwag.errors import (
    ChinwagError,
    IdempotencyConflict,
    Internal,
    NotFound,
    NotRealTime,
)
from chinwag.storage.send.core_statements import CoreStatements
from chinwag.storage.send.sqlite_statements import SqliteStatements
from chinwag.storage.send.statements import BatchStatements, Found, Key


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A committed message; ``duplicate`` when it was stored by an earlier send."""

    message: Message
    duplicate: bool
    conversation: Conversation
    """The conversation right after the message (for events); as found, for a duplicate."""


Outcome = StoredMessage | ChinwagError


def key_of(item: NewMessage) -> Key | None:
    """The idempotency key (sender_id, client_nonce), when the item has one."""
    if item.sender_id is None or item.client_nonce is None:
        return None
    return (item.sender_id, item.client_nonce)


def compare(
    item: NewMessage, message: Message, stored_hash: str, conversation: Conversation
) -> Outcome:
    """A retry's outcome: the original, or ``IdempotencyConflict`` when the content differs."""
    if stored_hash != item.content_hash:
        return IdempotencyConflict()
    return StoredMessage(message, True, conversation)


def statements_for(conn: Connection) -> BatchStatements:
    """The driver's own statements on a pysqlite connection, SQLAlchemy Core elsewhere."""
    driver = conn.connection.driver_connection
    if isinstance(driver, sqlite3.Connection):
        return SqliteStatements(driver)
    return CoreStatements(conn)


def find_by_keys(conn: Connection, keys: Sequence[Key]) -> Found:
    """Stored messages by (sender_id, client_nonce), with their content hashes."""
    return statements_for(conn).lookup(keys)


def write_batch_on(conn: Connection, items: Sequence[NewMessage]) -> list[Outcome]:
    """:func:`write_batch` in the open transaction of the SQLAlchemy connection ``conn``."""
    return write_batch(statements_for(conn), items)


def write_batch(statements: BatchStatements, items: Sequence[NewMessage]) -> list[Outcome]:
    """Store ``items`` in the statements' open transaction; one outcome per item, in order."""
    outcomes: list[Outcome | None] = [None] * len(items)
    contexts = statements.contexts(items)
    existing = statements.lookup([k for k in map(key_of, items) if k is not None])
    first_of: dict[Key, int] = {}
    repeats: list[tuple[int, int]] = []
    fresh: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        key = key_of(item)
        context = contexts.get(item.conversation_id)
        if context is None or not context.allows(item):
            outcomes[i] = NotFound("Conversation not found")
        elif key is not None and key in existing:
            outcomes[i] = compare(item, *existing[key], context.conversation)
        elif key is not None and key in first_of:
            repeats.append((i, first_of[key]))
        else:
            if key is not None:
                first_of[key] = i
            if item.require_real_time and context.conversation.chat_status != "real_time":
                # The row is locked: the status cannot change before this transaction ends.
                outcomes[i] = NotRealTime()
            else:
                fresh.setdefault(item.conversation_id, []).append(i)
    now = utc_now()
    last_seqs = []
    stored = []
    for conversation_id, indexes in fresh.items():
        context = contexts[conversation_id]
        for offset, i in enumerate(indexes, start=1):
            item = items[i]
            message = Message(
                id=str(uuid.uuid4()),
                conversation_id=conversation_id,
                seq=context.last_seq + offset,
                sender_id=item.sender_id,
                kind=item.kind,
                text=item.text,
                attachments=item.attachments,
                action_data=item.action_data,
                client_nonce=item.client_nonce,
                created_at=now,
            )
            outcomes[i] = StoredMessage(
                message, False, with_last_message(context.conversation, message)
            )
            stored.append((message, item.content_hash))
        last_seqs.append((conversation_id, context.last_seq + len(indexes)))
    if last_seqs:
        statements.bump(last_seqs, now)
        statements.insert(stored)
    for i, first in repeats:
        original = outcomes[first]
        if isinstance(original, StoredMessage):
            outcomes[i] = compare(
                items[i], original.message, items[first].content_hash, original.conversation
            )
        else:
            outcomes[i] = original
    return [o if o is not None else Internal() for o in outcomes]
