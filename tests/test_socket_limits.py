"""Session limits: sockets per user, per-socket rate limit (retryAfter), authentication deadline."""

from __future__ import annotations

import asyncio

import pytest

from tests.support import ServerProcess
from tests.support.client import (
    Api,
    ChatClient,
    Connect,
    ConnectRefused,
    Tokens,
    make_scene,
    new_user,
)

pytest_plugins = ("tests.support.client",)

MAX_SOCKETS = 3
#: This module's server (see ``chat_server``): small limits that tests can reach quickly.
CHAT_SERVER_ENV = {
    "CHINWAG_MAX_SOCKETS_PER_USER": MAX_SOCKETS,
    "CHINWAG_RATE_LIMIT_SOCKET": 5,
    "CHINWAG_AUTH_DEADLINE_S": 1,
}


async def test_socket_over_the_per_user_limit_is_refused_in_the_handshake(
    connect: Connect, chat_server: ServerProcess, tokens: Tokens
) -> None:
    alice = new_user("alice")
    for _ in range(MAX_SOCKETS):
        await connect(alice, handshake=True)
    extra = ChatClient("extra")
    with pytest.raises(ConnectRefused) as refused:
        await extra.connect(chat_server.url, tokens.user(alice))
    assert refused.value.data["data"]["code"] == "too_many_sockets"
    # Another user is not affected.
    await connect(new_user("bob"), handshake=True)


async def test_socket_over_the_per_user_limit_gets_auth_error_and_is_disconnected(
    connect: Connect, tokens: Tokens
) -> None:
    alice = new_user("alice")
    for _ in range(MAX_SOCKETS):
        await connect(alice)
    extra = await connect()
    name, reply = await extra.request("authenticate", {"token": tokens.user(alice)})
    assert (name, reply["code"]) == ("auth_error", "too_many_sockets")
    await asyncio.wait_for(extra.disconnected.wait(), 5)


async def test_a_closed_socket_frees_its_place(connect: Connect) -> None:
    alice = new_user("alice")
    sockets = [await connect(alice) for _ in range(MAX_SOCKETS)]
    await sockets[0].disconnect()
    # The server notices the close asynchronously: retry until the place is free.
    for _attempt in range(50):
        try:
            await connect(alice, handshake=True)
            return
        except ConnectRefused:
            await asyncio.sleep(0.1)
    pytest.fail("the closed socket's place was never freed")


async def test_rate_limited_events_carry_retry_after_and_succeed_when_resent_after_it(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    payload = {"conversationId": scene.conversation_id}
    replies = await asyncio.gather(*(client.request("chat:join", payload) for _ in range(30)))
    limited = [reply for name, reply in replies if reply.get("code") == "rate_limited"]
    assert limited, "30 events at once must exceed 5/s with a burst of 10"
    assert all(r["retryAfter"] > 0 and r["event"] == "chat:join" for r in limited)
    assert all(name == "chat:joined" or r["code"] == "rate_limited" for name, r in replies)
    # Honour retryAfter, then the same payload goes through.
    await asyncio.sleep(max(r["retryAfter"] for r in limited) / 1000)
    await client.join(scene.conversation_id)


async def test_unauthenticated_socket_is_closed_after_the_deadline(connect: Connect) -> None:
    idle = await connect()
    await asyncio.wait_for(idle.disconnected.wait(), 5)


async def test_authenticated_socket_outlives_the_deadline(connect: Connect, api: Api) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    idle = await connect()
    await asyncio.wait_for(idle.disconnected.wait(), 5)
    assert client.connected
    await client.join(scene.conversation_id)


async def test_rate_limited_authenticate_gets_auth_error_with_code_and_retry_after(
    connect: Connect, tokens: Tokens
) -> None:
    client = await connect()
    payload = {"token": tokens.user(new_user("alice"))}
    replies = await asyncio.gather(*(client.request("authenticate", payload) for _ in range(30)))
    limited = [reply for name, reply in replies if name == "auth_error"]
    assert limited, "30 events at once must exceed 5/s with a burst of 10"
    assert all(r["code"] == "rate_limited" and r["retryAfter"] > 0 for r in limited), limited
    assert all(name in ("authenticated", "auth_error") for name, _ in replies)
