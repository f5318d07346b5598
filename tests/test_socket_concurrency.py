"""Concurrent sends with in-flight retries, and idempotency that outlives the server process.

These tests start their own server on a fresh database (``db_url``), so row counts are exact.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.support import ServerFactory, ServerProcess
from tests.support.client import Api, ChatClient, Tokens, make_scene

pytest_plugins = ("tests.support.client",)

USERS = 50
SENDS_PER_USER = 20


@pytest_asyncio.fixture
async def clients() -> AsyncIterator[list[ChatClient]]:
    """Clients to close (and contract-check) at teardown."""
    opened: list[ChatClient] = []
    yield opened
    await asyncio.gather(*(c.disconnect() for c in opened), return_exceptions=True)
    for client in opened:
        client.check()


async def open_client(
    clients: list[ChatClient], server: ServerProcess, token: str, name: str
) -> ChatClient:
    """A websocket client authenticated in the handshake."""
    client = ChatClient(name)
    clients.append(client)
    await client.connect(server.url, token, ["websocket"])
    reply = await client.wait_for(("authenticated", "auth_error"))
    assert reply == {"userId": name}, reply
    client.user_id = name
    return client


@pytest.mark.slow
@pytest.mark.timeout(180)
async def test_50_clients_x_20_sends_with_in_flight_retries_store_1000_gap_free_messages(
    db_url: str, server_factory: ServerFactory, tokens: Tokens, clients: list[ChatClient]
) -> None:
    server = server_factory(db_url)
    users = [f"load-{i:02d}" for i in range(USERS)]
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        api = Api(http, tokens)
        # Members, not participants: access without 100 user rooms × 1000 list updates.
        scene = await make_scene(api, members=users)
        sockets = await asyncio.gather(
            *(
                open_client(clients, server, tokens.user(user), user)
                for user in users
                for _copy in range(2)
            )
        )
        pairs = {user: (sockets[2 * i], sockets[2 * i + 1]) for i, user in enumerate(users)}
        acks: dict[str, list[dict[str, Any]]] = defaultdict(list)
        not_in_flight: list[str] = []

        async def user_session(user: str) -> None:
            first, second = pairs[user]
            for n in range(SENDS_PER_USER):
                nonce = f"{user}-n{n}"
                payload = {
                    "tempId": f"{nonce}-a",
                    "conversationId": scene.conversation_id,
                    "text": f"message {n} from {user}",
                    "clientNonce": nonce,
                }
                mark_a = await first.emit("chat:send", payload)
                waits = [first._wait(("chat:ack", "chat:error"), _temp(f"{nonce}-a"), 60, mark_a)]
                if n % 2 == 0:
                    # The retry leaves while the original is in flight: no ack has arrived yet.
                    if any(_temp(f"{nonce}-a")(item.payload) for item in first.log[mark_a:]):
                        not_in_flight.append(nonce)
                    retry = payload | {"tempId": f"{nonce}-b"}
                    mark_b = await second.emit("chat:send", retry)
                    waits.append(
                        second._wait(("chat:ack", "chat:error"), _temp(f"{nonce}-b"), 60, mark_b)
                    )
                for name, reply in await asyncio.gather(*waits):
                    assert name == "chat:ack", f"{nonce}: {name} {reply}"
                    acks[nonce].append(reply)

        await asyncio.gather(*(user_session(user) for user in users))
        assert not_in_flight == []

        # Every nonce maps to one message id in every ack it got, with the ack's own tempId.
        assert len(acks) == USERS * SENDS_PER_USER
        id_by_nonce: dict[str, str] = {}
        for nonce, replies in acks.items():
            retried = int(nonce.rsplit("-n", 1)[1]) % 2 == 0
            assert len(replies) == (2 if retried else 1)
            assert {r["message"]["id"] for r in replies} == {replies[0]["message"]["id"]}
            assert sorted(r["tempId"] for r in replies) == sorted(
                [f"{nonce}-a", f"{nonce}-b"] if retried else [f"{nonce}-a"]
            )
            assert all(r["message"]["client_nonce"] == nonce for r in replies)
            id_by_nonce[nonce] = replies[0]["message"]["id"]
        assert len(set(id_by_nonce.values())) == USERS * SENDS_PER_USER

        stored = await api.all_messages(scene.conversation_id)
        assert len(stored) == USERS * SENDS_PER_USER
        assert [m["seq"] for m in stored] == list(range(1, USERS * SENDS_PER_USER + 1))
        assert {m["client_nonce"]: m["id"] for m in stored} == id_by_nonce
        # Per sender, the stored order is the order the sender sent in.
        for user in users:
            mine = [m["client_nonce"] for m in stored if m["sender_id"] == user]
            assert mine == [f"{user}-n{n}" for n in range(SENDS_PER_USER)]


def _temp(temp_id: str) -> Any:
    return lambda payload: isinstance(payload, dict) and payload.get("tempId") == temp_id


async def test_idempotency_key_outlives_a_server_restart(
    db_url: str, server_factory: ServerFactory, tokens: Tokens, clients: list[ChatClient]
) -> None:
    first = server_factory(db_url)
    async with httpx.AsyncClient(base_url=first.url, timeout=30) as http:
        scene = await make_scene(Api(http, tokens), participants=["durable-user"])
    client = await open_client(clients, first, tokens.user("durable-user"), "durable-user")
    original = await client.send(scene.conversation_id, "before restart", clientNonce="n-keep")
    await client.disconnect()
    first.stop()

    second = server_factory(db_url)
    client = await open_client(clients, second, tokens.user("durable-user"), "durable-user")
    retried = await client.ok(
        "chat:send",
        {
            "tempId": "t-after",
            "conversationId": scene.conversation_id,
            "text": "before restart",
            "clientNonce": "n-keep",
        },
    )
    assert retried == {"tempId": "t-after", "message": original}
    conflict = await client.fails(
        "chat:send",
        {
            "tempId": "t-conflict",
            "conversationId": scene.conversation_id,
            "text": "changed",
            "clientNonce": "n-keep",
        },
        "idempotency_conflict",
    )
    assert conflict["tempId"] == "t-conflict"
    async with httpx.AsyncClient(base_url=second.url, timeout=30) as http:
        assert await Api(http, tokens).messages(scene.conversation_id) == [original]
