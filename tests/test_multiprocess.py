"""Two chinwag processes on one PostgreSQL and one Redis behave as one server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.support import PostgresCluster, RedisServer, ServerProcess
from tests.support.client import Api, ChatClient, Tokens, new_user

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def pair(
    pg_cluster: PostgresCluster,
    redis_server: RedisServer,
    jwt_secret: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two server processes sharing one database and one Redis, started at the same time."""
    name = f"t_mp_{uuid.uuid4().hex[:12]}"
    env = {
        "CHINWAG_DATABASE_URL": pg_cluster.create_database(name),
        "CHINWAG_REDIS_URL": redis_server.url,
        "CHINWAG_JWT_SECRET": jwt_secret,
        "CHINWAG_RATE_LIMIT_SOCKET": "0",
        "CHINWAG_RATE_LIMIT_USER": "0",
    }
    folder = tmp_path_factory.mktemp("multiprocess")
    # Both migrate at start-up: the advisory lock must let them start together.
    a = ServerProcess(env, log_dir=folder / "a")
    b = ServerProcess(env, log_dir=folder / "b")
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        for server in (a, b):
            if server.running:
                server.stop()
        pg_cluster.drop_database(name)


@pytest_asyncio.fixture
async def api(pair: tuple[ServerProcess, ServerProcess], jwt_secret: str) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=pair[0].url, timeout=30) as http:
        yield Api(http, Tokens(jwt_secret))


@pytest_asyncio.fixture
async def clients() -> AsyncIterator[list[ChatClient]]:
    opened: list[ChatClient] = []
    yield opened
    for client in opened:
        await client.disconnect()
    for client in opened:
        client.check()


async def open_client(
    opened: list[ChatClient], server: ServerProcess, token: str, name: str
) -> ChatClient:
    client = ChatClient(name)
    opened.append(client)
    await client.connect(server.url, None, ["websocket"])
    await client.authenticate(token)
    return client


def test_health_tells_the_two_processes_apart(pair: tuple[ServerProcess, ServerProcess]) -> None:
    pids = {httpx.get(f"{server.url}/health").json()["pid"] for server in pair}
    assert pids == {pair[0].pid, pair[1].pid}
    assert len(pids) == 2


async def test_clients_on_different_processes_see_each_others_events(
    pair: tuple[ServerProcess, ServerProcess], api: Api, clients: list[ChatClient]
) -> None:
    a_server, b_server = pair
    alice, bob, carol = new_user("alice"), new_user("bob"), new_user("carol")
    campaign = await api.create_campaign([carol])
    conversation = await api.create_conversation(campaign["id"], [alice, bob])
    cid = conversation["id"]
    tokens = api.tokens
    on_a = await open_client(clients, a_server, tokens.user(alice), "alice@A")
    on_b = await open_client(clients, b_server, tokens.user(bob), "bob@B")
    staff_b = await open_client(clients, b_server, tokens.user(carol), "carol@B")
    await on_a.ok("chat:join", {"conversationId": cid})
    await on_b.ok("chat:join", {"conversationId": cid})
    await staff_b.ok("work:join", {"campaignId": campaign["id"]})

    ack = await on_a.ok(
        "chat:send", {"tempId": "t1", "conversationId": cid, "text": "hi", "clientNonce": "n1"}
    )
    message = ack["message"]
    new = await on_b.wait_for("chat:new", lambda p: p["message"]["id"] == message["id"])
    assert new["message"] == message
    listed = await on_b.wait_for("conversation_list_updated")
    assert (listed["action"], listed["message"]["id"]) == ("new_message", message["id"])
    staff = await staff_b.wait_for("conversation_list_updated")
    assert staff["conversation_id"] == cid

    receipt = await on_b.ok("chat:read", {"conversationId": cid, "messageIds": [message["id"]]})
    assert receipt["messageIds"] == [message["id"]]
    seen = await on_a.wait_for("chat:read", lambda p: p["readerId"] == bob)
    assert seen["messageIds"] == [message["id"]]


async def test_a_retry_on_the_other_process_returns_the_original_ack(
    pair: tuple[ServerProcess, ServerProcess], api: Api, clients: list[ChatClient]
) -> None:
    alice = new_user("alice")
    campaign = await api.create_campaign()
    cid = (await api.create_conversation(campaign["id"], [alice]))["id"]
    token = api.tokens.user(alice)
    first = await open_client(clients, pair[0], token, "alice@A")
    second = await open_client(clients, pair[1], token, "alice@B")
    payload: dict[str, Any] = {"conversationId": cid, "text": "once", "clientNonce": "dup"}
    original = await first.ok("chat:send", {"tempId": "t-a", **payload})
    retried = await second.ok("chat:send", {"tempId": "t-b", **payload})
    assert retried["tempId"] == "t-b"
    assert retried["message"] == original["message"]
    page = await api.expect("GET", f"/api/conversations/{cid}/messages", 200, "MessageList")
    assert [m["id"] for m in page["items"]] == [original["message"]["id"]]


async def test_removed_participant_loses_the_room_on_the_other_process(
    pair: tuple[ServerProcess, ServerProcess], api: Api, clients: list[ChatClient]
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    campaign = await api.create_campaign()
    cid = (await api.create_conversation(campaign["id"], [alice, bob]))["id"]
    on_a = await open_client(clients, pair[0], api.tokens.user(alice), "alice@A")
    on_b = await open_client(clients, pair[1], api.tokens.user(bob), "bob@B")
    await on_b.ok("chat:join", {"conversationId": cid})
    # The PATCH is handled by process A; bob's socket lives on process B.
    await api.expect(
        "PATCH", f"/api/conversations/{cid}", 200, "Conversation", json={"participant_ids": [alice]}
    )
    # Process B evicts bob's socket before it delivers "removed": after it, nothing more.
    removed = await on_b.wait_for("conversation_list_updated", lambda p: p["action"] == "removed")
    assert removed["conversation_id"] == cid
    reply, error = await on_b.request("chat:sync", {"conversationId": cid, "afterSeq": 0})
    assert (reply, error["code"]) == ("chat:error", "not_found")
    await on_a.ok(
        "chat:send", {"tempId": "t", "conversationId": cid, "text": "x", "clientNonce": "after"}
    )
    await on_a.barrier()
    await on_b.barrier()
    assert on_b.received("chat:new") == []
