"""chat:send: ack and broadcast, access and status checks, idempotency, limits, seq order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.client import Api, Connect, Tokens, make_scene, new_user

pytest_plugins = ("tests.support.client",)

ATTACHMENT = {
    "url": "https://files.example.com/brief.pdf",
    "name": "brief.pdf",
    "mime_type": "application/pdf",
    "size_bytes": 48213,
}


def send_payload(conversation_id: str, text: str | None = "hi", **extra: Any) -> dict[str, Any]:
    """A chat:send payload with fixed tempId/clientNonce unless given."""
    payload: dict[str, Any] = {
        "tempId": "t-1",
        "conversationId": conversation_id,
        "clientNonce": "n-1",
    }
    if text is not None:
        payload["text"] = text
    return payload | extra


async def test_send_acks_the_sender_and_broadcasts_chat_new_to_every_other_room_socket(
    connect: Connect, api: Api
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    sender, bob1, bob2 = await connect(alice), await connect(bob), await connect(bob)
    await sender.join(scene.conversation_id)
    await bob1.join(scene.conversation_id)
    await bob2.join(scene.conversation_id)
    ack = await sender.ok("chat:send", send_payload(scene.conversation_id, "Hello!"))
    message = ack["message"]
    assert ack["tempId"] == "t-1"
    assert message["text"] == "Hello!"
    assert message["sender_id"] == alice
    assert message["kind"] == "user"
    assert message["client_nonce"] == "n-1"
    assert message["conversation_id"] == scene.conversation_id
    assert message["attachments"] == []
    assert message["action_data"] is None
    assert await bob1.wait_for("chat:new") == {"message": message}
    assert await bob2.wait_for("chat:new") == {"message": message}


async def test_sending_socket_never_gets_its_own_chat_new_but_senders_other_sockets_do(
    connect: Connect, api: Api
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    sender, other_tab, bob_socket = await connect(alice), await connect(alice), await connect(bob)
    for client in (sender, other_tab, bob_socket):
        await client.join(scene.conversation_id)
    message = await sender.send(scene.conversation_id, "mine")
    assert await other_tab.wait_for("chat:new") == {"message": message}
    # Barrier: bob's reply to a later message proves the first broadcast is done.
    later = await bob_socket.send(scene.conversation_id, "later")
    assert await sender.wait_for("chat:new") == {"message": later}
    await sender.barrier()
    assert sender.received("chat:new") == [{"message": later}]
    assert len(sender.received("chat:ack")) == 1


async def test_message_is_committed_before_anyone_is_told(connect: Connect, api: Api) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    sender, listener = await connect(alice), await connect(bob)
    await listener.join(scene.conversation_id)
    mark = await sender.emit("chat:send", send_payload(scene.conversation_id, "durable"))
    new = await listener.wait_for("chat:new")
    # Read through another connection the moment the broadcast arrives.
    stored = await api.messages(scene.conversation_id)
    assert stored == [new["message"]]
    ack = await sender.wait_for("chat:ack", since=mark)
    assert ack["message"] == new["message"]


async def test_send_with_attachments_only_is_stored_with_them(connect: Connect, api: Api) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    message = await client.send(scene.conversation_id, None, attachments=[ATTACHMENT])
    assert message["attachments"] == [ATTACHMENT]
    assert message["text"] in (None, "")


async def test_send_without_text_or_attachments_is_invalid(connect: Connect, api: Api) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    error = await client.fails(
        "chat:send", send_payload(scene.conversation_id, None), "invalid_payload"
    )
    assert error["tempId"] == "t-1"
    error = await client.fails(
        "chat:send", send_payload(scene.conversation_id, "   ", tempId="t-2"), "invalid_payload"
    )
    assert error["tempId"] == "t-2"
    assert await api.messages(scene.conversation_id) == []


async def test_send_to_automated_conversation_gets_not_real_time_with_temp_id(
    connect: Connect, api: Api
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob], chat_status="automated")
    sender, listener = await connect(alice), await connect(bob)
    await listener.join(scene.conversation_id)
    error = await sender.fails(
        "chat:send", send_payload(scene.conversation_id, tempId="t-auto"), "not_real_time"
    )
    assert error["tempId"] == "t-auto"
    assert isinstance(error["message"], str) and error["message"]
    await listener.barrier()
    assert listener.received("chat:new") == []
    assert await api.messages(scene.conversation_id) == []


async def test_send_works_again_after_status_returns_to_real_time(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice], chat_status="automated")
    client = await connect(alice)
    await client.fails("chat:send", send_payload(scene.conversation_id), "not_real_time")
    await api.update_conversation(scene.conversation_id, chat_status="real_time")
    await client.send(scene.conversation_id, "now it works")


async def test_send_without_access_gets_not_found_and_stores_nothing(
    connect: Connect, api: Api
) -> None:
    scene = await make_scene(api, participants=[new_user("alice")])
    outsider = await connect(new_user("eve"))
    error = await outsider.fails("chat:send", send_payload(scene.conversation_id), "not_found")
    assert error["tempId"] == "t-1"
    assert await api.messages(scene.conversation_id) == []


async def test_service_role_gets_forbidden_on_send(
    connect: Connect, api: Api, tokens: Tokens
) -> None:
    scene = await make_scene(api, participants=[new_user("alice")])
    service = await connect(token=tokens.service())
    await service.join(scene.conversation_id)
    error = await service.fails("chat:send", send_payload(scene.conversation_id), "forbidden")
    assert error["tempId"] == "t-1"
    assert await api.messages(scene.conversation_id) == []


async def test_retry_with_same_nonce_acks_the_original_message_with_the_retrys_temp_id(
    connect: Connect, api: Api
) -> None:
    alice, bob, carol = new_user("alice"), new_user("bob"), new_user("carol")
    scene = await make_scene(api, members=[carol], participants=[alice, bob])
    sender, retrier, listener = await connect(alice), await connect(alice), await connect(bob)
    staff = await connect(carol)
    await listener.join(scene.conversation_id)
    await staff.work_join(scene.campaign_id)
    original = await sender.ok("chat:send", send_payload(scene.conversation_id, "once"))
    await listener.wait_for("chat:new")
    await staff.wait_for("conversation_list_updated")
    retried = await retrier.ok(
        "chat:send", send_payload(scene.conversation_id, "once", tempId="t-retry")
    )
    assert retried == {"tempId": "t-retry", "message": original["message"]}
    again = await sender.ok("chat:send", send_payload(scene.conversation_id, "once", tempId="t-3"))
    assert again == {"tempId": "t-3", "message": original["message"]}
    # Nothing stored, nothing broadcast.
    assert await api.messages(scene.conversation_id) == [original["message"]]
    await listener.barrier()
    await staff.barrier()
    assert listener.received("chat:new") == [{"message": original["message"]}]
    assert len(staff.received("conversation_list_updated")) == 1


async def test_same_nonce_with_other_content_gets_idempotency_conflict(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    await client.ok("chat:send", send_payload(scene.conversation_id, "first"))
    error = await client.fails(
        "chat:send",
        send_payload(scene.conversation_id, "different", tempId="t-2"),
        "idempotency_conflict",
    )
    assert error["tempId"] == "t-2"
    await client.fails(
        "chat:send",
        send_payload(scene.conversation_id, "first", tempId="t-3", attachments=[ATTACHMENT]),
        "idempotency_conflict",
    )
    assert len(await api.messages(scene.conversation_id)) == 1


async def test_same_nonce_in_another_conversation_gets_idempotency_conflict(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    other = await api.create_conversation(scene.campaign_id, [alice])
    client = await connect(alice)
    await client.ok("chat:send", send_payload(scene.conversation_id, "same"))
    await client.fails(
        "chat:send", send_payload(other["id"], "same", tempId="t-2"), "idempotency_conflict"
    )
    assert await api.messages(other["id"]) == []


async def test_same_nonce_from_another_sender_is_a_new_message(connect: Connect, api: Api) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    first = await (await connect(alice)).send(scene.conversation_id, "x", clientNonce="shared")
    second = await (await connect(bob)).send(scene.conversation_id, "x", clientNonce="shared")
    assert first["id"] != second["id"]
    assert [m["seq"] for m in await api.messages(scene.conversation_id)] == [1, 2]


async def test_retry_from_a_new_socket_after_disconnect_gets_the_original_message(
    connect: Connect, api: Api
) -> None:
    # Durable: a brand-new socket (a reloaded app) retrying gets the original message.
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    first = await connect(alice)
    original = await first.send(scene.conversation_id, "persist", clientNonce="n-durable")
    await first.disconnect()
    reloaded = await connect(alice)
    retried = await reloaded.send(scene.conversation_id, "persist", clientNonce="n-durable")
    assert retried == original


async def test_concurrent_retries_of_one_nonce_store_one_message(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    sockets = [await connect(alice) for _ in range(5)]
    payloads = [send_payload(scene.conversation_id, "race", tempId=f"t-{i}") for i in range(5)]
    acks = await asyncio.gather(
        *(s.ok("chat:send", p) for s, p in zip(sockets, payloads, strict=True))
    )
    assert {ack["message"]["id"] for ack in acks} == {acks[0]["message"]["id"]}
    assert [ack["tempId"] for ack in acks] == [f"t-{i}" for i in range(5)]
    assert len(await api.messages(scene.conversation_id)) == 1


async def test_text_of_10000_characters_is_accepted(connect: Connect, api: Api) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    message = await (await connect(alice)).send(scene.conversation_id, "é" * 10_000)
    assert message["text"] == "é" * 10_000


async def test_text_over_10000_characters_is_too_large_and_the_socket_keeps_working(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    error = await client.fails(
        "chat:send", send_payload(scene.conversation_id, "x" * 10_001), "too_large"
    )
    assert error["tempId"] == "t-1"
    assert client.connected
    await client.send(scene.conversation_id, "small")


async def test_ten_attachments_are_accepted_eleven_are_too_large(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    message = await client.send(scene.conversation_id, "ten", attachments=[ATTACHMENT] * 10)
    assert len(message["attachments"]) == 10
    error = await client.fails(
        "chat:send",
        send_payload(scene.conversation_id, "eleven", tempId="t-11", attachments=[ATTACHMENT] * 11),
        "too_large",
    )
    assert error["tempId"] == "t-11"
    await client.send(scene.conversation_id, "still fine")


async def test_seq_is_gap_free_and_shared_by_user_and_automated_messages(
    connect: Connect, api: Api
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    a, b = await connect(alice), await connect(bob)
    seqs = [(await a.send(scene.conversation_id, "1"))["seq"]]
    seqs.append((await api.automated(scene.conversation_id, "2"))["seq"])
    seqs.append((await b.send(scene.conversation_id, "3"))["seq"])
    seqs.append((await api.automated(scene.conversation_id, "4"))["seq"])
    assert seqs == [1, 2, 3, 4]
    other = await api.create_conversation(scene.campaign_id, [alice])
    assert (await a.send(other["id"], "own sequence"))["seq"] == 1
    stored = await api.messages(scene.conversation_id)
    assert [m["seq"] for m in stored] == [1, 2, 3, 4]
    assert [m["kind"] for m in stored] == ["user", "automated", "user", "automated"]


async def test_created_at_is_utc_with_milliseconds_and_recent(connect: Connect, api: Api) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    message = await (await connect(alice)).send(scene.conversation_id, "when")
    created = datetime.strptime(message["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)
