"""Migrations and what the schema stores."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from chinwag.domain import NewMessage
from chinwag.storage import Database, migrate

pytestmark = pytest.mark.asyncio

TABLES = {
    "campaigns",
    "campaign_members",
    "conversations",
    "conversation_participants",
    "messages",
    "message_reads",
}


async def test_concurrent_migrations_create_the_schema_once(db_url: str) -> None:
    await asyncio.gather(*(migrate(db_url) for _ in range(4)))
    engine = create_async_engine(db_url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        uniques = await conn.run_sync(
            lambda c: {
                tuple(u["column_names"]) for u in inspect(c).get_unique_constraints("messages")
            }
        )
    await engine.dispose()
    assert TABLES | {"alembic_version"} <= names
    assert {("conversation_id", "seq"), ("sender_id", "client_nonce")} <= uniques
    await migrate(db_url)  # already at head: nothing to do


async def test_timestamps_round_trip_at_millisecond_precision_in_utc(db_url: str) -> None:
    await migrate(db_url)
    db = Database(db_url)
    try:
        async with db.write() as session:
            campaign = await session.campaigns.create("c", [])
            conversation = await session.conversations.create(campaign.id, "real_time", ["u"])
        stored = await db.send(NewMessage(conversation.id, "u", "user", "x", client_nonce="n"))
        async with db.read() as session:
            again = await session.messages.get(stored.message.id)
            loaded = await session.conversations.get(conversation.id)
        assert again == stored.message
        assert loaded is not None and loaded.created_at == conversation.created_at
        assert again.created_at.tzinfo is not None
        assert again.created_at.utcoffset() == datetime.now(UTC).utcoffset()
        assert again.created_at.microsecond % 1000 == 0
    finally:
        await db.close()
