"""The group-commit send path: gap-free seq, idempotency under concurrent retries."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url

from chinwag.domain import Conversation, NewMessage
from chinwag.domain.message import ActionData, Attachment, Button, InputField, InputOption
from chinwag.errors import IdempotencyConflict, Internal, NotFound, NotRealTime
from chinwag.storage import Database, migrate
from tests.support import PostgresCluster

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    await migrate(db_url)
    database = Database(db_url)
    yield database
    await database.close()


@pytest.fixture
async def conversation(db: Database) -> Conversation:
    async with db.write() as session:
        campaign = await session.campaigns.create("c", ["staff"])
        return await session.conversations.create(campaign.id, "real_time", ["alice", "bob"])


def user_message(conversation_id: str, sender: str, nonce: str, text: str = "hi") -> NewMessage:
    return NewMessage(
        conversation_id, sender, "user", text, client_nonce=nonce, require_real_time=True
    )


async def test_concurrent_sends_with_in_flight_retries_are_gap_free_and_deduplicated(
    db: Database, conversation: Conversation
) -> None:
    async def sender(k: int) -> list[tuple[str, set[str]]]:
        out = []
        for j in range(20):
            item = user_message(conversation.id, f"user{k}", f"n{j}", f"text {k}/{j}")
            if j % 2 == 0:  # a retry racing its original, both in flight at once
                results = list(await asyncio.gather(db.send(item), db.send(item)))
            else:
                results = [await db.send(item)]
            out.append((item.client_nonce or "", {r.message.id for r in results}))
            assert sum(not r.duplicate for r in results) == 1
        return out

    per_sender = await asyncio.gather(*(sender(k) for k in range(50)))
    for results in per_sender:
        for _nonce, ids in results:
            assert len(ids) == 1
    assert (await db.count_rows())["messages"] == 1000
    async with db.read() as session:
        seqs = []
        after = 0
        while True:
            page, more = await session.messages.after(conversation.id, after, 200)
            seqs += [m.seq for m in page]
            if not more:
                break
            after = page[-1].seq
    assert seqs == list(range(1, 1001))


async def test_same_nonce_with_other_content_or_conversation_is_a_conflict(
    db: Database, conversation: Conversation
) -> None:
    original = await db.send(user_message(conversation.id, "alice", "k1", "hello"))
    with pytest.raises(IdempotencyConflict):
        await db.send(user_message(conversation.id, "alice", "k1", "other text"))
    async with db.write() as session:
        other = await session.conversations.create(conversation.campaign_id, "real_time", ["alice"])
    with pytest.raises(IdempotencyConflict):
        await db.send(user_message(other.id, "alice", "k1", "hello"))
    again = await db.send(user_message(conversation.id, "alice", "k1", "hello"))
    assert again.duplicate and again.message == original.message
    # another sender may reuse the nonce
    bob = await db.send(user_message(conversation.id, "bob", "k1", "hello"))
    assert not bob.duplicate and bob.message.seq == 2


async def test_conflicting_retry_in_the_same_batch_fails_alone(
    db: Database, conversation: Conversation
) -> None:
    results = await asyncio.gather(
        db.send(user_message(conversation.id, "alice", "k", "one")),
        db.send(user_message(conversation.id, "alice", "k", "two")),
        db.send(user_message(conversation.id, "bob", "k", "three")),
        return_exceptions=True,
    )
    assert isinstance(results[1], IdempotencyConflict)
    assert [r.message.seq for r in results if not isinstance(r, BaseException)] == [1, 2]


async def test_automated_messages_share_the_seq_counter_and_skip_the_status_check(
    db: Database, conversation: Conversation
) -> None:
    await db.send(user_message(conversation.id, "alice", "a"))
    async with db.write() as session:
        await session.conversations.update(conversation.id, chat_status="automated")
    with pytest.raises(NotRealTime):
        await db.send(user_message(conversation.id, "alice", "b"))
    bot = await db.send(NewMessage(conversation.id, None, "automated", "beep"))
    assert bot.message.seq == 2 and bot.message.sender_id is None
    # a retry of an already stored message still gets the original after the status change
    retry = await db.send(user_message(conversation.id, "alice", "a"))
    assert retry.duplicate and retry.message.seq == 1
    with pytest.raises(NotFound):
        await db.send(NewMessage("no-such-conversation", None, "automated", "x"))
    assert (await db.count_rows())["messages"] == 2


async def test_the_send_path_and_the_repositories_read_each_others_rows_identically(
    db: Database, conversation: Conversation
) -> None:
    """The send path writes through the driver (pysqlite, asyncpg), the repositories read
    through SQLAlchemy: attachments, action data, a missing action and the timestamp must
    come back equal, and a retry must find the original through the driver's lookup."""
    attachment = Attachment("https://files.example/a.pdf", "a é.pdf", "application/pdf", 12345)
    action = ActionData(
        "p1",
        buttons=(Button("yes", "Yes ✓", "y"),),
        inputs=(
            InputField("email", "email", "Email", required=True, pattern=".+@.+"),
            InputField("seats", "number", "Seats", min=1, max=9.5),
            InputField("plan", "select", "Plan", options=(InputOption("a", "A"),)),
        ),
    )
    user = await db.send(
        NewMessage(conversation.id, "alice", "user", "hi", (attachment,), client_nonce="rt-1")
    )
    bot = await db.send(NewMessage(conversation.id, None, "automated", "pick", action_data=action))
    async with db.read() as session:
        assert await session.messages.get(user.message.id) == user.message
        assert await session.messages.get(bot.message.id) == bot.message
    retry = await db.send(
        NewMessage(conversation.id, "alice", "user", "hi", (attachment,), client_nonce="rt-1")
    )
    assert retry.duplicate and retry.message == user.message
    assert user.message.action_data is None and bot.message.action_data == action


@pytest.mark.postgres
async def test_sends_recover_when_postgresql_drops_every_connection(
    pg_cluster: PostgresCluster,
) -> None:
    """The send path uses asyncpg directly, so SQLAlchemy's pool must still learn of a
    disconnect: after the server terminates every pooled connection (a restart, a failover),
    at most the first send fails (``internal``; its retry with the same clientNonce is
    stored once) and every later send gets a fresh connection."""
    url = pg_cluster.create_database(f"t_drop_{uuid.uuid4().hex[:12]}")
    await migrate(url)
    database = Database(url)
    try:
        async with database.write() as session:
            campaign = await session.campaigns.create("c", [])
            conversation = await session.conversations.create(campaign.id, "real_time", ["a"])
        warm = [database.send(user_message(conversation.id, "a", f"warm-{i}")) for i in range(8)]
        await asyncio.gather(*warm)  # several pooled connections in use
        name = make_url(url).database
        pg_cluster.psql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            f" WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
        failures = 0
        for _attempt in range(3):
            try:
                first = await database.send(user_message(conversation.id, "a", "after-drop"))
                break
            except Internal:
                failures += 1
        else:
            raise AssertionError("every retry failed")
        assert failures <= 1 and first.message.seq == 9
        for batch in range(3):  # every pooled connection was replaced, not just one
            sends = [
                database.send(user_message(conversation.id, "a", f"more-{batch}-{i}"))
                for i in range(8)
            ]
            await asyncio.gather(*sends)
        assert (await database.count_rows())["messages"] == 8 + 1 + 24
    finally:
        await database.close()
        pg_cluster.drop_database(make_url(url).database or "")
