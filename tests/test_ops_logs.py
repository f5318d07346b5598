"""Structured logs: a line per connection, disconnection and rejected event; never a token,
message text or attachment URL; client garbage as bounded warnings, never a traceback.

The flood below is the one issue 17 describes: thousands of malformed frames from one
authenticated websocket plus hundreds of malformed polling bodies. Servers log JSON lines
(``CHINWAG_LOG_FORMAT=json``) so every line can be parsed.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

pytest.register_assert_rewrite("tests.support.client")

from tests.support.client import ChatClient, ConnectRefused, Tokens, new_user  # noqa: E402
from tests.support.metrics import delta, scrape  # noqa: E402
from tests.support.rest import Api  # noqa: E402
from tests.support.scene import make_scene  # noqa: E402
from tests.support.server import ServerFactory, ServerProcess  # noqa: E402

pytest_plugins = ("tests.support.client",)

#: Text frames python-engineio or python-socketio cannot decode; each is counted once.
GARBAGE_FRAMES = (
    "",
    "x",
    "9",
    "b!!",
    "4x",
    "46",
    "4b",
    "42[",
    '42{"a":1}',
    "42" + "1" * 200 + '["chat:join",{}]',
    '42[{"a":1}]',
    "42[[1]]",
    "42[]",
    '45["chat:send",{}]',
)
#: Polling bodies that are malformed at the engine.io or Socket.IO level.
GARBAGE_BODIES = (b"x", b"\xff\xfe", b"4x", b'42{"a":1}', b"42[", b"9", b"\x1e\x1e")
FLOOD_FRAMES = 3000
FLOOD_BODIES = 300


def log_lines(server: ServerProcess) -> list[dict[str, Any]]:
    """Every line of the server's log, each of which must be a JSON object."""
    lines = []
    for line in server.read_log().splitlines():
        if line.strip():
            lines.append(json.loads(line))
    return lines


async def open_raw(server: ServerProcess, token: str) -> ClientConnection:
    """A raw websocket speaking engine.io v4, authenticated in the Socket.IO handshake."""
    host_port = server.url.removeprefix("http://")
    ws = await connect(f"ws://{host_port}/socket.io/?EIO=4&transport=websocket", ping_interval=None)
    assert (await ws.recv()).startswith("0")
    await ws.send("40" + json.dumps({"token": token}))
    while not str(await ws.recv()).startswith("40"):
        pass
    return ws


async def round_trip(ws: ClientConnection) -> None:
    """An event with an ack id gets its ack (the socket still works)."""
    await ws.send('4299["chat:join",{"conversationId":"x"}]')
    async with asyncio.timeout(10):
        while True:
            frame = str(await ws.recv())
            if frame == "2":
                await ws.send("3")
            if frame.startswith("4399"):
                return


async def open_polling(http: httpx.AsyncClient, token: str) -> str:
    """A polling engine.io session with a Socket.IO connection; returns its sid."""
    response = await http.get("/socket.io/?EIO=4&transport=polling")
    sid = str(json.loads(response.text[1:])["sid"])
    connected = await http.post(
        f"/socket.io/?EIO=4&transport=polling&sid={sid}",
        content="40" + json.dumps({"token": token}),
    )
    assert connected.status_code == 200
    return sid


async def test_garbage_flood_gives_bounded_warnings_and_no_traceback(
    server_factory: ServerFactory, tmp_path: Path, tokens: Tokens
) -> None:
    server = server_factory(
        f"sqlite+aiosqlite:///{tmp_path / 'flood.db'}",
        CHINWAG_LOG_FORMAT="json",
        CHINWAG_GARBAGE_LIMIT=100_000,  # this test floods one socket; closing is tested below
        CHINWAG_SHUTDOWN_DEADLINE_S=2,
    )
    before = await scrape(server.url)
    ws = await open_raw(server, tokens.user(new_user("mallory")))
    for i in range(FLOOD_FRAMES):
        await ws.send(GARBAGE_FRAMES[i % len(GARBAGE_FRAMES)])
    await round_trip(ws)  # the flooding socket itself still works
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        sid = await open_polling(http, tokens.user(new_user("mallory")))
        statuses = set()
        for i in range(FLOOD_BODIES):
            body = GARBAGE_BODIES[i % len(GARBAGE_BODIES)]
            response = await http.post(
                f"/socket.io/?EIO=4&transport=polling&sid={sid}", content=body
            )
            statuses.add(response.status_code)
        # Close the session (its queued replies were never fetched: shutdown would wait).
        await http.post(f"/socket.io/?EIO=4&transport=polling&sid={sid}", content=b"1")
    assert statuses <= {200, 400}
    # Invalid UTF-8 in a text frame: uvicorn closes that connection (1007) itself.
    utf8 = await open_raw(server, tokens.user(new_user("mallory")))
    await utf8.send(b"42[\xff\xfe]", text=True)
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(10):
            while True:
                await utf8.recv()
    # Everyone else is served.
    other = await open_raw(server, tokens.user(new_user("alice")))
    await round_trip(other)
    after = await scrape(server.url)
    await ws.close()
    await other.close()

    garbage = sum(
        delta(before, after, "chinwag_client_garbage_total", kind=kind)
        for kind in ("engineio_packet", "socketio_packet", "invalid_utf8", "polling_body")
    )
    assert garbage >= FLOOD_FRAMES + FLOOD_BODIES - len(GARBAGE_BODIES)  # b"" bodies are fine
    log = server.read_log()
    assert "Traceback" not in log
    lines = log_lines(server)
    assert not [line for line in lines if line["level"] in ("error", "critical")]
    warnings = [line for line in lines if line["event"] == "client garbage"]
    # One line per socket per window (10 s): the flood takes a few windows at most.
    assert 3 <= len(warnings) <= 20, warnings
    assert any(line.get("repeated", 0) > 100 for line in warnings) or len(warnings) <= 6
    for line in warnings:
        assert line["level"] == "warning"
        assert {"sid", "user_id", "kind", "detail"} <= line.keys()


