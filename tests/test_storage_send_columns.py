"""The send path's statements share one column list, and its driver paths and SQLAlchemy Core
read each other's rows."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from chinwag.domain import NewMessage
from chinwag.domain.message import (
    ActionData,
    Attachment,
    Button,
    Message,
    action_data_to_dict,
    attachment_to_dict,
)
from chinwag.storage import Database, migrate
from chinwag.storage.rows import MESSAGE_FIELDS
from chinwag.storage.schema import messages
from chinwag.storage.send.columns import insert_sql, message_values

ATTACHMENT = Attachment("https://files.example/a.pdf", "a é.pdf", "application/pdf", 5)
ACTION = ActionData("p1", buttons=(Button("yes", "Yes ✓", "y"),))


def test_insert_values_follow_the_messages_column_list() -> None:
    message = Message(
        id="m-id",
        conversation_id="c-id",
        seq=7,
        sender_id="alice",
        kind="user",
        text="hello",
        attachments=(ATTACHMENT,),
        action_data=ACTION,
        client_nonce="nonce",
        created_at=datetime(2026, 11, 26, 10, tzinfo=UTC),
    )
    assert tuple(messages.c.keys()) == MESSAGE_FIELDS
    values = dict(zip(MESSAGE_FIELDS, message_values(message, "hash", "stamp"), strict=True))
    assert values == {
        "id": "m-id",
        "conversation_id": "c-id",
        "seq": 7,
        "sender_id": "alice",
        "kind": "user",
        "text": "hello",
        "attachments": json.dumps([attachment_to_dict(ATTACHMENT)]),
        "action_data": json.dumps(action_data_to_dict(ACTION)),
        "client_nonce": "nonce",
        "content_hash": "hash",
        "created_at": "stamp",
    }
    placeholders = ", ".join(f"${i}" for i in range(1, len(MESSAGE_FIELDS) + 1))
    assert insert_sql(lambda i: f"${i}") == (
        f"INSERT INTO messages ({', '.join(MESSAGE_FIELDS)}) VALUES ({placeholders})"
    )


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    await migrate(db_url)
    database = Database(db_url)
    yield database
    await database.close()


@pytest.mark.asyncio
async def test_the_send_path_and_sqlalchemy_core_find_each_others_messages(db: Database) -> None:
    """``Database.send`` writes through the driver (pysqlite, asyncpg); the flow repository
    writes and looks up through SQLAlchemy Core in its own transaction. Each finds the
    other's message by (sender, nonce) with equal values and seqs stay consecutive."""
    async with db.write() as session:
        campaign = await session.campaigns.create("c", [])
        conversation = await session.conversations.create(campaign.id, "real_time", ["alice"])
    by_driver = NewMessage(conversation.id, "alice", "user", "one", (ATTACHMENT,), client_nonce="d")
    by_core = NewMessage(
        conversation.id, "alice", "user", "two", action_data=ACTION, client_nonce="c"
    )
    first = await db.send(by_driver)
    async with db.write() as session:
        (second,) = await session.flows.append([by_core])
        assert await session.flows.sent("alice", "d") == (first.message, by_driver.content_hash)
    retry = await db.send(by_core)
    assert retry.duplicate and retry.message == second.message
    assert second.message.seq == first.message.seq + 1
    async with db.read() as session:
        assert await session.messages.get(second.message.id) == second.message
