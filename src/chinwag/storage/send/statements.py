"""The statements a send batch runs: one small interface, one implementation per driver path.

``core_statements.CoreStatements`` (SQLAlchemy Core) serve any async connection (the flow
repository's transactions, drivers without a path of their own). On the send writer's own
connections the driver is used directly, ``sqlite_statements.SqliteStatements`` on pysqlite
and ``asyncpg_statements.AsyncpgStatements`` on asyncpg: at one send per batch SQLAlchemy's
per-statement work was about half of the send's storage CPU.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from chinwag.domain.message import Message, NewMessage
from chinwag.storage.send.context import SendContext

Key = tuple[str, str]
"""The idempotency key of a send: (sender_id, client_nonce)."""

Found = dict[Key, tuple[Message, str]]
"""Stored messages by key, each with its content hash."""


class BatchStatements(Protocol):
    """Reads and writes of one batch, inside the caller's transaction."""

    def contexts(self, items: Sequence[NewMessage]) -> dict[str, SendContext]:
        """Contexts of the conversations the items name, their rows locked (in id order)."""
        ...

    def lookup(self, keys: Sequence[Key]) -> Found:
        """Stored messages by (sender_id, client_nonce), with their content hashes."""
        ...

    def bump(self, last_seqs: Sequence[tuple[str, int]], now: datetime) -> None:
        """Set each (conversation id, last_seq) and its updated_at."""
        ...

    def insert(self, stored: Sequence[tuple[Message, str]]) -> None:
        """Insert (message, content hash) rows."""
        ...
