"""Management use cases on real databases: paging, events, emit-after-commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy.exc import IntegrityError

from chinwag.config import Settings
from chinwag.domain import ActionData, Button, Conversation, Principal
from chinwag.domain.events import (
    AutomatedMessageCreated,
    CampaignMembersChanged,
    ChatStatusChanged,
    ConversationCreated,
    ParticipantsChanged,
)
from chinwag.errors import Forbidden, NotFound
from chinwag.services import CollectingPublisher, Services, UnitOfWork
from chinwag.storage import Database, migrate

pytestmark = pytest.mark.asyncio

SERVICE = Principal("backend", "service")
ALICE = Principal("alice")


@dataclass
class World:
    db: Database
    services: Services
    published: CollectingPublisher


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[World]:
    await migrate(db_url)
    db = Database(db_url)
    published = CollectingPublisher()
    yield World(db, Services.build(Settings(database_url=db_url), db, published), published)
    await db.close()


async def _conversation(world: World) -> Conversation:
    management = world.services.management
    campaign = await management.create_campaign(SERVICE, "c", ["staff"])
    return await management.create_conversation(SERVICE, campaign.id, ["alice", "bob"])


async def test_management_writes_need_the_service_role(world: World) -> None:
    management = world.services.management
    with pytest.raises(Forbidden):
        await management.create_campaign(ALICE, "c", [])
    conv = await _conversation(world)
    with pytest.raises(Forbidden):
        await management.update_conversation(ALICE, conv.id, chat_status="automated")
    with pytest.raises(Forbidden):
        await management.create_conversation(ALICE, conv.campaign_id, [])
    with pytest.raises(NotFound):
        await management.create_conversation(SERVICE, "no-such-campaign", [])
    with pytest.raises(NotFound):
        await management.update_campaign(SERVICE, "no-such-campaign", name="x")
    with pytest.raises(NotFound):
        await management.get_conversation(Principal("eve"), conv.id)
    assert (await management.get_conversation(ALICE, conv.id)).id == conv.id


async def test_changes_publish_one_event_each_after_commit(world: World) -> None:
    management = world.services.management
    conv = await _conversation(world)
    [created] = world.published.events
    assert isinstance(created, ConversationCreated) and created.conversation == conv
    world.published.events.clear()

    updated = await management.update_conversation(
        SERVICE, conv.id, chat_status="automated", participant_ids=["bob", "carol"]
    )
    status, participants = world.published.events
    assert isinstance(status, ChatStatusChanged) and status.conversation == updated
    assert isinstance(participants, ParticipantsChanged)
    assert participants.removed_user_ids == ("alice",)
    assert participants.added_user_ids == ("carol",)
    world.published.events.clear()

    await management.update_conversation(SERVICE, conv.id, chat_status="automated")
    assert world.published.events == []  # no change, no event

    campaign = await management.update_campaign(
        SERVICE, conv.campaign_id, name="renamed", member_ids=["staff", "boss"]
    )
    [members] = world.published.events
    assert isinstance(members, CampaignMembersChanged)
    assert members.added_user_ids == ("boss",) and members.removed_user_ids == ()
    assert campaign.name == "renamed" and campaign.member_ids == ("boss", "staff")


async def test_a_failed_transaction_publishes_nothing(world: World) -> None:
    conv = await _conversation(world)
    world.published.events.clear()
    before = await world.db.count_rows()
    with pytest.raises(IntegrityError):  # foreign key: the campaign does not exist
        async with UnitOfWork(world.db, world.published) as uow:
            created = await uow.session.conversations.create(conv.campaign_id, "real_time", ["x"])
            uow.emit(ConversationCreated(created))
            await uow.session.conversations.create("no-such-campaign", "real_time", ["y"])
    assert world.published.events == []
    assert await world.db.count_rows() == before


async def test_automated_message_is_stored_and_announced(world: World) -> None:
    conv = await _conversation(world)
    world.published.events.clear()
    action = ActionData("p1", buttons=(Button("yes", "Yes", "y"),))
    message = await world.services.management.post_automated_message(
        SERVICE, conv.id, "Continue?", "flow_step", action
    )
    assert message.kind == "automated" and message.sender_id is None and message.seq == 1
    [event] = world.published.events
    assert isinstance(event, AutomatedMessageCreated) and event.reason == "flow_step"
    [stored] = await world.services.management.list_messages(ALICE, conv.id)
    assert stored == message and stored.action_data == action
    with pytest.raises(NotFound):
        await world.services.management.post_automated_message(SERVICE, "nope", "x", "flow")
    with pytest.raises(Forbidden):
        await world.services.management.post_automated_message(ALICE, conv.id, "x", "flow")


async def test_list_messages_pages_forward_and_backward_in_ascending_order(world: World) -> None:
    conv = await _conversation(world)
    chat, management = world.services.chat, world.services.management
    for i in range(1, 261):
        await chat.send(ALICE, conv.id, f"m{i}", client_nonce=f"n{i}")

    async def seqs(**kwargs: int) -> list[int]:
        return [m.seq for m in await management.list_messages(ALICE, conv.id, **kwargs)]

    assert await seqs() == list(range(1, 51))
    assert await seqs(limit=1000) == list(range(1, 201))
    assert await seqs(after_seq=250) == list(range(251, 261))
    assert await seqs(before_seq=100, limit=10) == list(range(90, 100))
    assert await seqs(before_seq=5) == [1, 2, 3, 4]
    assert await seqs(after_seq=10, before_seq=15) == [11, 12, 13, 14]
    assert await seqs(limit=0) == [1]
