"""Table definitions (SQLAlchemy Core); the Alembic migrations create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator, TypeEngine

from chinwag.domain.time import format_timestamp, parse_timestamp, truncate_ms

ID = 36
USER_ID = 128


class UtcTimestamp(TypeDecorator[datetime]):
    """Aware UTC datetime at ms precision on both databases.

    PostgreSQL stores ``timestamptz``; SQLite stores the protocol's own text form
    (``2026-11-26T10:00:00.123Z``), which sorts like the instant it names.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(24))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return format_timestamp(value)
        return truncate_ms(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return parse_timestamp(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return truncate_ms(value)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", Text, nullable=False),
    Column("created_at", UtcTimestamp(), nullable=False),
)

campaign_members = Table(
    "campaign_members",
    metadata,
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), nullable=False),
    Column("user_id", String(USER_ID), nullable=False),
    PrimaryKeyConstraint("campaign_id", "user_id"),
    Index("ix_campaign_members_user_id", "user_id"),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), nullable=False),
    Column("chat_status", String(16), nullable=False),
    Column("last_seq", BigInteger, nullable=False, default=0),
    Column("created_at", UtcTimestamp(), nullable=False),
    Column("updated_at", UtcTimestamp(), nullable=False),
    Index("ix_conversations_campaign_id", "campaign_id"),
)

conversation_participants = Table(
    "conversation_participants",
    metadata,
    Column("conversation_id", String(ID), ForeignKey("conversations.id"), nullable=False),
    Column("user_id", String(USER_ID), nullable=False),
    PrimaryKeyConstraint("conversation_id", "user_id"),
    Index("ix_conversation_participants_user_id", "user_id"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("conversation_id", String(ID), ForeignKey("conversations.id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("sender_id", String(USER_ID), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("text", Text, nullable=True),
    Column("attachments", JSON, nullable=False),
    Column("action_data", JSON, nullable=True),
    Column("client_nonce", String(128), nullable=True),
    Column("content_hash", String(64), nullable=False),
    Column("created_at", UtcTimestamp(), nullable=False),
    UniqueConstraint("conversation_id", "seq"),
    UniqueConstraint("sender_id", "client_nonce"),
)

message_reads = Table(
    "message_reads",
    metadata,
    Column("message_id", String(ID), ForeignKey("messages.id"), nullable=False),
    Column("reader_id", String(USER_ID), nullable=False),
    Column("read_at", UtcTimestamp(), nullable=False),
    PrimaryKeyConstraint("message_id", "reader_id"),
    Index("ix_message_reads_reader_id", "reader_id"),
)

flow_states = Table(
    "flow_states",
    metadata,
    Column("conversation_id", String(ID), ForeignKey("conversations.id"), primary_key=True),
    Column("flow_id", String(64), nullable=False),
    Column("step_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("turn", Integer, nullable=False),
    Column("prompt_id", String(128), nullable=True),
    Column("prompt_message_id", String(ID), ForeignKey("messages.id"), nullable=True),
    Column("data", JSON, nullable=False),
    Column("updated_at", UtcTimestamp(), nullable=False),
)

flow_answers = Table(
    "flow_answers",
    metadata,
    # One answer per prompt, enforced by the key even when two answers race.
    Column("prompt_message_id", String(ID), ForeignKey("messages.id"), primary_key=True),
    Column("answer_message_id", String(ID), ForeignKey("messages.id"), nullable=False),
)

ALL_TABLES: tuple[Table, ...] = (
    campaigns,
    campaign_members,
    conversations,
    conversation_participants,
    messages,
    message_reads,
    flow_states,
    flow_answers,
)
"""Every table, parents first."""
