"""Webhook outbox: rows written by triggers in the transaction of the change they announce.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from chinwag.storage.schema import UtcTimestamp

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    "id, event, conversation_id, message_id, chat_status, occurred_at, status, attempts, "
    "next_attempt_at"
)

# A random (version 4) UUID in SQLite's SQL.
SQLITE_UUID = (
    "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
    "substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
    "substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))"
)
ENABLED_SQLITE = "EXISTS (SELECT 1 FROM webhook_config WHERE id = 1 AND enabled)"

SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER webhook_message_created AFTER INSERT ON messages
    WHEN {ENABLED_SQLITE}
    BEGIN
      INSERT INTO webhook_outbox ({COLUMNS})
      VALUES ({SQLITE_UUID}, 'message.created', NEW.conversation_id, NEW.id, NULL,
              NEW.created_at, 'pending', 0, 0);
    END
    """,
    f"""
    CREATE TRIGGER webhook_status_changed AFTER UPDATE OF chat_status ON conversations
    WHEN OLD.chat_status <> NEW.chat_status AND {ENABLED_SQLITE}
    BEGIN
      INSERT INTO webhook_outbox ({COLUMNS})
      VALUES ({SQLITE_UUID}, 'conversation.status_changed', NEW.id, NULL, NEW.chat_status,
              NEW.updated_at, 'pending', 0, 0);
    END
    """,
]

POSTGRES_TRIGGERS = [
    f"""
    CREATE FUNCTION chinwag_webhook_message() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM webhook_config WHERE id = 1 AND enabled) THEN
        INSERT INTO webhook_outbox ({COLUMNS})
        VALUES (gen_random_uuid()::text, 'message.created', NEW.conversation_id, NEW.id, NULL,
                NEW.created_at, 'pending', 0, 0);
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER webhook_message_created AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION chinwag_webhook_message()
    """,
    f"""
    CREATE FUNCTION chinwag_webhook_status() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM webhook_config WHERE id = 1 AND enabled) THEN
        INSERT INTO webhook_outbox ({COLUMNS})
        VALUES (gen_random_uuid()::text, 'conversation.status_changed', NEW.id, NULL,
                NEW.chat_status, NEW.updated_at, 'pending', 0, 0);
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER webhook_status_changed AFTER UPDATE OF chat_status ON conversations
    FOR EACH ROW WHEN (OLD.chat_status IS DISTINCT FROM NEW.chat_status)
    EXECUTE FUNCTION chinwag_webhook_status()
    """,
]


def upgrade() -> None:
    """Create webhook_config, webhook_outbox and the triggers that fill it."""
    op.create_table(
        "webhook_config",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_config"),
    )
    op.create_table(
        "webhook_outbox",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(36), nullable=False),
        sa.Column("message_id", sa.String(36), nullable=True),
        sa.Column("chat_status", sa.String(16), nullable=True),
        sa.Column("occurred_at", UtcTimestamp(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.Float(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_webhook_outbox"),
        sa.UniqueConstraint("id", name="uq_webhook_outbox_id"),
    )
    op.create_index("ix_webhook_outbox_status", "webhook_outbox", ["status"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    """Drop the triggers and the webhook tables."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    on = ("", "") if sqlite else (" ON messages", " ON conversations")
    op.execute(f"DROP TRIGGER IF EXISTS webhook_message_created{on[0]}")
    op.execute(f"DROP TRIGGER IF EXISTS webhook_status_changed{on[1]}")
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS chinwag_webhook_message()")
        op.execute("DROP FUNCTION IF EXISTS chinwag_webhook_status()")
    op.drop_index("ix_webhook_outbox_status", "webhook_outbox")
    op.drop_table("webhook_outbox")
    op.drop_table("webhook_config")
