"""Both engine.io transports: HTTP long-polling with upgrade, and websocket-only.

Polling-only clients are left out on purpose: python-socketio's client waits for its pending
long-poll GET (up to ~30 s) when it disconnects, which would dominate the suite's runtime.
"""

from __future__ import annotations

import pytest

# Before the import: the plugin's asserts get pytest's rewriting (no "already imported" warning).
pytest.register_assert_rewrite("tests.support.client")

from tests.support.client import Api, Connect, make_scene, new_user  # noqa: E402

pytest_plugins = ("tests.support.client",)

TRANSPORTS = [
    pytest.param(None, id="polling-with-upgrade"),
    pytest.param(["websocket"], id="websocket-only"),
]


@pytest.mark.parametrize("transports", TRANSPORTS)
@pytest.mark.parametrize("handshake", [False, True], ids=["authenticate-event", "handshake-auth"])
async def test_full_chat_flow_works_on_every_transport(
    connect: Connect, api: Api, transports: list[str] | None, handshake: bool
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    sender = await connect(alice, transports=transports, handshake=handshake)
    listener = await connect(bob, transports=transports, handshake=handshake)
    await sender.join(scene.conversation_id)
    await listener.join(scene.conversation_id)
    message = await sender.send(scene.conversation_id, "over any transport")
    assert await listener.wait_for("chat:new") == {"message": message}
    automated = await api.automated(scene.conversation_id, "bot", "welcome")
    assert (await listener.wait_for("chat:automated"))["message"] == automated
    assert (await sender.wait_for("chat:automated"))["message"] == automated
    receipt = await listener.ok(
        "chat:read", {"conversationId": scene.conversation_id, "upToMessageId": automated["id"]}
    )
    assert sorted(receipt["messageIds"]) == sorted([message["id"], automated["id"]])
    assert await sender.wait_for("chat:read") == receipt
    # With polling first, the upgrade happens in the background right after connecting.
    assert sender.transport == "websocket"
