"""A send batch's statements straight on an asyncpg connection (PostgreSQL's send path).

Through SQLAlchemy each statement of a batch cost as much CPU again as asyncpg's own work
(compiling the expanding ``IN`` lists on every call, result processing, the DBAPI adapter);
a profile of one-send batches put SQLAlchemy and asyncpg at a quarter of the server's CPU
each. These statements are fixed texts, so asyncpg prepares each once per connection: array
parameters for many conversations or keys (the counters move in one ``UPDATE … FROM
unnest(…)``), and plain equalities for the usual batch of one: with one-element arrays
PostgreSQL itself spent ~40% more CPU per send (measured: 420 against 300 µs), which made
the send slower end to end even though chinwag's own CPU went down.

The functions are synchronous like every ``BatchStatements``: the batch runs in a greenlet
(``sqlalchemy.util.greenlet_spawn``) and each call waits on asyncpg with ``await_``. Values
are what SQLAlchemy's column types store: timestamps as ``timestamptz`` at millisecond
precision, attachments and action data as ``json`` (the connection's codec, set up by
SQLAlchemy's dialect, takes a JSON string and returns the decoded value).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.util import await_

from chinwag.domain.message import Message, NewMessage
from chinwag.domain.time import truncate_ms
from chinwag.storage.batch_statements import Key, insert_values
from chinwag.storage.rows import message_from_values
from chinwag.storage.send_context import SendContext, build_contexts, typed_context_rows

_MESSAGE_COLUMNS = (
    "m.id, m.conversation_id, m.seq, m.sender_id, m.kind, m.text, m.attachments,"
    " m.action_data, m.client_nonce, m.created_at, m.content_hash"
)
_CONTEXTS_FROM = (
    "SELECT c.id, c.campaign_id, c.chat_status, c.last_seq, c.created_at, c.updated_at,"
    " p.user_id FROM conversations AS c"
    " LEFT OUTER JOIN conversation_participants AS p ON p.conversation_id = c.id"
)
_CONTEXTS = (
    f"{_CONTEXTS_FROM} WHERE c.id = ANY($1::varchar[]) ORDER BY c.id, p.user_id FOR UPDATE OF c"
)
_CONTEXT_ONE = f"{_CONTEXTS_FROM} WHERE c.id = $1 ORDER BY p.user_id FOR UPDATE OF c"
_MEMBERS = (
    "SELECT campaign_id, user_id FROM campaign_members"
    " WHERE campaign_id = ANY($1::varchar[]) AND user_id = ANY($2::varchar[])"
)
_LOOKUP = (
    f"SELECT {_MESSAGE_COLUMNS}"
    " FROM unnest($1::varchar[], $2::varchar[]) AS w (sender_id, client_nonce)"
    " JOIN messages AS m ON m.sender_id = w.sender_id AND m.client_nonce = w.client_nonce"
)
_BUMP = (
    "UPDATE conversations AS c SET last_seq = v.last_seq, updated_at = $3"
    " FROM unnest($1::varchar[], $2::bigint[]) AS v (id, last_seq) WHERE c.id = v.id"
)
_LOOKUP_ONE = (
    f"SELECT {_MESSAGE_COLUMNS} FROM messages AS m WHERE m.sender_id = $1 AND m.client_nonce = $2"
)
_BUMP_ONE = "UPDATE conversations SET last_seq = $2, updated_at = $3 WHERE id = $1"
_INSERT = (
    "INSERT INTO messages (id, conversation_id, seq, sender_id, kind, text, attachments,"
    " action_data, client_nonce, content_hash, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
)


class AsyncpgStatements:
    """Statements on one asyncpg connection, inside the caller's transaction."""

    def __init__(self, driver: Any) -> None:
        self._db = driver

    def contexts(self, items: Sequence[NewMessage]) -> dict[str, SendContext]:
        ids = sorted({item.conversation_id for item in items})
        if len(ids) == 1:
            rows = await_(self._db.fetch(_CONTEXT_ONE, ids[0]))
        else:
            rows = await_(self._db.fetch(_CONTEXTS, ids))
        return build_contexts(typed_context_rows(rows, truncate_ms), items, self._members)

    def _members(self, campaign_ids: Sequence[str], user_ids: Sequence[str]) -> list[Key]:
        rows = await_(self._db.fetch(_MEMBERS, list(campaign_ids), list(user_ids)))
        return [(row[0], row[1]) for row in rows]

    def lookup(self, keys: Sequence[Key]) -> dict[Key, tuple[Message, str]]:
        unique = sorted(set(keys))
        if not unique:
            return {}
        if len(unique) == 1:
            rows = await_(self._db.fetch(_LOOKUP_ONE, *unique[0]))
        else:
            senders = [sender for sender, _ in unique]
            nonces = [nonce for _, nonce in unique]
            rows = await_(self._db.fetch(_LOOKUP, senders, nonces))
        return {(row[3], row[8]): (_message(row), row[10]) for row in rows}

    def bump(self, last_seqs: Sequence[tuple[str, int]], now: datetime) -> None:
        if len(last_seqs) == 1:  # the usual batch: a primary-key update, no join
            ((conversation_id, seq),) = last_seqs
            await_(self._db.execute(_BUMP_ONE, conversation_id, seq, truncate_ms(now)))
            return
        ids = [conversation_id for conversation_id, _ in last_seqs]
        seqs = [seq for _, seq in last_seqs]
        await_(self._db.execute(_BUMP, ids, seqs, truncate_ms(now)))

    def insert(self, stored: Sequence[tuple[Message, str]]) -> None:
        rows = [
            insert_values(message, content_hash, truncate_ms(message.created_at))
            for message, content_hash in stored
        ]
        if len(rows) == 1:  # executemany's pipeline machinery costs more than one execute
            await_(self._db.execute(_INSERT, *rows[0]))
        else:
            await_(self._db.executemany(_INSERT, rows))


def _message(row: Any) -> Message:
    """A ``Message`` from a lookup row (the column order of ``_MESSAGE_COLUMNS``)."""
    return message_from_values(row, row[6], row[7], truncate_ms(row[9]))
