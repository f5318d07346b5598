"""Chat use cases on real databases: send checks, reads, unread counts, sync, events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from chinwag.config import Settings
from chinwag.domain import Attachment, Conversation, Principal
from chinwag.domain.events import MessageCreated, MessagesRead
from chinwag.errors import Forbidden, IdempotencyConflict, InvalidPayload, NotFound, NotRealTime
from chinwag.services import CollectingPublisher, Services
from chinwag.storage import Database, migrate

pytestmark = pytest.mark.asyncio

SERVICE = Principal("backend", "service")
ALICE = Principal("alice")  # participant
BOB = Principal("bob")  # participant
STAFF = Principal("staff")  # campaign member
EVE = Principal("eve")  # neither


@dataclass
class World:
    db: Database
    services: Services
    published: CollectingPublisher
    conversation: Conversation


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[World]:
    await migrate(db_url)
    db = Database(db_url)
    published = CollectingPublisher()
    services = Services.build(Settings(database_url=db_url), db, published)
    campaign = await services.management.create_campaign(SERVICE, "c", ["staff"])
    conversation = await services.management.create_conversation(
        SERVICE, campaign.id, ["alice", "bob"]
    )
    published.events.clear()
    yield World(db, services, published, conversation)
    await db.close()


async def test_send_publishes_message_created_after_commit_and_retry_returns_original(
    world: World,
) -> None:
    chat, conv = world.services.chat, world.conversation
    first = await chat.send(ALICE, conv.id, "hello", client_nonce="n1", origin="sid-1")
    assert not first.duplicate and first.message.seq == 1
    [event] = world.published.events
    assert isinstance(event, MessageCreated)
    assert event.origin == "sid-1" and event.conversation.last_message == first.message
    retry = await chat.send(ALICE, conv.id, "hello", client_nonce="n1", origin="sid-2")
    assert retry.duplicate and retry.message == first.message
    assert len(world.published.events) == 1
    with pytest.raises(IdempotencyConflict):
        await chat.send(ALICE, conv.id, "changed", client_nonce="n1")


async def test_send_checks_role_payload_access_and_status(world: World) -> None:
    chat, conv = world.services.chat, world.conversation
    with pytest.raises(Forbidden):
        await chat.send(SERVICE, conv.id, "hi", client_nonce="a")
    with pytest.raises(InvalidPayload):
        await chat.send(ALICE, conv.id, "   ", client_nonce="b")
    with pytest.raises(NotFound):
        await chat.send(EVE, conv.id, "hi", client_nonce="c")
    with pytest.raises(NotFound):
        await chat.send(ALICE, "00000000-0000-0000-0000-000000000000", "hi", client_nonce="d")
    attachment = Attachment("https://x/y.png", "y.png", "image/png", 10)
    sent = await chat.send(STAFF, conv.id, None, [attachment], client_nonce="e")
    assert sent.message.attachments == (attachment,)
    await world.services.management.update_conversation(SERVICE, conv.id, chat_status="automated")
    with pytest.raises(NotRealTime):
        await chat.send(ALICE, conv.id, "hi", client_nonce="f")
    again = await chat.send(STAFF, conv.id, None, [attachment], client_nonce="e")
    assert again.duplicate and again.message == sent.message


async def test_mark_read_skips_own_messages_and_never_lists_an_id_twice(world: World) -> None:
    chat, conv = world.services.chat, world.conversation
    a1 = (await chat.send(ALICE, conv.id, "a1", client_nonce="1")).message
    b1 = (await chat.send(BOB, conv.id, "b1", client_nonce="2")).message
    bot = await world.services.management.post_automated_message(SERVICE, conv.id, "bot", "flow")
    b2 = (await chat.send(BOB, conv.id, "b2", client_nonce="3")).message
    world.published.events.clear()

    result = await chat.mark_read(ALICE, conv.id, message_ids=[a1.id, b1.id, "unknown"], origin="s")
    assert result.message_ids == (b1.id,) and result.reader_id == "alice"
    [event] = world.published.events
    assert isinstance(event, MessagesRead) and event.message_ids == (b1.id,)
    assert event.campaign_id == conv.campaign_id and event.origin == "s"

    again = await chat.mark_read(ALICE, conv.id, message_ids=[b1.id])
    assert again.message_ids == ()
    assert len(world.published.events) == 1  # nothing new, nothing published

    upto = await chat.mark_read(ALICE, conv.id, up_to_message_id=bot.id)
    assert upto.message_ids == (bot.id,)
    rest = await chat.mark_read(ALICE, conv.id, up_to_message_id=b2.id)
    assert rest.message_ids == (b2.id,)


async def test_mark_read_rejects_service_role_bad_arguments_and_foreign_ids(world: World) -> None:
    chat, conv = world.services.chat, world.conversation
    with pytest.raises(Forbidden):
        await chat.mark_read(SERVICE, conv.id, message_ids=[])
    with pytest.raises(InvalidPayload):
        await chat.mark_read(ALICE, conv.id)
    with pytest.raises(InvalidPayload):
        await chat.mark_read(ALICE, conv.id, message_ids=[], up_to_message_id="x")
    with pytest.raises(NotFound):
        await chat.mark_read(EVE, conv.id, message_ids=[])
    other = await world.services.management.create_conversation(
        SERVICE, conv.campaign_id, ["alice", "bob"]
    )
    foreign = (await chat.send(BOB, other.id, "x", client_nonce="o")).message
    assert (await chat.mark_read(ALICE, conv.id, message_ids=[foreign.id])).message_ids == ()
    assert (await chat.mark_read(ALICE, conv.id, up_to_message_id=foreign.id)).message_ids == ()


async def test_unread_count_counts_others_unread_messages_per_principal(world: World) -> None:
    chat, management, conv = world.services.chat, world.services.management, world.conversation
    for i in range(3):
        await chat.send(BOB, conv.id, f"b{i}", client_nonce=f"b{i}")
    await chat.send(ALICE, conv.id, "a", client_nonce="a")
    await management.post_automated_message(SERVICE, conv.id, "bot", "flow")

    def counts(listing: list[tuple[Conversation, int]]) -> dict[str, int]:
        return {c.id: n for c, n in listing}

    assert counts(await management.list_conversations(ALICE)) == {conv.id: 4}
    assert counts(await management.list_conversations(BOB)) == {conv.id: 2}
    assert counts(await management.list_conversations(STAFF)) == {conv.id: 5}
    assert await management.list_conversations(EVE) == []
    page = await management.list_messages(ALICE, conv.id)
    await chat.mark_read(ALICE, conv.id, up_to_message_id=page[1].id)
    [(listed, unread)] = await management.list_conversations(ALICE)
    assert unread == 2
    assert listed.last_message is not None and listed.last_message.seq == 5


async def test_join_sync_and_can_access_follow_the_access_rules(world: World) -> None:
    chat, management, conv = world.services.chat, world.services.management, world.conversation
    for i in range(5):
        await chat.send(ALICE, conv.id, f"m{i}", client_nonce=f"m{i}")
    assert (await chat.join_conversation(SERVICE, conv.id)).id == conv.id
    assert (await chat.join_conversation(STAFF, conv.id)).id == conv.id
    with pytest.raises(NotFound):
        await chat.join_conversation(EVE, conv.id)
    assert (await chat.join_campaign(STAFF, conv.campaign_id)).id == conv.campaign_id
    assert (await chat.join_campaign(SERVICE, conv.campaign_id)).id == conv.campaign_id
    with pytest.raises(NotFound):
        await chat.join_campaign(ALICE, conv.campaign_id)
    messages, more = await chat.sync(BOB, conv.id, after_seq=1, limit=3)
    assert [m.seq for m in messages] == [2, 3, 4] and more
    messages, more = await chat.sync(BOB, conv.id, after_seq=4)
    assert [m.seq for m in messages] == [5] and not more
    assert await chat.can_access(BOB, conv.id)
    await management.update_conversation(SERVICE, conv.id, participant_ids=["alice"])
    assert not await chat.can_access(BOB, conv.id)
    assert not await chat.can_access(BOB, "nope")
