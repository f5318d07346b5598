"""Direct websocket writes (``chinwag.transport.fastpath.direct_ws``) against a real uvicorn server.

The server runs in-process (uvicorn in a thread, real TCP) so the tests can read the process's
counts of packets written directly and packets left to engine.io's queue. Clients are real:
python-socketio on websocket and on polling, and a raw websocket client that can offer
permessage-deflate and stop reading (a slow consumer).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import websockets.frames
import websockets.streams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chinwag.app import create_app
from chinwag.config import Settings
from chinwag.transport.fastpath import direct_ws
from contract_tests.serve import serve_app
from tests.support import RawSocketIO, free_port
from tests.support.client import Api, ChatClient, Tokens, make_scene, new_user

pytestmark = pytest.mark.timeout(120)


class HostMiddleware:
    """An embedding app's ASGI middleware that sees every websocket message chinwag sends."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None  # set when the server is built
        self.websocket_sends = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None

        async def counting_send(message: Message) -> None:
            if message["type"] == "websocket.send":
                self.websocket_sends += 1
            await send(message)

        await self.app(scope, receive, counting_send if scope["type"] == "websocket" else send)


@contextlib.contextmanager
def _server(
    tmp_path: Path,
    secret: str,
    *,
    deflate: bool = False,
    ws: str = "auto",
    host: HostMiddleware | None = None,
) -> Iterator[str]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'direct.db'}",
        jwt_secret=secret,
        rate_limit_socket=0,
        rate_limit_user=0,
        shutdown_deadline_s=1,  # stopping waits for idle sockets up to this deadline
    )
    app: ASGIApp = create_app(settings)
    if host is not None:
        host.app, app = app, host
    with serve_app(app, free_port(), ws_per_message_deflate=deflate, ws=ws) as (url, _stop):
        yield url


@contextlib.asynccontextmanager
async def _api(url: str, tokens: Tokens) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield Api(http, tokens)


def _counts() -> tuple[int, int]:
    return direct_ws.stats.direct, direct_ws.stats.queued


# -- the frame ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_text_frame_is_what_a_websocket_client_parses(size: int) -> None:
    text = ("é" * size)[:size] if size % 2 else "x" * size
    frame = direct_ws.text_frame(text)
    reader = websockets.streams.StreamReader()
    reader.feed_data(frame)
    parser = websockets.frames.Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        parsed = done.value
    else:  # pragma: no cover
        raise AssertionError("frame incomplete")
    assert parsed.opcode is websockets.frames.Opcode.TEXT
    assert parsed.fin
    assert not (parsed.rsv1 or parsed.rsv2 or parsed.rsv3)
    assert parsed.data.decode() == text
    assert reader.at_eof() or not reader.buffer  # nothing left over


# -- which path, and nothing lost ------------------------------------------------------------


async def _room_of_two(url: str, tokens: Tokens, api: Api) -> tuple[ChatClient, str, str, str]:
    """Alice (python-socketio, websocket) in a conversation with a second participant."""
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, members=[alice, bob], participants=[alice, bob])
    sender = ChatClient("alice")
    await sender.connect(url, None, ["websocket"])
    await sender.authenticate(tokens.user(alice))
    await sender.join(scene.conversation_id)
    return sender, scene.conversation_id, alice, bob