async def test_a_socket_that_keeps_sending_garbage_is_closed(
    server_factory: ServerFactory, tmp_path: Path, tokens: Tokens
) -> None:
    server = server_factory(
        f"sqlite+aiosqlite:///{tmp_path / 'close.db'}",
        CHINWAG_LOG_FORMAT="json",
        CHINWAG_GARBAGE_LIMIT=20,
    )
    before = await scrape(server.url)
    for frame in ("4x", "x"):  # Socket.IO-level, then engine.io-level garbage
        ws = await open_raw(server, tokens.user(new_user("mallory")))
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(10):
                for _ in range(100):
                    await ws.send(frame)
                while True:
                    await ws.recv()
    other = await open_raw(server, tokens.user(new_user("alice")))
    await round_trip(other)
    after = await scrape(server.url)
    await other.close()
    assert delta(before, after, "chinwag_sockets_aborted_total", reason="garbage") == 2
    closed = [line for line in log_lines(server) if line["event"].startswith("socket closed")]
    assert len(closed) == 2 and all(line["limit"] == 20 for line in closed)
    assert "Traceback" not in server.read_log()


async def test_a_full_session_logs_no_token_text_or_attachment_url(
    server_factory: ServerFactory, tmp_path: Path, tokens: Tokens
) -> None:
    server = server_factory(
        f"sqlite+aiosqlite:///{tmp_path / 'secrets.db'}", CHINWAG_LOG_FORMAT="json"
    )
    alice, bob = new_user("alice"), new_user("bob")
    alice_token, bob_token, service_token = (
        tokens.user(alice),
        tokens.user(bob),
        tokens.service(),
    )
    expired = tokens.expired(alice)
    text = f"secret text {uuid.uuid4().hex}"
    url = f"https://files.example/{uuid.uuid4().hex}.pdf"
    secrets = [alice_token, bob_token, service_token, expired, text, url]

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        api = Api(http, tokens)
        scene = await make_scene(api, participants=[alice, bob])
        a, b, refused = ChatClient("alice"), ChatClient("bob"), ChatClient("expired")
        await a.connect(server.url, alice_token, ["websocket"])
        await a.wait_for("authenticated")
        await b.connect(server.url, None, ["polling"])
        await b.authenticate(bob_token)
        with pytest.raises(ConnectRefused):
            await refused.connect(server.url, expired)
        await b.request("authenticate", {"token": expired})
        await a.join(scene.conversation_id)
        await b.join(scene.conversation_id)
        attachment = {"url": url, "name": "a.pdf", "mime_type": "application/pdf", "size_bytes": 1}
        message = await a.send(scene.conversation_id, text, attachments=[attachment])
        await b.wait_for("chat:new")
        await b.ok(
            "chat:read", {"conversationId": scene.conversation_id, "messageIds": [message["id"]]}
        )
        await a.ok("chat:sync", {"conversationId": scene.conversation_id, "afterSeq": 0})
        await a.fails(
            "chat:send", {"conversationId": scene.conversation_id, "text": text}, "invalid_payload"
        )
        assert [m["text"] for m in await api.all_messages(scene.conversation_id)] == [text]
        await a.disconnect()
        await b.disconnect()
    server.stop()

    log = server.read_log()
    for secret in secrets:
        assert secret not in log
    assert "Traceback" not in log
    lines = log_lines(server)
    events = [line["event"] for line in lines]
    assert events.count("socket connected") >= 2
    refusals = [line for line in lines if line["event"] == "socket refused"]
    assert [line["code"] for line in refusals] == ["token_expired"]
    gone = [line for line in lines if line["event"] == "socket disconnected"]
    assert {line["user_id"] for line in gone} >= {alice, bob}
    assert all(line["reason"] for line in gone)
    rejected = [line for line in lines if line["event"] == "event rejected"]
    assert {(line["event_name"], line["code"]) for line in rejected} >= {
        ("authenticate", "token_expired"),
        ("chat:send", "invalid_payload"),
    }
    assert all(line["user_id"] == alice for line in rejected if line["event_name"] == "chat:send")
