"""chat:sync (extension): catching up after a reconnect, in pages of at most 200."""

from __future__ import annotations

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
