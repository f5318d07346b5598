"""conversation_list_updated, chat:status and chat:automated fan-out."""

from __future__ import annotations

from tests.support.client import (
    Api,
    ChatClient,
    Connect,
    Tokens,
    make_scene,
    new_user,
)

pytest_plugins = ("tests.support.client",)

ACTION_DATA = {
    "prompt_id": "welcome",
    "buttons": [
        {"id": "yes", "label": "Yes", "value": "handoff"},
        {"id": "no", "label": "No", "value": "end"},
    ],
    "inputs": [
        {"id": "email", "type": "email", "label": "Your email", "required": True},
        {
            "id": "size",
            "type": "select",
            "label": "Team size",
            "required": False,
            "options": [{"value": "s", "label": "Small"}, {"value": "l", "label": "Large"}],
        },
    ],
}


def updates_for(client: ChatClient, conversation_id: str) -> list[dict[str, object]]:
    """The conversation_list_updated payloads ``client`` got for one conversation."""
    return [
        p
        for p in client.received("conversation_list_updated")
        if p["conversation_id"] == conversation_id
    ]


async def test_new_message_updates_work_room_and_participants_user_rooms(
    connect: Connect, api: Api
) -> None:
    alice, bob, carol = new_user("alice"), new_user("bob"), new_user("carol")
    scene = await make_scene(api, members=[carol], participants=[alice, bob])
    sender, bob_socket, staff = await connect(alice), await connect(bob), await connect(carol)
    await staff.work_join(scene.campaign_id)
    message = await sender.send(scene.conversation_id, "news")
    expected = {
        "conversation_id": scene.conversation_id,
        "message": message,
        "action": "new_message",
    }
    assert await bob_socket.wait_for("conversation_list_updated") == expected
    assert await staff.wait_for("conversation_list_updated") == expected
    # The sender's own user room gets it too (its other tabs update their lists).
    assert await sender.wait_for("conversation_list_updated") == expected


async def test_campaign_member_outside_the_work_room_and_outsiders_get_no_list_update(
    connect: Connect, api: Api
) -> None:
    alice, carol, eve = new_user("alice"), new_user("carol"), new_user("eve")
    scene = await make_scene(api, members=[carol], participants=[alice])
    sender, member, outsider = await connect(alice), await connect(carol), await connect(eve)
    await sender.send(scene.conversation_id, "quiet")
    await member.barrier()
    await outsider.barrier()
    assert member.received("conversation_list_updated") == []
    assert outsider.received("conversation_list_updated") == []


async def test_socket_in_work_room_and_user_room_gets_each_update_once(
    connect: Connect, api: Api, tokens: Tokens
) -> None:
    alice, carol = new_user("alice"), new_user("carol")
    scene = await make_scene(api, members=[carol], participants=[alice, carol])
    sender, both = await connect(alice), await connect(carol)
    await both.work_join(scene.campaign_id)
    await both.join(scene.conversation_id)
    await sender.send(scene.conversation_id, "once")
    await api.update_conversation(scene.conversation_id, chat_status="automated")
    await both.wait_for("chat:status")
    await both.barrier()
    actions = [u["action"] for u in updates_for(both, scene.conversation_id)]
    assert actions == ["new_message", "status_changed"]


