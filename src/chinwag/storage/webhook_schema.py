"""The webhook outbox's tables (migration 0003).

Rows are written by database triggers on ``messages`` (INSERT) and ``conversations`` (UPDATE of
``chat_status``), in the transaction that made the change: an outbox row exists exactly when the
change committed, whichever code path (group-commit batch, driver-level statements, flows, REST)
made it, and the send path itself is untouched. ``webhook_config`` holds the one switch the
triggers read, so that a deployment without webhooks writes nothing.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Integer, String, Table, Text

from chinwag.storage.schema import ID, UtcTimestamp, metadata

webhook_config = Table(
    "webhook_config",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1
    Column("enabled", Boolean, nullable=False),
)

webhook_outbox = Table(
    "webhook_outbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(ID), nullable=False),  # unique (uq_webhook_outbox_id)
    Column("event", String(64), nullable=False),
    Column("conversation_id", String(ID), nullable=False),
    Column("message_id", String(ID), nullable=True),
    Column("chat_status", String(16), nullable=True),
    Column("occurred_at", UtcTimestamp(), nullable=False),
    Column("status", String(16), nullable=False, index=True),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Float, nullable=False),  # unix seconds; 0 = due now
    Column("last_error", Text, nullable=True),
)
