"""chat:sync catch-up: pages in seq order, recovery after a disconnect, access checks."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import Database, ServerProcess, message_view, start_server
from tests.support.client import Api, ChatClient, Connect, make_scene, new_user

pytest_plugins = ("tests.support.client", "tests.support.crash")

PAGE_MAX = 200


@pytest.fixture(scope="module")
def chat_server(
    module_db: Database, module_server_logs: Path, jwt_secret: str
) -> Iterator[ServerProcess]:
    """One server per database for this module (overrides the client plugin's)."""
    server = start_server(module_db.url, jwt_secret, module_server_logs)
    yield server
    server.stop()


def has_temp_id(temp_id: str) -> Callable[[Any], bool]:
    """A reply predicate: the reply echoes ``temp_id``."""
    return lambda reply: isinstance(reply, dict) and reply.get("tempId") == temp_id


async def send_many(client: ChatClient, conversation_id: str, count: int, tag: str) -> list[Any]:
    """Pipeline ``count`` sends, then collect every ack; returns the stored messages by seq."""
    temp_ids = [f"{tag}-{i}" for i in range(count)]
    mark = len(client.log)
    for i, temp_id in enumerate(temp_ids):
        await client.emit(
            "chat:send",
            {
                "tempId": temp_id,
                "conversationId": conversation_id,
                "clientNonce": f"{tag}-{uuid.uuid4().hex}",
                "text": f"{tag} message {i}",
            },
        )
    messages = []
    for temp_id in temp_ids:
        ack = await client.wait_for("chat:ack", has_temp_id(temp_id), timeout=30, since=mark)
        messages.append(ack["message"])
    return sorted(messages, key=lambda m: m["seq"])


async def sync_all(
    client: ChatClient, conversation_id: str, after_seq: int = 0, limit: int | None = None
) -> tuple[list[Any], list[int]]:
    """Page through chat:sync; returns every message and the size of each page."""
    messages: list[Any] = []
    sizes: list[int] = []
    while True:
        request: dict[str, Any] = {"conversationId": conversation_id, "afterSeq": after_seq}
        if limit is not None:
            request["limit"] = limit
        page = await client.ok("chat:sync", request)
        assert page["conversationId"] == conversation_id
        sizes.append(len(page["messages"]))
        messages.extend(page["messages"])
        if not page["hasMore"]:
            return messages, sizes
        assert page["messages"], "hasMore with an empty page"
        after_seq = page["messages"][-1]["seq"]


async def test_sync_returns_pages_of_at_most_200_in_seq_order_until_has_more_is_false(
    connect: Connect, api: Api, module_db: Database
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    sender = await connect(alice)
    sent = await send_many(sender, scene.conversation_id, 230, "bulk")
    synced, sizes = await sync_all(sender, scene.conversation_id)
    assert sizes == [PAGE_MAX, 30]
    assert [m["seq"] for m in synced] == list(range(1, 231))
    assert synced == sent
    stored = await module_db.messages(scene.conversation_id)
    assert [message_view(m) for m in synced] == stored


async def test_sync_honours_a_small_limit_and_starts_after_the_given_seq(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    sender = await connect(alice)
    sent = await send_many(sender, scene.conversation_id, 12, "small")
    synced, sizes = await sync_all(sender, scene.conversation_id, after_seq=3, limit=4)
    assert sizes[:2] == [4, 4]
    assert sum(sizes) == 9
    assert synced == sent[3:]


async def test_sync_after_the_last_seq_is_an_empty_page_without_more(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    sender = await connect(alice)
    await send_many(sender, scene.conversation_id, 3, "tail")
    page = await sender.ok("chat:sync", {"conversationId": scene.conversation_id, "afterSeq": 3})
    assert page == {"conversationId": scene.conversation_id, "messages": [], "hasMore": False}


async def test_client_that_missed_messages_while_disconnected_catches_up_without_gap_or_duplicate(
    connect: Connect, api: Api, module_db: Database
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    sender, reader = await connect(alice), await connect(bob)
    await reader.join(scene.conversation_id)
    before = await send_many(sender, scene.conversation_id, 5, "before")
    seen = [(await reader.wait_for("chat:new"))["message"] for _ in before]
    assert seen == before
    await reader.disconnect()

    await send_many(sender, scene.conversation_id, 7, "missed")
    # An automated message shares the seq counter and must be caught up as well.
    await api.automated(scene.conversation_id, "while you were away")

    again = await connect(bob)
    await again.join(scene.conversation_id)
    caught_up, _sizes = await sync_all(again, scene.conversation_id, after_seq=seen[-1]["seq"])
    view = seen + caught_up
    assert [m["seq"] for m in view] == list(range(1, 14))
    assert len({m["id"] for m in view}) == len(view)
    assert [message_view(m) for m in view] == await module_db.messages(scene.conversation_id)
    # Live delivery resumes after the catch-up.
    live = await sender.send(scene.conversation_id, "welcome back")
    assert await again.wait_for("chat:new") == {"message": live}
    assert live["seq"] == 14


async def test_campaign_member_who_is_not_a_participant_may_sync(
    connect: Connect, api: Api
) -> None:
    alice, manager = new_user("alice"), new_user("manager")
    scene = await make_scene(api, members=[manager], participants=[alice])
    sent = await send_many(await connect(alice), scene.conversation_id, 2, "m")
    synced, _sizes = await sync_all(await connect(manager), scene.conversation_id)
    assert synced == sent


async def test_sync_without_access_or_of_an_unknown_conversation_gets_not_found(
    connect: Connect, api: Api
) -> None:
    alice, mallory = new_user("alice"), new_user("mallory")
    scene = await make_scene(api, participants=[alice])
    await send_many(await connect(alice), scene.conversation_id, 2, "secret")
    attacker = await connect(mallory)
    for conversation_id in (scene.conversation_id, str(uuid.uuid4())):
        error = await attacker.fails(
            "chat:sync", {"conversationId": conversation_id, "afterSeq": 0}, "not_found"
        )
        assert error["conversationId"] == conversation_id
    assert attacker.received("chat:synced") == []


@pytest.mark.parametrize(
    "payload",
    [
        {"afterSeq": -1},
        {"afterSeq": 0, "limit": 0},
        {"afterSeq": 0, "limit": 201},
        {"afterSeq": "0"},
        {"afterSeq": 0, "extra": True},
    ],
    ids=["negative-after", "zero-limit", "limit-over-200", "string-after", "extra-field"],
)
async def test_sync_with_an_invalid_request_gets_invalid_payload(
    connect: Connect, api: Api, payload: dict[str, Any]
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    name, reply = await client.request(
        "chat:sync", {"conversationId": scene.conversation_id} | payload
    )
    assert name == "chat:error"
    assert reply["code"] in {"invalid_payload", "too_large"}
    assert reply["event"] == "chat:sync"
