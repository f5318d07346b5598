"""chat:sync (extension): catching up after a reconnect, in pages of at most 200 (~512 KiB)."""

from __future__ import annotations

import json

from chinwag.handlers.sync_page import SYNC_PAGE_BYTES, cut_page
from tests.support.client import Api, Connect, make_scene, new_user

pytest_plugins = ("tests.support.client",)


async def test_sync_returns_messages_after_a_seq_in_pages(connect: Connect, api: Api) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    sent = [await client.send(scene.conversation_id, f"m{i}") for i in range(5)]
    sent.append(await api.automated(scene.conversation_id, "bot"))
    page = await client.ok(
        "chat:sync", {"conversationId": scene.conversation_id, "afterSeq": 2, "limit": 3}
    )
    assert page == {"conversationId": scene.conversation_id, "messages": sent[2:5], "hasMore": True}
    rest = await client.ok("chat:sync", {"conversationId": scene.conversation_id, "afterSeq": 5})
    assert rest == {"conversationId": scene.conversation_id, "messages": sent[5:], "hasMore": False}


async def test_sync_without_access_gets_not_found(connect: Connect, api: Api) -> None:
    scene = await make_scene(api, participants=[new_user("alice")])
    outsider = await connect(new_user("eve"))
    await outsider.fails(
        "chat:sync", {"conversationId": scene.conversation_id, "afterSeq": 0}, "not_found"
    )


async def test_sync_limit_over_200_is_invalid(connect: Connect, api: Api) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    await client.fails(
        "chat:sync",
        {"conversationId": scene.conversation_id, "afterSeq": 0, "limit": 201},
        "invalid_payload",
    )


def test_a_sync_page_stops_at_about_512_kib() -> None:
    """``cut_page`` keeps the leading messages within the budget (at least one) and says more
    follow when it cut."""
    message = {"id": "m", "text": "y" * 10_000}
    size = len(b'{"id":"m","text":""}') + 10_000
    page, more = cut_page([message] * 200, False)
    assert len(page) == SYNC_PAGE_BYTES // size
    assert more
    assert cut_page([message] * 3, False) == ([message] * 3, False)
    assert cut_page([message] * 3, True) == ([message] * 3, True)
    assert cut_page([message] * 3, False, budget=1) == ([message], True)


async def test_chat_synced_pages_of_long_messages_stop_near_512_kib(
    api: Api, connect: Connect
) -> None:
    """200 messages of 10,000 characters would be a ~2 MB reply; pages stop at ~512 KiB with
    ``hasMore`` and the next page continues where the last one stopped."""
    alice = new_user("alice")
    scene = await make_scene(api, members=[alice], participants=[alice])
    client = await connect(alice)
    sent = [await client.send(scene.conversation_id, "z" * 10_000) for _ in range(70)]
    first = await client.ok("chat:sync", {"conversationId": scene.conversation_id, "afterSeq": 0})
    assert first["hasMore"]
    assert 40 <= len(first["messages"]) < 70
    assert len(json.dumps(first["messages"])) <= SYNC_PAGE_BYTES + 16 * 1024
    seqs = [m["seq"] for m in first["messages"]]
    while True:
        page = await client.ok(
            "chat:sync", {"conversationId": scene.conversation_id, "afterSeq": seqs[-1]}
        )
        seqs += [m["seq"] for m in page["messages"]]
        if not page["hasMore"]:
            break
    assert seqs == [m["seq"] for m in sent]
