"""The send path's column lists, and the statement texts every driver runs, made from them.

``MESSAGE_FIELDS`` (``storage.rows``: the ``messages`` table's columns, in order) and
``CONTEXT_FIELDS`` (``send.context``: the context query's). SQLAlchemy Core's statements take
the schema's columns by those names, and the pysqlite and asyncpg texts join the same names,
so the three statement sets cannot drift apart: a renamed or missing column fails at import.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column

from chinwag.domain.message import Message, action_data_to_dict, attachment_to_dict
from chinwag.storage.rows import MESSAGE_FIELDS
from chinwag.storage.schema import conversation_participants, conversations, messages
from chinwag.storage.send.context import CONTEXT_FIELDS

_CONVERSATION_FIELDS = tuple(f for f in CONTEXT_FIELDS if f != "participant_id")

LOOKUP_COLUMNS: tuple[Column[Any], ...] = tuple(messages.c[f] for f in MESSAGE_FIELDS)
"""``MESSAGE_FIELDS`` as SQLAlchemy Core columns (their types convert the values)."""

CONTEXT_COLUMNS = (
    *(conversations.c[f] for f in _CONVERSATION_FIELDS),
    conversation_participants.c.user_id.label("participant_id"),
)
"""``CONTEXT_FIELDS`` as SQLAlchemy Core columns."""


def message_columns(alias: str) -> str:
    """``MESSAGE_FIELDS`` as a select list on a table named or aliased ``alias``."""
    return ", ".join(f"{alias}.{f}" for f in MESSAGE_FIELDS)


def insert_sql(placeholder: Callable[[int], str]) -> str:
    """``INSERT INTO messages`` of every column; ``placeholder(i)``: the i-th parameter (from 1)."""
    values = ", ".join(placeholder(i) for i in range(1, len(MESSAGE_FIELDS) + 1))
    return f"INSERT INTO messages ({', '.join(MESSAGE_FIELDS)}) VALUES ({values})"


CONTEXTS_FROM = (
    f"SELECT {', '.join(f'c.{f}' for f in _CONVERSATION_FIELDS)}, p.user_id AS participant_id"
    " FROM conversations AS c"
    " LEFT OUTER JOIN conversation_participants AS p ON p.conversation_id = c.id"
)
"""The drivers' context query up to its WHERE: ``CONTEXT_FIELDS``, in order."""


def lookup_sql(size: int, placeholder: str) -> str:
    """SELECT … FROM (VALUES …) JOIN messages on the (sender_id, client_nonce) unique index.

    SQLite drives the join from the VALUES rows, one index probe each: ``(a, b) IN (…)``
    makes it scan the table, and ``a IN (…) AND b IN (…)`` probes every pair.
    ``placeholder`` formats the i-th pair, e.g. ``(:s{i}, :n{i})`` or ``(?, ?)``.
    """
    values = ", ".join(placeholder.format(i=i) for i in range(size))
    return (
        f"WITH wanted (sender_id, client_nonce) AS (VALUES {values}) "
        f"SELECT {message_columns('messages')} FROM wanted JOIN messages"
        " ON messages.sender_id = wanted.sender_id"
        " AND messages.client_nonce = wanted.client_nonce"
    )


def message_values(
    message: Message,
    content_hash: str,
    created_at: object,
    encode_json: Callable[[object], Any] = json.dumps,
) -> tuple[Any, ...]:
    """The INSERT values of ``message``, in ``MESSAGE_FIELDS`` order (a test holds them to it).

    The JSON columns go through ``encode_json``: JSON text for the drivers' own statements,
    as SQLAlchemy's JSON type stores them (a missing action is the JSON null); SQLAlchemy
    Core takes the decoded values. ``created_at`` comes as the driver stores it. A plain
    tuple: a NamedTuple built by keyword cost ~1 µs more per message (CPython 3.11).
    """
    action = message.action_data
    return (
        message.id,
        message.conversation_id,
        message.seq,
        message.sender_id,
        message.kind,
        message.text,
        encode_json([attachment_to_dict(a) for a in message.attachments]),
        encode_json(action_data_to_dict(action) if action is not None else None),
        message.client_nonce,
        content_hash,
        created_at,
    )
