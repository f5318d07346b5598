"""Limits: message size, attachments, the engine.io buffer, rates, sockets per user, auth deadline.

The limits are about sessions, not stored data, so the servers here run on SQLite only; one server
per setting group is shared by the module (tests use fresh users and conversations).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import engineio.payload
import httpx
import pytest
import pytest_asyncio

from tests.support import Database, ServerProcess, start_server
from tests.support.client import (
    Api,
    ChatClient,
    ConnectRefused,
    Scene,
    Tokens,
    make_scene,
    new_user,
)

pytest_plugins = ("tests.support.client",)

BUFFER = 20_000
ATTACHMENT = {
    "url": "https://files.example.com/a.pdf",
    "name": "a.pdf",
    "mime_type": "application/pdf",
    "size_bytes": 10,
}

OpenClient = Callable[..., Awaitable[ChatClient]]


def _start(folder: Path, secret: str, **env: str | int) -> tuple[ServerProcess, Database]:
    database = Database("sqlite", f"sqlite+aiosqlite:///{folder / 'chinwag.db'}")
    # A short shutdown deadline: leftover long-polls would hold the module teardown otherwise.
    env = {"CHINWAG_SHUTDOWN_DEADLINE_S": 2, **env}
    return start_server(database.url, secret, folder, **env), database


@pytest.fixture(scope="module")
def session_limits_server(
    tmp_path_factory: pytest.TempPathFactory, jwt_secret: str
) -> Iterator[tuple[ServerProcess, Database]]:
    """Two sockets per user, a 1 s auth deadline and a 20,000-character engine.io buffer."""
    server, database = _start(
        tmp_path_factory.mktemp("limits"),
        jwt_secret,
        CHINWAG_MAX_SOCKETS_PER_USER=2,
        CHINWAG_AUTH_DEADLINE_S=1,
        CHINWAG_MAX_HTTP_BUFFER_SIZE=BUFFER,
    )
    yield server, database
    server.stop()


@pytest.fixture(scope="module")
def socket_rate_server(
    tmp_path_factory: pytest.TempPathFactory, jwt_secret: str
) -> Iterator[ServerProcess]:
    """5 events/s per socket (burst 10), no per-user limit."""
    server, _ = _start(
        tmp_path_factory.mktemp("socket-rate"), jwt_secret, CHINWAG_RATE_LIMIT_SOCKET=5
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def user_rate_server(
    tmp_path_factory: pytest.TempPathFactory, jwt_secret: str
) -> Iterator[ServerProcess]:
    """5 events/s per user (burst 10), no per-socket limit."""
    server, _ = _start(tmp_path_factory.mktemp("user-rate"), jwt_secret, CHINWAG_RATE_LIMIT_USER=5)
    yield server
    server.stop()


@pytest_asyncio.fixture
async def open_client(tokens: Tokens) -> AsyncIterator[OpenClient]:
    """``await open_client(server, user, handshake=False)``: a connected ChatClient."""
    clients: list[ChatClient] = []

    async def open_(
        server: ServerProcess,
        user: str | None,
        *,
        handshake: bool = False,
        transports: list[str] | None = None,
    ) -> ChatClient:
        client = ChatClient(user or "anonymous")
        clients.append(client)
        token = tokens.user(user) if user else None
        if handshake:
            await client.connect(server.url, token, transports)
            await client.wait_for("authenticated")
            client.user_id = user
        else:
            await client.connect(server.url, None, transports)
            if token is not None:
                await client.authenticate(token)
        return client

    yield open_
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
    for client in clients:
        client.check()


async def scene_on(server: ServerProcess, tokens: Tokens, participants: list[str]) -> Scene:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        return await make_scene(Api(http, tokens), participants=participants)


def send_payload(conversation_id: str, text: str | None = "hi", **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "tempId": f"t-{uuid.uuid4().hex[:8]}",
        "conversationId": conversation_id,
        "clientNonce": f"n-{uuid.uuid4().hex}",
    }
    if text is not None:
        payload["text"] = text
    return payload | extra


# -- contract limits within the buffer ---------------------------------------------------------


async def test_text_of_exactly_10000_characters_is_accepted(
    session_limits_server: tuple[ServerProcess, Database], open_client: OpenClient, tokens: Tokens
) -> None:
    server, _ = session_limits_server
    alice = new_user("alice")
    scene = await scene_on(server, tokens, [alice])
    client = await open_client(server, alice)
    ack = await client.ok("chat:send", send_payload(scene.conversation_id, "x" * 10_000))
    assert len(ack["message"]["text"]) == 10_000


async def test_text_over_10000_characters_gets_too_large_and_the_socket_keeps_working(
    session_limits_server: tuple[ServerProcess, Database], open_client: OpenClient, tokens: Tokens
) -> None:
    server, database = session_limits_server
    alice = new_user("alice")
    scene = await scene_on(server, tokens, [alice])
    client = await open_client(server, alice)
    payload = send_payload(scene.conversation_id, "x" * 10_001)
    error = await client.fails("chat:send", payload, "too_large")
    assert error["tempId"] == payload["tempId"]
    assert await database.messages(scene.conversation_id) == []
    message = await client.send(scene.conversation_id, "still here")
    assert message["seq"] == 1


async def test_eleven_attachments_get_too_large_and_nothing_is_stored(
    session_limits_server: tuple[ServerProcess, Database], open_client: OpenClient, tokens: Tokens
) -> None:
    server, database = session_limits_server
    alice = new_user("alice")
    scene = await scene_on(server, tokens, [alice])
    client = await open_client(server, alice)
    await client.fails(
        "chat:send",
        send_payload(scene.conversation_id, None, attachments=[ATTACHMENT] * 11),
        "too_large",
    )
    assert await database.messages(scene.conversation_id) == []
    ten = await client.send(scene.conversation_id, None, attachments=[ATTACHMENT] * 10)
    assert len(ten["attachments"]) == 10


# -- the engine.io buffer ----------------------------------------------------------------------


@pytest.mark.parametrize("transports", [["websocket"], ["polling"]], ids=["websocket", "polling"])
async def test_frame_over_the_engineio_buffer_may_close_its_socket_but_others_keep_working(
    session_limits_server: tuple[ServerProcess, Database],
    open_client: OpenClient,
    tokens: Tokens,
    transports: list[str],
) -> None:
    server, database = session_limits_server
    alice, bob = new_user("alice"), new_user("bob")
    scene = await scene_on(server, tokens, [alice, bob])
    attacker = await open_client(server, alice, transports=transports)
    bystander = await open_client(server, bob)
    await attacker.emit("chat:send", send_payload(scene.conversation_id, "y" * (BUFFER + 100)))
    # Either the socket is closed, or the frame was dropped and the socket still answers.
    closed = asyncio.create_task(attacker.disconnected.wait())
    answered = asyncio.create_task(attacker.barrier())
    done, pending = await asyncio.wait({closed, answered}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    assert closed in done or answered.exception() is None
    assert attacker.received("chat:ack") == []
    assert await database.messages(scene.conversation_id) == []
    assert (await bystander.send(scene.conversation_id, "unaffected"))["seq"] == 1
    assert server.running and server.health() == 200


# -- rates -------------------------------------------------------------------------------------


def has_temp_id(temp_id: str) -> Callable[[Any], bool]:
    """A reply predicate: the reply echoes ``temp_id``."""
    return lambda reply: isinstance(reply, dict) and reply.get("tempId") == temp_id


async def burst_of_sends(
    client: ChatClient, conversation_id: str, count: int
) -> tuple[list[dict[str, Any]], list[Any], list[Any]]:
    """Emit ``count`` sends at once; returns (payloads, acks, rate_limited errors)."""
    payloads = [send_payload(conversation_id, f"burst {i}") for i in range(count)]
    mark = len(client.log)
    for payload in payloads:
        await client.emit("chat:send", payload)
    acks, limited = [], []
    for payload in payloads:
        name, reply = await client._wait(
            ("chat:ack", "chat:error"),
            has_temp_id(payload["tempId"]),
            10,
            mark,
        )
        if name == "chat:ack":
            acks.append(reply)
        else:
            assert reply["code"] == "rate_limited", reply
            limited.append(reply)
    return payloads, acks, limited


async def test_socket_over_its_rate_gets_rate_limited_with_retry_after_then_a_resend_succeeds(
    socket_rate_server: ServerProcess, open_client: OpenClient, tokens: Tokens
) -> None:
    alice = new_user("alice")
    scene = await scene_on(socket_rate_server, tokens, [alice])
    client = await open_client(socket_rate_server, alice, handshake=True)
    payloads, acks, limited = await burst_of_sends(client, scene.conversation_id, 16)
    assert acks and limited
    assert 16 - len(limited) <= 10 + 1  # burst of 2 x 5, plus what refilled meanwhile
    first = limited[0]
    assert first["event"] == "chat:send"
    assert isinstance(first["retryAfter"], int) and first["retryAfter"] > 0
    # As every client must: wait retryAfter, then resend the same payload.
    await asyncio.sleep(first["retryAfter"] / 1000)
    same = next(p for p in payloads if p["tempId"] == first["tempId"])
    ack = await client.ok("chat:send", same)
    assert ack["message"]["client_nonce"] == same["clientNonce"]


async def test_rate_limit_of_one_socket_does_not_touch_another_socket(
    socket_rate_server: ServerProcess, open_client: OpenClient, tokens: Tokens
) -> None:
    alice = new_user("alice")
    scene = await scene_on(socket_rate_server, tokens, [alice])
    noisy = await open_client(socket_rate_server, alice, handshake=True)
    quiet = await open_client(socket_rate_server, alice, handshake=True)
    _payloads, _acks, limited = await burst_of_sends(noisy, scene.conversation_id, 16)
    assert limited
    await quiet.send(scene.conversation_id, "my own budget")


async def test_user_rate_limit_spans_the_sockets_of_one_user_and_spares_other_users(
    user_rate_server: ServerProcess, open_client: OpenClient, tokens: Tokens
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await scene_on(user_rate_server, tokens, [alice, bob])
    first = await open_client(user_rate_server, alice, handshake=True)
    second = await open_client(user_rate_server, alice, handshake=True)
    bystander = await open_client(user_rate_server, bob, handshake=True)
    # 8 + 8 events: each socket alone stays under the user's burst of 10, together they do not.
    results = await asyncio.gather(
        burst_of_sends(first, scene.conversation_id, 8),
        burst_of_sends(second, scene.conversation_id, 8),
    )
    limited = [error for _p, _a, errors in results for error in errors]
    acked = sum(len(acks) for _p, acks, _e in results)
    assert limited, "16 events of one user within the burst were all accepted"
    assert acked <= 10 + 2
    assert all(error["retryAfter"] > 0 for error in limited)
    await bystander.send(scene.conversation_id, "not my limit")


# -- sockets per user --------------------------------------------------------------------------


async def test_socket_over_the_per_user_limit_is_refused_at_the_handshake_with_too_many_sockets(
    session_limits_server: tuple[ServerProcess, Database], open_client: OpenClient, tokens: Tokens
) -> None:
    server, _ = session_limits_server
    alice = new_user("alice")
    await open_client(server, alice, handshake=True)
    await open_client(server, alice, handshake=True)
    third = ChatClient("third")
    with pytest.raises(ConnectRefused) as refused:
        await third.connect(server.url, tokens.user(alice))
    assert refused.value.data["data"]["code"] == "too_many_sockets"
    # Another user is not affected.
    await open_client(server, new_user("bob"), handshake=True)


async def test_socket_over_the_per_user_limit_gets_auth_error_too_many_sockets_then_is_closed(
    session_limits_server: tuple[ServerProcess, Database], open_client: OpenClient, tokens: Tokens
) -> None:
    server, _ = session_limits_server
    alice = new_user("alice")
    await open_client(server, alice)
    await open_client(server, alice)
    third = await open_client(server, None)
    name, reply = await third.request("authenticate", {"token": tokens.user(alice)})
    assert name == "auth_error"
    assert reply["code"] == "too_many_sockets"
    await asyncio.wait_for(third.disconnected.wait(), 10)


async def test_closing_a_socket_frees_its_place_for_a_new_one(
    session_limits_server: tuple[ServerProcess, Database], open_client: OpenClient, tokens: Tokens
) -> None:
    server, _ = session_limits_server
    alice = new_user("alice")
    first = await open_client(server, alice, handshake=True)
    await open_client(server, alice, handshake=True)
    await first.disconnect()
    # The server learns of the close asynchronously: a refused attempt may precede the success.
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        try:
            await open_client(server, alice, handshake=True)
            return
        except ConnectRefused:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.05)


# -- authentication deadline -------------------------------------------------------------------


async def test_unauthenticated_socket_is_closed_after_the_deadline_but_an_authenticated_one_stays(
    session_limits_server: tuple[ServerProcess, Database], open_client: OpenClient
) -> None:
    server, _ = session_limits_server
    # Opened first (without a handshake token): its own deadline passes before the idler's.
    authenticated = await open_client(server, new_user("alice"))
    idler = await open_client(server, None)
    await asyncio.wait_for(idler.disconnected.wait(), 10)
    assert not idler.connected
    await authenticated.barrier()
    assert authenticated.connected


async def test_a_socket_that_failed_to_authenticate_is_still_closed_at_the_deadline(
    session_limits_server: tuple[ServerProcess, Database], open_client: OpenClient, tokens: Tokens
) -> None:
    server, _ = session_limits_server
    client = await open_client(server, None)
    name, reply = await client.request("authenticate", {"token": tokens.expired("late")})
    assert (name, reply["code"]) == ("auth_error", "token_expired")
    await asyncio.wait_for(client.disconnected.wait(), 10)


# -- polling batches ---------------------------------------------------------------------------


async def test_polling_client_emitting_many_events_at_once_gets_every_reply(
    session_limits_server: tuple[ServerProcess, Database],
    tokens: Tokens,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The client's own decoder has the same limit for poll responses: lift it on our side.
    monkeypatch.setattr(engineio.payload.Payload, "max_decode_packets", 10_000)
    server, _ = session_limits_server
    alice = new_user("alice")
    scene = await scene_on(server, tokens, [alice])
    client = ChatClient("poller")
    await client.connect(server.url, tokens.user(alice), ["polling"])
    await client.wait_for("authenticated")
    try:
        for i in range(20):
            await client.emit("chat:send", send_payload(scene.conversation_id, f"batch {i}"))
        for _ in range(20):
            await client.wait_for("chat:ack", timeout=3)
    finally:
        # A refused batch leaves the client's long-poll hanging: do not wait for it.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.disconnect(), 2)