@pytest.mark.parametrize(
    ("transport", "deflate", "ws", "hosted", "direct"),
    [
        pytest.param("websocket", False, "auto", False, True, id="websocket"),
        pytest.param("websocket", True, "auto", False, False, id="websocket-deflate"),
        pytest.param("websocket", False, "wsproto", False, False, id="websocket-wsproto"),
        pytest.param("websocket", False, "auto", True, False, id="websocket-host-middleware"),
        pytest.param("polling", False, "auto", False, False, id="polling"),
    ],
)
async def test_receiver_gets_every_message_in_order_on_the_path_its_connection_allows(
    tmp_path: Path,
    jwt_secret: str,
    transport: str,
    deflate: bool,
    ws: str,
    hosted: bool,
    direct: bool,
) -> None:
    """Direct writes only for uvicorn's websockets-sansio protocol without compression, and
    never around an embedding app's middleware; every other case takes engine.io's queue."""
    tokens = Tokens(jwt_secret)
    host = HostMiddleware() if hosted else None
    with _server(tmp_path, jwt_secret, deflate=deflate, ws=ws, host=host) as url:
        async with _api(url, tokens) as api:
            sender, conversation_id, _alice, bob = await _room_of_two(url, tokens, api)
            count = 40
            if transport == "polling":
                receiver = ChatClient("bob")
                await receiver.connect(url, None, ["polling"])
                await receiver.authenticate(tokens.user(bob))
                await receiver.join(conversation_id)
                before = _counts()
                sent = [await sender.send(conversation_id, f"m{i}") for i in range(count)]
                last = sent[-1]["seq"]
                await receiver.wait_for("chat:new", lambda p: p["message"]["seq"] == last)
                got = [p["message"] for p in receiver.received("chat:new")]
                after = _counts()
                await receiver.disconnect()
            else:
                raw = await RawSocketIO.open(url, tokens.user(bob), compression="deflate")
                expected_ext = ["permessage-deflate"] if deflate else []
                assert raw.negotiated_extensions == expected_ext
                await raw.call("chat:join", {"conversationId": conversation_id})
                await sender.disconnect()  # the REST request writes to the receiver alone
                before = _counts()
                sent = [await api.automated(conversation_id, f"m{i}") for i in range(count)]
                got = [p["message"] for p in await raw.read_events("chat:automated", count)]
                after = _counts()
                await raw.close()
            await sender.disconnect()
    assert [m["seq"] for m in got] == [m["seq"] for m in sent]
    assert [m["text"] for m in got] == [f"m{i}" for i in range(count)]
    direct_written = after[0] - before[0]
    if direct:
        assert direct_written >= count
    elif transport != "polling":
        assert direct_written == 0  # REST-triggered: the receiver was the only socket written
    if host is not None:  # the host's middleware saw every frame: nothing went around it
        assert host.websocket_sends >= 2 * count


async def test_a_slow_reader_falls_back_to_the_queue_and_still_gets_everything_in_order(
    tmp_path: Path, jwt_secret: str
) -> None:
    """A client that stops reading: TCP pushes back, uvicorn pauses writing, packets queue in
    engine.io; once it reads again it gets every message once, in order, and direct writes
    resume."""
    tokens = Tokens(jwt_secret)
    text = "y" * 8000
    with _server(tmp_path, jwt_secret, deflate=False) as url:
        async with _api(url, tokens) as api:
            sender, conversation_id, _alice, bob = await _room_of_two(url, tokens, api)
            raw = await RawSocketIO.open(url, tokens.user(bob), receive_buffer=4096)
            await raw.call("chat:join", {"conversationId": conversation_id})
            _, queued_before = _counts()
            sent: list[dict[str, object]] = []
            # Keep sending until the server had to queue for the stalled reader, then 20 more.
            while _counts()[1] == queued_before:
                assert len(sent) < 3000, "the server never queued for a reader that stopped"
                sent.append(await sender.send(conversation_id, text))
            for _ in range(20):
                sent.append(await sender.send(conversation_id, text))
            got = [p["message"] for p in await raw.read_events("chat:new", len(sent), within=60)]
            assert [m["seq"] for m in got] == [m["seq"] for m in sent]
            assert [m["id"] for m in got] == [m["id"] for m in sent]

            # Everything arrived, so the writer wrote it all and went back to waiting on its
            # queue, and the transport's buffer drained: the next messages are written directly.
            direct_before = _counts()[0]
            tail = [await sender.send(conversation_id, f"tail{i}") for i in range(3)]
            got = [p["message"] for p in await raw.read_events("chat:new", len(sent) + 3)]
            assert [m["text"] for m in got[-3:]] == ["tail0", "tail1", "tail2"]
            assert [m["seq"] for m in got[-3:]] == [m["seq"] for m in tail]
            assert _counts()[0] - direct_before >= 3
            await raw.close()
            await sender.disconnect()
