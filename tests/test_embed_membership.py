"""Memberships owned by the host: a Python provider or an HTTP callback, behind a bounded TTL cache;
a reported change evicts sockets at once."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from chinwag.app import create_app
from chinwag.config import Settings
from chinwag.embed import SocketEmitter, chinwag_lifespan
from chinwag.services.membership import CachedMembership
from contract_tests.serve import serve_app

pytest.register_assert_rewrite("tests.support.client")

from tests.support.client import Api, ChatClient, Tokens, new_user  # noqa: E402
from tests.support.host_membership import HostMemberships, membership_callback  # noqa: E402
from tests.support.net import free_port  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402

pytestmark = pytest.mark.timeout(120)


# -- the cache ---------------------------------------------------------------------------------


async def test_the_cache_reuses_answers_for_the_ttl_is_bounded_and_forgets_a_user() -> None:
    host = HostMemberships()
    host.access.add(("alice", "c1"))
    now = [0.0]
    cache = CachedMembership(host, ttl_s=5, max_entries=2, clock=lambda: now[0])
    assert await cache.may_access_conversation("alice", "c1", "k")
    assert await cache.may_access_conversation("alice", "c1", "k")
    assert host.calls == 1
    host.access.clear()
    assert await cache.may_access_conversation("alice", "c1", "k")  # still cached
    now[0] = 5.0
    assert not await cache.may_access_conversation("alice", "c1", "k")  # expired: asked again
    assert host.calls == 2
    await cache.is_campaign_member("bob", "k")
    await cache.is_campaign_member("carol", "k")
    assert len(cache) == 2  # bounded: the oldest answer went
    host.access.add(("alice", "c1"))
    cache.forget_user("alice")
    assert await cache.may_access_conversation("alice", "c1", "k")


# -- a Python provider, in a host app --------------------------------------------------------


@pytest.fixture
def host(tmp_path: Path, jwt_secret: str) -> Iterator[tuple[str, HostMemberships]]:
    memberships = HostMemberships()
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
        jwt_secret=jwt_secret,
        rate_limit_socket=0,
        rate_limit_user=0,
        membership_cache_s=60,  # long: only a reported change may make chinwag ask again
        shutdown_deadline_s=1,
    )
    chat = create_app(settings, membership=memberships)
    emitter = SocketEmitter.for_app(chat)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with chinwag_lifespan(chat):
            yield

    async def change(request: Request) -> JSONResponse:
        """The host's own admin route: change a membership, then tell chinwag."""
        body = await request.json()
        entry = (body["user_id"], body["conversation_id"])
        if body["allowed"]:
            memberships.access.add(entry)
        else:
            memberships.access.discard(entry)
        await emitter.report_membership_change(body["user_id"])
        return JSONResponse({})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    app = Starlette(
        routes=[
            Route("/health", health),
            Route("/membership", change, methods=["POST"]),
            Mount("/chat", app=chat),
        ],
        lifespan=lifespan,
    )
    with serve_app(app, free_port()) as (url, _stop):
        yield url, memberships


async def _client(url: str, token: str) -> ChatClient:
    client = ChatClient(token[-6:])
    await client.sio.connect(url, socketio_path="chat/socket.io", transports=["websocket"])
    await client.authenticate(token)
    return client


