"""Both engine.io transports: HTTP long-polling (with and without upgrade) and websocket-only.

python-engineio's server leaves a polling client's pending long-poll GET unanswered when the
client sends CLOSE (python-socketio's client then waits ~30 s in ``disconnect()``); chinwag
answers it with CLOSE at once (``chinwag.transport.fastpath.engineio_patches``), tested below.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support import ServerProcess
from tests.support.client import Api, Connect, Tokens, make_scene, new_user

pytest_plugins = ("tests.support.client",)

TRANSPORTS = [
    pytest.param(None, id="polling-with-upgrade"),
    pytest.param(["polling"], id="polling-only"),
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
    assert sender.transport == ("polling" if transports == ["polling"] else "websocket")


async def test_a_polling_clients_close_answers_its_pending_long_poll_at_once(
    chat_server: ServerProcess, tokens: Tokens
) -> None:
    """Raw engine.io over HTTP: open, connect Socket.IO, leave a GET pending, POST CLOSE.
    The pending GET returns a CLOSE packet right away (not at the 45 s ping timeout) and the
    session is gone."""
    base = f"{chat_server.url}/socket.io/?EIO=4&transport=polling"
    async with httpx.AsyncClient(timeout=60) as http:
        opened = (await http.get(base)).text
        assert opened.startswith("0")
        sid = httpx.Response(200, text=opened[1:]).json()["sid"]
        url = f"{base}&sid={sid}"
        token = tokens.user(new_user("poller"))
        login = '40{"token":"' + token + '"}'
        assert (await http.post(url, content=login)).text == "OK"
        connected = (await http.get(url)).text
        assert connected.startswith("40")
        pending = asyncio.create_task(http.get(url))
        await asyncio.sleep(0)  # the GET leaves first; the server holds it: nothing to send
        assert (await http.post(url, content="1")).text == "OK"
        async with asyncio.timeout(10):  # generous; without the fix it takes 45 s
            answer = await pending
        if answer.status_code == 200:  # the usual order: the GET was waiting when CLOSE came
            assert "1" in answer.text.split("\x1e")
        else:  # the GET overtaken by the POST: the session was already gone
            assert answer.status_code == 400
        gone = await http.get(url)
        assert gone.status_code == 400
