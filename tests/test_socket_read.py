"""chat:read: per-reader receipts of newly read messages, and unread counts."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.client import (
    Api,
    ChatClient,
    Connect,
    Scene,
    Tokens,
    make_scene,
    new_user,
)

pytest_plugins = ("tests.support.client",)


async def conversation_with_messages(
    connect: Connect, api: Api, count: int
) -> tuple[Scene, ChatClient, ChatClient, list[dict[str, Any]]]:
    """alice sends ``count`` messages; bob (joined) will read them."""
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    sender, reader = await connect(alice), await connect(bob)
    await sender.join(scene.conversation_id)
    await reader.join(scene.conversation_id)
    messages = [await sender.send(scene.conversation_id, f"m{i}") for i in range(count)]
    return scene, sender, reader, messages


async def test_read_by_ids_broadcasts_receipt_to_the_room_with_conversation_id(
    connect: Connect, api: Api
) -> None:
    scene, sender, reader, messages = await conversation_with_messages(connect, api, 3)
    ids = [messages[0]["id"], messages[2]["id"]]
    receipt = await reader.ok(
        "chat:read", {"conversationId": scene.conversation_id, "messageIds": ids}
    )
    assert sorted(receipt["messageIds"]) == sorted(ids)
    assert receipt["readerId"] == reader.user_id
    assert receipt["conversationId"] == scene.conversation_id
    assert await sender.wait_for("chat:read") == receipt


async def test_read_up_to_marks_every_message_up_to_that_seq(connect: Connect, api: Api) -> None:
    scene, sender, reader, messages = await conversation_with_messages(connect, api, 4)
    receipt = await reader.ok(
        "chat:read",
        {"conversationId": scene.conversation_id, "upToMessageId": messages[2]["id"]},
    )
    assert sorted(receipt["messageIds"]) == sorted(m["id"] for m in messages[:3])
    assert await sender.wait_for("chat:read") == receipt


async def test_repeating_a_read_lists_no_id_twice(connect: Connect, api: Api) -> None:
    scene, sender, reader, messages = await conversation_with_messages(connect, api, 3)
    first = await reader.ok(
        "chat:read",
        {"conversationId": scene.conversation_id, "upToMessageId": messages[1]["id"]},
    )
    second = await reader.ok(
        "chat:read",
        {"conversationId": scene.conversation_id, "upToMessageId": messages[2]["id"]},
    )
    assert second["messageIds"] == [messages[2]["id"]]
    third = await reader.ok(
        "chat:read",
        {"conversationId": scene.conversation_id, "messageIds": [m["id"] for m in messages]},
    )
    assert third["messageIds"] == []
    assert len(first["messageIds"]) == 2
    await sender.barrier()
    listed = [i for r in sender.received("chat:read") for i in r["messageIds"]]
    assert sorted(listed) == sorted(m["id"] for m in messages)


async def test_a_readers_own_messages_are_not_marked(connect: Connect, api: Api) -> None:
    scene, sender, reader, messages = await conversation_with_messages(connect, api, 2)
    own = await reader.send(scene.conversation_id, "bob's own")
    receipt = await reader.ok(
        "chat:read", {"conversationId": scene.conversation_id, "upToMessageId": own["id"]}
    )
    assert sorted(receipt["messageIds"]) == sorted(m["id"] for m in messages)
    receipt = await sender.ok(
        "chat:read", {"conversationId": scene.conversation_id, "messageIds": [messages[0]["id"]]}
    )
    assert receipt["messageIds"] == []


async def test_read_receipt_reaches_the_reader_once_even_when_it_lists_nothing(
    connect: Connect, api: Api
) -> None:
    scene, _sender, reader, _messages = await conversation_with_messages(connect, api, 1)
    receipt = await reader.ok(
        "chat:read", {"conversationId": scene.conversation_id, "messageIds": []}
    )
    assert receipt["messageIds"] == []
    await reader.barrier()
    assert len(reader.received("chat:read")) == 1


async def test_reads_are_per_reader(connect: Connect, api: Api) -> None:
    alice, bob, carol = new_user("alice"), new_user("bob"), new_user("carol")
    scene = await make_scene(api, participants=[alice, bob, carol])
    message = await (await connect(alice)).send(scene.conversation_id, "to both")
    bob_socket, carol_socket = await connect(bob), await connect(carol)
    payload = {"conversationId": scene.conversation_id, "messageIds": [message["id"]]}
    assert (await bob_socket.ok("chat:read", payload))["messageIds"] == [message["id"]]
    assert (await carol_socket.ok("chat:read", payload))["messageIds"] == [message["id"]]


async def test_unknown_and_foreign_message_ids_are_ignored(connect: Connect, api: Api) -> None:
    scene, sender, reader, messages = await conversation_with_messages(connect, api, 1)
    elsewhere = await make_scene(api, participants=[sender.user_id or ""])
    foreign = await sender.send(elsewhere.conversation_id, "elsewhere")
    receipt = await reader.ok(
        "chat:read",
        {
            "conversationId": scene.conversation_id,
            "messageIds": [str(uuid.uuid4()), foreign["id"], messages[0]["id"]],
        },
    )
    assert receipt["messageIds"] == [messages[0]["id"]]


async def test_automated_messages_can_be_read(connect: Connect, api: Api) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    automated = await api.automated(scene.conversation_id, "welcome")
    reader = await connect(alice)
    receipt = await reader.ok(
        "chat:read", {"conversationId": scene.conversation_id, "upToMessageId": automated["id"]}
    )
    assert receipt["messageIds"] == [automated["id"]]


async def test_read_without_access_gets_not_found(connect: Connect, api: Api) -> None:
    scene, _sender, _reader, messages = await conversation_with_messages(connect, api, 1)
    outsider = await connect(new_user("eve"))
    await outsider.fails(
        "chat:read",
        {"conversationId": scene.conversation_id, "messageIds": [messages[0]["id"]]},
        "not_found",
    )


async def test_service_role_gets_forbidden_on_read(
    connect: Connect, api: Api, tokens: Tokens
) -> None:
    scene, _sender, _reader, messages = await conversation_with_messages(connect, api, 1)
    service = await connect(token=tokens.service())
    await service.fails(
        "chat:read",
        {"conversationId": scene.conversation_id, "messageIds": [messages[0]["id"]]},
        "forbidden",
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"messageIds": []},
        {"messageIds": [], "upToMessageId": "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"},
        {},
        {"messageIds": "not-a-list"},
    ],
    ids=["no-conversation", "both-selectors", "no-selector", "ids-not-a-list"],
)
async def test_read_with_invalid_selector_gets_invalid_payload(
    connect: Connect, api: Api, payload: dict[str, Any]
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    if payload != {"messageIds": []}:
        payload = {"conversationId": scene.conversation_id} | payload
    await client.fails("chat:read", payload, "invalid_payload")


async def test_unread_count_in_conversation_list_follows_reads(connect: Connect, api: Api) -> None:
    scene, _sender, reader, messages = await conversation_with_messages(connect, api, 3)
    await api.automated(scene.conversation_id, "bot")
    bob_token = api.tokens.user(reader.user_id or "")

    async def unread() -> int:
        items = await api.list_conversations(bob_token)
        (item,) = [i for i in items if i["id"] == scene.conversation_id]
        return int(item["unread_count"])

    assert await unread() == 4
    await reader.ok(
        "chat:read", {"conversationId": scene.conversation_id, "upToMessageId": messages[1]["id"]}
    )
    assert await unread() == 2
    await reader.send(scene.conversation_id, "own messages are never unread")
    assert await unread() == 2
