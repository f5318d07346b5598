"""Rooms: chat:join/leave, work:join/leave, access rules, and access checked on every operation."""

from __future__ import annotations

import uuid

from tests.support.client import Api, Connect, Tokens, make_scene, new_user

pytest_plugins = ("tests.support.client",)


async def test_participant_joins_a_conversation_room(connect: Connect, api: Api) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    reply = await client.ok("chat:join", {"conversationId": scene.conversation_id})
    assert reply == {"conversationId": scene.conversation_id}


async def test_campaign_member_joins_a_conversation_room_without_being_a_participant(
    connect: Connect, api: Api
) -> None:
    carol = new_user("carol")
    scene = await make_scene(api, members=[carol], participants=[new_user()])
    client = await connect(carol)
    await client.join(scene.conversation_id)


async def test_user_without_access_gets_not_found_on_join_and_receives_nothing(
    connect: Connect, api: Api
) -> None:
    alice, eve = new_user("alice"), new_user("eve")
    scene = await make_scene(api, participants=[alice])
    sender = await connect(alice)
    outsider = await connect(eve)
    error = await outsider.fails(
        "chat:join", {"conversationId": scene.conversation_id}, "not_found"
    )
    assert error["conversationId"] == scene.conversation_id
    await sender.send(scene.conversation_id, "private")
    await outsider.barrier()
    assert outsider.received("chat:new") == []


async def test_unknown_conversation_gets_not_found_on_join(connect: Connect) -> None:
    client = await connect(new_user())
    await client.fails("chat:join", {"conversationId": str(uuid.uuid4())}, "not_found")


