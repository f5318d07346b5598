"""Flow engine state: one flow_states row per conversation, one flow_answers row per answer.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from chinwag.storage.schema import UtcTimestamp

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create flow_states and flow_answers."""
    op.create_table(
        "flow_states",
        sa.Column("conversation_id", sa.String(36), nullable=False),
        sa.Column("flow_id", sa.String(64), nullable=False),
        sa.Column("step_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("prompt_id", sa.String(128), nullable=True),
        sa.Column("prompt_message_id", sa.String(36), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", UtcTimestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_flow_states_conversation_id_conversations",
        ),
        sa.ForeignKeyConstraint(
            ["prompt_message_id"],
            ["messages.id"],
            name="fk_flow_states_prompt_message_id_messages",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name="pk_flow_states"),
    )
    op.create_table(
        "flow_answers",
        sa.Column("prompt_message_id", sa.String(36), nullable=False),
        sa.Column("answer_message_id", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(
            ["prompt_message_id"],
            ["messages.id"],
            name="fk_flow_answers_prompt_message_id_messages",
        ),
        sa.ForeignKeyConstraint(
            ["answer_message_id"],
            ["messages.id"],
            name="fk_flow_answers_answer_message_id_messages",
        ),
        sa.PrimaryKeyConstraint("prompt_message_id", name="pk_flow_answers"),
    )


def downgrade() -> None:
    """Drop the flow tables."""
    op.drop_table("flow_answers")
    op.drop_table("flow_states")
