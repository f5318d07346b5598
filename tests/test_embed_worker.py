"""The socketEmitter from a worker process that has only the database and Redis URLs.

Two chinwag servers share PostgreSQL and Redis; a third process, running no socket server, posts an
automated message and emits to a user through ``chinwag.embed.worker_emitter``. Clients on both
servers receive it; an invalid payload raises in the worker and reaches nobody.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio

pytest.register_assert_rewrite("tests.support.client")

from tests.support.client import REPO, Api, ChatClient, Tokens, new_user  # noqa: E402
from tests.support.host_membership import HostMemberships, membership_callback  # noqa: E402
from tests.support.postgres import PostgresCluster  # noqa: E402
from tests.support.redis import RedisServer  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def cluster_env(
    pg_cluster: PostgresCluster, redis_server: RedisServer, jwt_secret: str
) -> Iterator[dict[str, str]]:
    name = f"t_embed_{uuid.uuid4().hex[:12]}"
    yield {
        "CHINWAG_DATABASE_URL": pg_cluster.create_database(name),
        "CHINWAG_REDIS_URL": redis_server.url,
        "CHINWAG_JWT_SECRET": jwt_secret,
        "CHINWAG_RATE_LIMIT_SOCKET": "0",
        "CHINWAG_RATE_LIMIT_USER": "0",
    }
    pg_cluster.drop_database(name)


@pytest.fixture(scope="module")
def pair(
    cluster_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    folder = tmp_path_factory.mktemp("embed")
    a = ServerProcess(cluster_env, log_dir=folder / "a")
    b = ServerProcess(cluster_env, log_dir=folder / "b")
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        for server in (a, b):
            if server.running:
                server.stop()


@pytest_asyncio.fixture
async def clients() -> AsyncIterator[list[ChatClient]]:
    opened: list[ChatClient] = []
    yield opened
    for client in opened:
        await client.disconnect()
    for client in opened:
        client.check()


async def _client(opened: list[ChatClient], server: ServerProcess, token: str) -> ChatClient:
    client = ChatClient(server.url)
    opened.append(client)
    await client.connect(server.url, None, ["websocket"])
    await client.authenticate(token)
    return client


def _run_worker(env: dict[str, str], *args: str) -> dict[str, object]:
    # Only the two URLs: no JWT secret, no server settings.
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("CHINWAG_")}
    child_env["CHINWAG_DATABASE_URL"] = env["CHINWAG_DATABASE_URL"]
    child_env["CHINWAG_REDIS_URL"] = env["CHINWAG_REDIS_URL"]
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.embed_worker", *args],
        cwd=REPO,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def test_a_worker_posts_an_automated_message_and_emits_to_a_user_on_both_servers(
    pair: tuple[ServerProcess, ServerProcess],
    cluster_env: dict[str, str],
    jwt_secret: str,
    clients: list[ChatClient],
) -> None:
    tokens = Tokens(jwt_secret)
    alice, bob, staff = new_user("alice"), new_user("bob"), new_user("staff")
    async with httpx.AsyncClient(base_url=pair[0].url, timeout=30) as http:
        api = Api(http, tokens)
        campaign = await api.create_campaign([staff])
        conversation = await api.create_conversation(campaign["id"], [alice, bob], "automated")
        before = await api.automated(conversation["id"], text="from REST")
    cid = conversation["id"]
    on_a = await _client(clients, pair[0], tokens.user(alice))
    on_b = await _client(clients, pair[1], tokens.user(bob))
    staff_b = await _client(clients, pair[1], tokens.user(staff))
    await on_a.ok("chat:join", {"conversationId": cid})
    await on_b.ok("chat:join", {"conversationId": cid})
    await staff_b.ok("work:join", {"campaignId": campaign["id"]})

    result = _run_worker(cluster_env, cid, alice)

    assert result["invalid"] == "ValidationError"
    message = result["message"]
    assert isinstance(message, dict)
    assert (message["seq"], message["kind"], message["sender_id"]) == (
        before["seq"] + 1,
        "automated",
        None,
    )
    for client in (on_a, on_b):
        automated = await client.wait_for("chat:automated")
        assert automated == {"message": message, "reason": "worker-test"}
    listed = await staff_b.wait_for("conversation_list_updated")
    assert (listed["action"], listed["message"]) == ("new_message", message)
    # alice: one update from the store-and-announce, then the worker's own emit_to_user.
    updates = [
        await on_a.wait_for("conversation_list_updated"),
        await on_a.wait_for("conversation_list_updated"),
    ]
    assert all(u["message"] == message for u in updates)
    # The invalid emit came first on the same Redis connection: had it been published, it would
    # have arrived before these. Nobody got a list update without an action.
    for client in (on_a, on_b, staff_b):
        assert all("action" in p for p in client.received("conversation_list_updated"))
    async with httpx.AsyncClient(base_url=pair[1].url, timeout=30) as http:
        stored = await Api(http, tokens).all_messages(cid)
    assert [m["seq"] for m in stored] == [1, 2] and stored[-1] == message


async def test_a_membership_change_reported_by_a_worker_evicts_sockets_on_every_server(
    cluster_env: dict[str, str],
    jwt_secret: str,
    clients: list[ChatClient],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    memberships = HostMemberships()
    tokens = Tokens(jwt_secret)
    alice, bob = new_user("alice"), new_user("bob")
    folder = tmp_path_factory.mktemp("embed-membership")
    with membership_callback(memberships) as callback_url:
        # Answers are cached for a minute: only the report can make the servers ask again.
        env = cluster_env | {
            "CHINWAG_MEMBERSHIP_URL": callback_url,
            "CHINWAG_MEMBERSHIP_CACHE_S": "60",
        }
        with (
            ServerProcess(env, log_dir=folder / "a") as a,
            ServerProcess(env, log_dir=folder / "b") as b,
        ):
            async with httpx.AsyncClient(base_url=a.url, timeout=30) as http:
                api = Api(http, tokens)
                campaign = await api.create_campaign([])
                conversation = await api.create_conversation(campaign["id"], [], "automated")
                cid = conversation["id"]
                memberships.access |= {(alice, cid), (bob, cid)}
                alice_a = await _client(clients, a, tokens.user(alice))
                alice_b = await _client(clients, b, tokens.user(alice))
                bob_b = await _client(clients, b, tokens.user(bob))
                for client in (alice_a, alice_b, bob_b):
                    await client.ok("chat:join", {"conversationId": cid})

                memberships.access.discard((alice, cid))
                assert _run_worker(cluster_env, "--report", alice) == {"reported": alice}

                # The report reaches both servers through Redis; each evicts its own sockets.
                # Wait until both processes re-asked the host about alice, then post.
                def reasked() -> bool:
                    return memberships.asked.count((alice, cid)) >= 2 + 2

                await asyncio.to_thread(memberships.wait_until, reasked)
                message = await api.automated(cid, text="after")
                await bob_b.wait_for("chat:automated", lambda p: p["message"] == message)
                for client in (alice_a, alice_b):
                    await client.barrier()
                    assert client.received("chat:automated") == []
                await alice_b.fails("chat:join", {"conversationId": cid}, "not_found")