async def test_status_change_emits_chat_status_to_room_and_status_changed_with_latest_message(
    connect: Connect, api: Api
) -> None:
    alice, bob, carol = new_user("alice"), new_user("bob"), new_user("carol")
    scene = await make_scene(api, members=[carol], participants=[alice, bob])
    sender, listener, staff = await connect(alice), await connect(bob), await connect(carol)
    await listener.join(scene.conversation_id)
    await staff.work_join(scene.campaign_id)
    latest = await sender.send(scene.conversation_id, "before the bot")
    await listener.wait_for("chat:new")
    await listener.wait_for("conversation_list_updated")
    await staff.wait_for("conversation_list_updated")
    updated = await api.update_conversation(scene.conversation_id, chat_status="automated")
    assert updated["chat_status"] == "automated"
    status = await listener.wait_for("chat:status")
    assert status == {"conversationId": scene.conversation_id, "chat_status": "automated"}
    expected = {
        "conversation_id": scene.conversation_id,
        "message": latest,
        "action": "status_changed",
    }
    assert await listener.wait_for("conversation_list_updated") == expected
    assert await staff.wait_for("conversation_list_updated") == expected
    # A participant who did not join the room gets the list update, not chat:status.
    assert await sender.wait_for("conversation_list_updated", lambda p: p == expected) == expected
    await sender.barrier()
    assert sender.received("chat:status") == []


async def test_status_changed_carries_null_when_there_is_no_message(
    connect: Connect, api: Api
) -> None:
    carol = new_user("carol")
    scene = await make_scene(api, members=[carol], chat_status="automated")
    staff = await connect(carol)
    await staff.work_join(scene.campaign_id)
    await api.update_conversation(scene.conversation_id, chat_status="real_time")
    assert await staff.wait_for("conversation_list_updated") == {
        "conversation_id": scene.conversation_id,
        "message": None,
        "action": "status_changed",
    }


async def test_patch_with_unchanged_status_emits_no_status_change(
    connect: Connect, api: Api
) -> None:
    bob = new_user("bob")
    scene = await make_scene(api, participants=[bob])
    listener = await connect(bob)
    await listener.join(scene.conversation_id)
    await api.update_conversation(scene.conversation_id, chat_status="real_time")
    await listener.barrier()
    assert listener.received("chat:status") == []
    assert [u["action"] for u in updates_for(listener, scene.conversation_id)] == []


async def test_automated_message_is_broadcast_with_reason_and_updates_lists(
    connect: Connect, api: Api
) -> None:
    alice, carol = new_user("alice"), new_user("carol")
    scene = await make_scene(api, members=[carol], participants=[alice], chat_status="automated")
    participant, staff = await connect(alice), await connect(carol)
    await participant.join(scene.conversation_id)
    await staff.work_join(scene.campaign_id)
    message = await api.automated(
        scene.conversation_id, "Talk to a person?", "welcome", ACTION_DATA
    )
    assert message["kind"] == "automated"
    assert message["sender_id"] is None
    assert message["client_nonce"] is None
    assert message["action_data"] == ACTION_DATA
    assert await participant.wait_for("chat:automated") == {"message": message, "reason": "welcome"}
    expected = {
        "conversation_id": scene.conversation_id,
        "message": message,
        "action": "new_message",
    }
    assert await participant.wait_for("conversation_list_updated") == expected
    assert await staff.wait_for("conversation_list_updated") == expected
    await staff.barrier()
    assert staff.received("chat:automated") == []


async def test_automated_message_does_not_reach_sockets_outside_the_room(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    not_joined = await connect(alice)
    await api.automated(scene.conversation_id, "hello")
    await not_joined.wait_for("conversation_list_updated")
    await not_joined.barrier()
    assert not_joined.received("chat:automated") == []


async def test_participant_added_by_patch_gets_access_and_list_updates(
    connect: Connect, api: Api
) -> None:
    alice, dave = new_user("alice"), new_user("dave")
    scene = await make_scene(api, participants=[alice])
    newcomer = await connect(dave)
    await newcomer.fails("chat:join", {"conversationId": scene.conversation_id}, "not_found")
    await api.update_conversation(scene.conversation_id, participant_ids=[alice, dave])
    update = await newcomer.wait_for("conversation_list_updated")
    assert update["conversation_id"] == scene.conversation_id
    assert update["action"] == "participants_changed"
    await newcomer.join(scene.conversation_id)
    message = await (await connect(alice)).send(scene.conversation_id, "welcome dave")
    assert await newcomer.wait_for("chat:new") == {"message": message}