async def test_service_role_may_join_any_conversation_room_to_listen(
    connect: Connect, api: Api, tokens: Tokens
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    service = await connect(token=tokens.service())
    await service.join(scene.conversation_id)
    sender = await connect(alice)
    message = await sender.send(scene.conversation_id, "observed")
    assert await service.wait_for("chat:new") == {"message": message}


async def test_leave_replies_chat_left_and_stops_room_events(connect: Connect, api: Api) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    sender, listener = await connect(alice), await connect(bob)
    await listener.join(scene.conversation_id)
    reply = await listener.ok("chat:leave", {"conversationId": scene.conversation_id})
    assert reply == {"conversationId": scene.conversation_id}
    await sender.send(scene.conversation_id, "after leave")
    await listener.barrier()
    assert listener.received("chat:new") == []


async def test_leave_without_access_gets_not_found(connect: Connect, api: Api) -> None:
    scene = await make_scene(api, participants=[new_user()])
    outsider = await connect(new_user("eve"))
    await outsider.fails("chat:leave", {"conversationId": scene.conversation_id}, "not_found")


async def test_campaign_member_joins_and_leaves_the_work_room(connect: Connect, api: Api) -> None:
    carol = new_user("carol")
    scene = await make_scene(api, members=[carol])
    client = await connect(carol)
    joined = await client.ok("work:join", {"campaignId": scene.campaign_id})
    assert joined == {"campaignId": scene.campaign_id}
    left = await client.ok("work:leave", {"campaignId": scene.campaign_id})
    assert left == {"campaignId": scene.campaign_id}


async def test_work_room_receives_conversation_list_updates_until_left(
    connect: Connect, api: Api
) -> None:
    carol, alice = new_user("carol"), new_user("alice")
    scene = await make_scene(api, members=[carol], participants=[alice])
    staff, sender = await connect(carol), await connect(alice)
    await staff.work_join(scene.campaign_id)
    first = await sender.send(scene.conversation_id, "one")
    update = await staff.wait_for("conversation_list_updated")
    assert update == {
        "conversation_id": scene.conversation_id,
        "message": first,
        "action": "new_message",
    }
    await staff.ok("work:leave", {"campaignId": scene.campaign_id})
    await sender.send(scene.conversation_id, "two")
    await staff.barrier()
    assert len(staff.received("conversation_list_updated")) == 1


async def test_participant_who_is_not_a_campaign_member_gets_not_found_on_work_join(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, members=[new_user("carol")], participants=[alice])
    client = await connect(alice)
    error = await client.fails("work:join", {"campaignId": scene.campaign_id}, "not_found")
    assert error["campaignId"] == scene.campaign_id


async def test_unknown_campaign_gets_not_found_on_work_join(connect: Connect) -> None:
    client = await connect(new_user())
    await client.fails("work:join", {"campaignId": str(uuid.uuid4())}, "not_found")


async def test_service_role_may_join_any_work_room_to_listen(
    connect: Connect, api: Api, tokens: Tokens
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    service = await connect(token=tokens.service())
    await service.work_join(scene.campaign_id)
    message = await (await connect(alice)).send(scene.conversation_id, "for the backend")
    update = await service.wait_for("conversation_list_updated")
    assert update["message"] == message


async def test_removed_participant_leaves_the_room_at_once_and_gets_removed(
    connect: Connect, api: Api
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    sender, removed = await connect(alice), await connect(bob)
    await removed.join(scene.conversation_id)
    await api.update_conversation(scene.conversation_id, participant_ids=[alice])
    update = await removed.wait_for(
        "conversation_list_updated", lambda p: p["conversation_id"] == scene.conversation_id
    )
    assert update["action"] == "removed"
    await sender.send(scene.conversation_id, "bob is gone")
    await removed.barrier()
    assert removed.received("chat:new") == []
    # Access is checked again on every operation, not only on join.
    payload = {
        "tempId": "t-gone",
        "conversationId": scene.conversation_id,
        "text": "let me in",
        "clientNonce": "n-gone",
    }
    error = await removed.fails("chat:send", payload, "not_found")
    assert error["tempId"] == "t-gone"
    await removed.fails("chat:join", {"conversationId": scene.conversation_id}, "not_found")
    await removed.fails(
        "chat:read", {"conversationId": scene.conversation_id, "messageIds": []}, "not_found"
    )


async def test_remaining_participants_get_participants_changed(connect: Connect, api: Api) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    staying = await connect(alice)
    await api.update_conversation(scene.conversation_id, participant_ids=[alice])
    update = await staying.wait_for("conversation_list_updated")
    assert update == {
        "conversation_id": scene.conversation_id,
        "message": None,
        "action": "participants_changed",
    }


async def test_removed_participant_who_is_a_campaign_member_keeps_the_room(
    connect: Connect, api: Api
) -> None:
    alice, carol = new_user("alice"), new_user("carol")
    scene = await make_scene(api, members=[carol], participants=[alice, carol])
    sender, member = await connect(alice), await connect(carol)
    await member.join(scene.conversation_id)
    await api.update_conversation(scene.conversation_id, participant_ids=[alice])
    message = await sender.send(scene.conversation_id, "carol still reads this")
    assert await member.wait_for("chat:new") == {"message": message}
    await member.send(scene.conversation_id, "and may answer")


async def test_member_removed_from_campaign_loses_work_and_conversation_rooms_at_once(
    connect: Connect, api: Api
) -> None:
    alice, carol = new_user("alice"), new_user("carol")
    scene = await make_scene(api, members=[carol], participants=[alice])
    sender, staff = await connect(alice), await connect(carol)
    await staff.join(scene.conversation_id)
    await staff.work_join(scene.campaign_id)
    await api.update_campaign(scene.campaign_id, member_ids=[])
    await sender.send(scene.conversation_id, "carol no longer sees this")
    await staff.barrier()
    assert staff.received("chat:new") == []
    assert staff.received("conversation_list_updated") == []
    await staff.fails("chat:join", {"conversationId": scene.conversation_id}, "not_found")
    await staff.fails("work:join", {"campaignId": scene.campaign_id}, "not_found")


async def test_send_needs_access_not_a_prior_join(connect: Connect, api: Api) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    message = await client.send(scene.conversation_id, "no join needed")
    assert message["seq"] == 1
