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
from chinwag.storage.rows import message_from_values
from chinwag.storage.send.columns import CONTEXTS_FROM, insert_sql, message_columns, message_values
from chinwag.storage.send.context import SendContext, build_contexts
from chinwag.storage.send.statements import Found, Key

_CONTEXTS = (
    f"{CONTEXTS_FROM} WHERE c.id = ANY($1::varchar[]) ORDER BY c.id, p.user_id FOR UPDATE OF c"
)
_CONTEXT_ONE = f"{CONTEXTS_FROM} WHERE c.id = $1 ORDER BY p.user_id FOR UPDATE OF c"
_MEMBERS = (
    "SELECT campaign_id, user_id FROM campaign_members"
    " WHERE campaign_id = ANY($1::varchar[]) AND user_id = ANY($2::varchar[])"
)
_LOOKUP = (
    f"SELECT {message_columns('m')}"
    " FROM unnest($1::varchar[], $2::varchar[]) AS w (sender_id, client_nonce)"
    " JOIN messages AS m ON m.sender_id = w.sender_id AND m.client_nonce = w.client_nonce"
)
_BUMP = (
    "UPDATE conversations AS c SET last_seq = v.last_seq, updated_at = $3"
    " FROM unnest($1::varchar[], $2::bigint[]) AS v (id, last_seq) WHERE c.id = v.id"
)
_LOOKUP_ONE = (
    f"SELECT {message_columns('m')} FROM messages AS m"
    " WHERE m.sender_id = $1 AND m.client_nonce = $2"
)
_BUMP_ONE = "UPDATE conversations SET last_seq = $2, updated_at = $3 WHERE id = $1"
_INSERT = insert_sql(lambda i: f"${i}")


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
        return build_contexts(rows, items, self._members, truncate_ms)

    def _members(self, campaign_ids: Sequence[str], user_ids: Sequence[str]) -> list[Key]:
        rows = await_(self._db.fetch(_MEMBERS, list(campaign_ids), list(user_ids)))
        return [(row["campaign_id"], row["user_id"]) for row in rows]

    def lookup(self, keys: Sequence[Key]) -> Found:
        unique = sorted(set(keys))
        if not unique:
            return {}
        if len(unique) == 1:
            rows = await_(self._db.fetch(_LOOKUP_ONE, *unique[0]))
        else:
            senders = [sender for sender, _ in unique]
            nonces = [nonce for _, nonce in unique]
            rows = await_(self._db.fetch(_LOOKUP, senders, nonces))
        return {
            (row["sender_id"], row["client_nonce"]): (_message(row), row["content_hash"])
            for row in rows
        }

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
            message_values(message, content_hash, truncate_ms(message.created_at))
            for message, content_hash in stored
        ]
        if len(rows) == 1:  # executemany's pipeline machinery costs more than one execute
            await_(self._db.execute(_INSERT, *rows[0]))
        else:
            await_(self._db.executemany(_INSERT, rows))


def _message(row: Any) -> Message:
    """A ``Message`` from a lookup row (an asyncpg ``Record``, read by column name)."""
    return message_from_values(
        row, row["attachments"], row["action_data"], truncate_ms(row["created_at"])
    )
