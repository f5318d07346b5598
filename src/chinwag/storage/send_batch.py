"""The statements of one group-commit batch, run synchronously inside one transaction.

Synchronous on purpose: on SQLite the whole batch runs in one hop to the writer thread
(a thread hop per statement cost more CPU than the statements themselves), and elsewhere
``AsyncConnection.run_sync`` runs the same function.

Per batch: the conversation rows are read and locked (``load_send_contexts``); one
SELECT finds earlier sends with the same (sender, nonce); one executemany UPDATE moves
each conversation's ``last_seq`` over a gap-free range; one executemany INSERT stores the
messages. A retry whose original is in the same batch maps to it.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, TextualSelect, bindparam, insert, text, update

from chinwag.domain.conversation import Conversation, with_last_message
from chinwag.domain.message import (
    Message,
    NewMessage,
    action_data_to_dict,
    attachment_to_dict,
)
from chinwag.domain.time import utc_now
from chinwag.errors import (
    ChinwagError,
    IdempotencyConflict,
    Internal,
    NotFound,
    NotRealTime,
)
from chinwag.storage.rows import MESSAGE_COLUMNS, message_from_row
from chinwag.storage.schema import conversations, messages
from chinwag.storage.send_context import load_send_contexts

Key = tuple[str, str]

_LOOKUP_COLUMNS = (*MESSAGE_COLUMNS, messages.c.content_hash)
_INSERT = insert(messages)
_BUMP_SEQ = (
    update(conversations)
    .where(conversations.c.id == bindparam("b_id"))
    .values(last_seq=bindparam("b_last_seq"), updated_at=bindparam("b_now"))
)


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


def find_by_keys(conn: Connection, keys: Sequence[Key]) -> dict[Key, tuple[Message, str]]:
    """Stored messages by (sender_id, client_nonce), with their content hashes."""
    unique = sorted(set(keys))
    if not unique:
        return {}
    params = {}
    for i, (sender_id, client_nonce) in enumerate(unique):
        params[f"s{i}"] = sender_id
        params[f"n{i}"] = client_nonce
    return {
        (row["sender_id"], row["client_nonce"]): (message_from_row(row), row["content_hash"])
        for row in conn.execute(_lookup(len(unique)), params).mappings()
    }


@functools.lru_cache(maxsize=256)
def _lookup(size: int) -> TextualSelect:
    """SELECT … JOIN (VALUES (:s0, :n0), …) on the (sender_id, client_nonce) unique index.

    A join SQLite drives from the VALUES rows, one index probe each: ``(a, b) IN (…)``
    makes it scan the table, and ``a IN (…) AND b IN (…)`` probes every pair.
    """
    values = ", ".join(f"(:s{i}, :n{i})" for i in range(size))
    columns = ", ".join(f"messages.{c.name}" for c in _LOOKUP_COLUMNS)
    return text(
        f"WITH wanted (sender_id, client_nonce) AS (VALUES {values}) "
        f"SELECT {columns} FROM wanted JOIN messages"
        " ON messages.sender_id = wanted.sender_id"
        " AND messages.client_nonce = wanted.client_nonce"
    ).columns(*_LOOKUP_COLUMNS)


def write_batch(conn: Connection, items: Sequence[NewMessage]) -> list[Outcome]:
    """Store ``items`` in the open transaction ``conn``; one outcome per item, in order."""
    outcomes: list[Outcome | None] = [None] * len(items)
    contexts = load_send_contexts(conn, items)
    existing = find_by_keys(conn, [k for k in map(key_of, items) if k is not None])
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
    bumps = []
    rows = []
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
            rows.append(_row(message, item.content_hash))
        bumps.append(
            {"b_id": conversation_id, "b_last_seq": context.last_seq + len(indexes), "b_now": now}
        )
    if bumps:
        conn.execute(_BUMP_SEQ, bumps)
        conn.execute(_INSERT, rows)
    for i, first in repeats:
        original = outcomes[first]
        if isinstance(original, StoredMessage):
            outcomes[i] = compare(
                items[i], original.message, items[first].content_hash, original.conversation
            )
        else:
            outcomes[i] = original
    return [o if o is not None else Internal() for o in outcomes]


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