async def test_the_hosts_provider_decides_access_and_a_reported_change_evicts_at_once(
    host: tuple[str, HostMemberships], jwt_secret: str
) -> None:
    url, memberships = host
    tokens = Tokens(jwt_secret)
    alice, bob, carol = new_user("alice"), new_user("bob"), new_user("carol")
    async with httpx.AsyncClient(base_url=url + "/chat", timeout=30) as http:
        api = Api(http, tokens)
        # chinwag's own tables name nobody: only the host grants access.
        campaign = await api.create_campaign([])
        conversation = await api.create_conversation(campaign["id"], [], "automated")
        cid = conversation["id"]
        memberships.members.add((bob, campaign["id"]))
        async with httpx.AsyncClient(base_url=url, timeout=30) as host_http:
            for user in (alice, bob):
                granted = {"user_id": user, "conversation_id": cid, "allowed": True}
                assert (await host_http.post("/membership", json=granted)).status_code == 200

        on_alice, on_bob, on_carol = (
            await _client(url, tokens.user(alice)),
            await _client(url, tokens.user(bob)),
            await _client(url, tokens.user(carol)),
        )
        try:
            await on_alice.ok("chat:join", {"conversationId": cid})
            await on_bob.ok("chat:join", {"conversationId": cid})
            await on_bob.ok("work:join", {"campaignId": campaign["id"]})
            await on_carol.fails("chat:join", {"conversationId": cid}, "not_found")
            await on_carol.fails("work:join", {"campaignId": campaign["id"]}, "not_found")

            first = await api.automated(cid, text="one")
            assert (await on_alice.wait_for("chat:automated"))["message"] == first
            # List updates reach the host's participants' user rooms.
            listed = await on_alice.wait_for(
                "conversation_list_updated", lambda p: p["conversation_id"] == cid
            )
            assert listed["message"] == first

            async with httpx.AsyncClient(base_url=url, timeout=30) as host_http:
                done = await host_http.post(
                    "/membership", json={"user_id": alice, "conversation_id": cid, "allowed": False}
                )
                assert done.status_code == 200
            second = await api.automated(cid, text="two")
            assert await on_bob.wait_for("chat:automated", lambda p: p["message"] == second)
            await on_alice.barrier()
            assert [p["message"]["id"] for p in on_alice.received("chat:automated")] == [
                first["id"]
            ]
            await on_alice.fails("chat:join", {"conversationId": cid}, "not_found")
        finally:
            for client in (on_alice, on_bob, on_carol):
                await client.disconnect()
    for client in (on_alice, on_bob, on_carol):
        client.check()


# -- an HTTP callback, in a server process ----------------------------------------------------


async def test_an_http_membership_callback_is_asked_once_per_question_within_the_ttl(
    tmp_path: Path, jwt_secret: str
) -> None:
    memberships = HostMemberships()
    tokens = Tokens(jwt_secret)
    alice = new_user("alice")
    with membership_callback(memberships) as callback_url:
        env = {
            "CHINWAG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cb.db'}",
            "CHINWAG_JWT_SECRET": jwt_secret,
            "CHINWAG_MEMBERSHIP_URL": callback_url,
            "CHINWAG_MEMBERSHIP_CACHE_S": "60",
            "CHINWAG_RATE_LIMIT_SOCKET": "0",
            "CHINWAG_RATE_LIMIT_USER": "0",
        }
        with ServerProcess(env, log_dir=tmp_path / "server") as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                api = Api(http, tokens)
                campaign = await api.create_campaign([])
                conversation = await api.create_conversation(campaign["id"], [])
                cid = conversation["id"]
                memberships.access.add((alice, cid))
                client = ChatClient("alice")
                await client.connect(server.url, tokens.user(alice), ["websocket"])
                await client.wait_for("authenticated")
                try:
                    for _ in range(3):
                        await client.ok("chat:join", {"conversationId": cid})
                    ack = await client.ok(
                        "chat:send",
                        {"tempId": "t", "conversationId": cid, "text": "hi", "clientNonce": "n"},
                    )
                    assert ack["message"]["sender_id"] == alice
                    asked = memberships.calls
                    # 1 access question (cached for the joins and the send) + 1 participants list.
                    assert asked == 2
                    stranger = ChatClient("eve")
                    await stranger.connect(server.url, tokens.user(new_user("eve")), ["websocket"])
                    await stranger.wait_for("authenticated")
                    await stranger.fails("chat:join", {"conversationId": cid}, "not_found")
                    await stranger.disconnect()
                finally:
                    await client.disconnect()
