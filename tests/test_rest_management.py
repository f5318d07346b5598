"""REST management: campaigns and conversations (create, update, read, list, access)."""

from __future__ import annotations

import uuid

from tests.support.client import Api, Connect, make_scene, new_user

pytest_plugins = ("tests.support.client",)


async def test_service_creates_a_campaign_201(api: Api) -> None:
    members = [new_user("carol"), new_user("dan")]
    campaign = await api.create_campaign(members, name="Spring launch")
    assert campaign["name"] == "Spring launch"
    assert campaign["member_ids"] == members


async def test_service_updates_a_campaign_200(api: Api) -> None:
    campaign = await api.create_campaign([new_user()])
    carol = new_user("carol")
    updated = await api.update_campaign(campaign["id"], name="Renamed", member_ids=[carol])
    assert updated["id"] == campaign["id"]
    assert updated["name"] == "Renamed"
    assert updated["member_ids"] == [carol]
    assert updated["created_at"] == campaign["created_at"]
    only_name = await api.update_campaign(campaign["id"], name="Again")
    assert only_name["member_ids"] == [carol]


async def test_service_creates_a_conversation_201(api: Api) -> None:
    campaign = await api.create_campaign()
    alice = new_user("alice")
    conversation = await api.create_conversation(campaign["id"], [alice], "automated")
    assert conversation["campaign_id"] == campaign["id"]
    assert conversation["participant_ids"] == [alice]
    assert conversation["chat_status"] == "automated"
    assert conversation["last_message"] is None


async def test_conversation_in_unknown_campaign_is_404(api: Api) -> None:
    body = {"campaign_id": str(uuid.uuid4()), "participant_ids": [], "chat_status": "real_time"}
    await api.expect("POST", "/api/conversations", 404, json=body)


async def test_get_conversation_for_participant_member_and_service(
    api: Api, connect: Connect
) -> None:
    alice, carol = new_user("alice"), new_user("carol")
    scene = await make_scene(api, members=[carol], participants=[alice])
    message = await (await connect(alice)).send(scene.conversation_id, "latest")
    for token in (api.tokens.user(alice), api.tokens.user(carol), True):
        conversation = await api.get_conversation(scene.conversation_id, token)
        assert conversation["id"] == scene.conversation_id
        assert conversation["last_message"] == message


async def test_get_conversation_without_access_or_unknown_is_404(api: Api) -> None:
    scene = await make_scene(api, participants=[new_user()])
    path = f"/api/conversations/{scene.conversation_id}"
    await api.expect("GET", path, 404, token=api.tokens.user(new_user("eve")))
    await api.expect("GET", f"/api/conversations/{uuid.uuid4()}", 404)


async def test_list_conversations_returns_only_accessible_ones_with_unread_count(
    api: Api, connect: Connect
) -> None:
    alice, carol, eve = new_user("alice"), new_user("carol"), new_user("eve")
    mine = await make_scene(api, participants=[alice])
    staffed = await make_scene(api, members=[carol], participants=[new_user()])
    hidden = await make_scene(api, participants=[eve])
    await api.automated(mine.conversation_id, "one")
    await api.automated(mine.conversation_id, "two")

    alice_items = await api.list_conversations(api.tokens.user(alice))
    assert [i["id"] for i in alice_items] == [mine.conversation_id]
    assert alice_items[0]["unread_count"] == 2

    carol_ids = {i["id"] for i in await api.list_conversations(api.tokens.user(carol))}
    assert carol_ids == {staffed.conversation_id}

    service_ids = {i["id"] for i in await api.list_conversations()}
    assert {mine.conversation_id, staffed.conversation_id, hidden.conversation_id} <= service_ids


async def test_list_conversations_for_a_user_with_none_is_empty(api: Api) -> None:
    assert await api.list_conversations(api.tokens.user(new_user("nobody"))) == []


async def test_patch_conversation_changes_status_and_participants(api: Api) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice])
    updated = await api.update_conversation(
        scene.conversation_id, chat_status="automated", participant_ids=[alice, bob]
    )
    assert updated["chat_status"] == "automated"
    assert sorted(updated["participant_ids"]) == sorted([alice, bob])
    assert (await api.get_conversation(scene.conversation_id))["chat_status"] == "automated"
    empty = await api.update_conversation(scene.conversation_id)
    assert empty["chat_status"] == "automated"


async def test_patch_unknown_conversation_or_campaign_is_404(api: Api) -> None:
    await api.expect(
        "PATCH", f"/api/conversations/{uuid.uuid4()}", 404, json={"chat_status": "automated"}
    )
    await api.expect("PATCH", f"/api/campaigns/{uuid.uuid4()}", 404, json={"name": "x"})


async def test_adding_a_campaign_member_grants_access_to_its_conversations(
    api: Api, connect: Connect
) -> None:
    carol = new_user("carol")
    scene = await make_scene(api, participants=[new_user()])
    staff = await connect(carol)
    await staff.fails("chat:join", {"conversationId": scene.conversation_id}, "not_found")
    await api.update_campaign(scene.campaign_id, member_ids=[carol])
    await staff.join(scene.conversation_id)
    await staff.work_join(scene.campaign_id)
    assert (await api.get_conversation(scene.conversation_id, api.tokens.user(carol)))["id"]
