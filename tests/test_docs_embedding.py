"""docs/embedding.md: every Python block runs, against real servers where it serves or emits."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from chinwag.handlers.webhooks import sign
from chinwag.services.identity import token_service
from chinwag.services.membership import CachedMembership
from contract_tests.serve import serve_app

pytest.register_assert_rewrite("tests.support.client")

from tests.support.client import Api, ChatClient, Tokens, new_user  # noqa: E402
from tests.support.net import free_port  # noqa: E402
from tests.support.redis import RedisServer  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402

pytestmark = pytest.mark.timeout(120)

DOC = Path(__file__).resolve().parents[1] / "docs" / "embedding.md"
BLOCK = re.compile(r"<!-- block: (\S+) -->\n```python\n(.*?)```", re.DOTALL)


def _blocks() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    blocks = dict(BLOCK.findall(text))
    assert len(blocks) == text.count("```python"), "every python block needs a <!-- block: -->"
    return blocks


def _run(name: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": f"docs_embedding_{name}"}
    exec(compile(_blocks()[name], f"{DOC}:{name}", "exec"), namespace)
    return namespace


def test_the_doc_names_every_block_it_shows() -> None:
    assert set(_blocks()) == {"worker", "fastapi", "starlette", "identity", "membership", "verify"}


@pytest.fixture
def chinwag_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, jwt_secret: str) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'doc.db'}"
    for key, value in {
        "CHINWAG_DATABASE_URL": url,
        "CHINWAG_JWT_SECRET": jwt_secret,
        "CHINWAG_RATE_LIMIT_SOCKET": "0",
        "CHINWAG_RATE_LIMIT_USER": "0",
        "CHINWAG_SHUTDOWN_DEADLINE_S": "1",
    }.items():
        monkeypatch.setenv(key, value)
    return url


@pytest.mark.parametrize("name", ["fastapi", "starlette"])
async def test_the_mounting_examples_serve_chinwag_under_chat(
    name: str, chinwag_env: str, jwt_secret: str
) -> None:
    app = _run(name)["app"]
    tokens = Tokens(jwt_secret)
    alice = new_user("alice")
    with serve_app(app, free_port()) as (url, _stop):
        async with httpx.AsyncClient(base_url=url + "/chat", timeout=30) as http:
            api = Api(http, tokens)
            campaign = await api.create_campaign([alice])
            conversation = await api.create_conversation(campaign["id"], [alice], "automated")
        client = ChatClient(name)
        await client.sio.connect(url, socketio_path="chat/socket.io", transports=["websocket"])
        try:
            await client.authenticate(tokens.user(alice))
            await client.ok("chat:join", {"conversationId": conversation["id"]})
            if name == "fastapi":
                async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                    shipped = await http.post(f"/orders/{conversation['id']}/shipped")
                assert shipped.json() == {"seq": 1}
                automated = await client.wait_for("chat:automated")
                assert automated["reason"] == "order.shipped"
        finally:
            await client.disconnect()
        client.check()


async def test_the_worker_example_reaches_a_client_of_a_server_through_redis(
    chinwag_env: str,
    monkeypatch: pytest.MonkeyPatch,
    redis_server: RedisServer,
    jwt_secret: str,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CHINWAG_REDIS_URL", redis_server.url)
    env: dict[str, str | None] = {
        "CHINWAG_DATABASE_URL": chinwag_env,
        "CHINWAG_REDIS_URL": redis_server.url,
        "CHINWAG_JWT_SECRET": jwt_secret,
    }
    tokens = Tokens(jwt_secret)
    alice = new_user("alice")
    with ServerProcess(env, log_dir=tmp_path / "server") as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            api = Api(http, tokens)
            campaign = await api.create_campaign([])
            conversation = await api.create_conversation(campaign["id"], [alice], "automated")
        client = ChatClient("alice")
        await client.connect(server.url, tokens.user(alice), ["websocket"])
        try:
            await client.wait_for("authenticated")
            await client.ok("chat:join", {"conversationId": conversation["id"]})
            message_id = await _run("worker")["announce_order_shipped"](conversation["id"], alice)
            automated = await client.wait_for("chat:automated")
            assert (automated["message"]["id"], automated["reason"]) == (
                message_id,
                "order.shipped",
            )
            updates = [await client.wait_for("conversation_list_updated") for _ in range(2)]
            assert all(u["message"]["id"] == message_id for u in updates)
        finally:
            await client.disconnect()
        client.check()


def test_the_identity_example_builds_a_jwks_token_service() -> None:
    settings = _run("identity")["settings"]
    assert (settings.jwt_algorithm, settings.jwt_role_claim) == ("RS256", "roles")
    token_service(settings)  # no fetch until the first token


async def test_the_membership_example_is_a_membership_provider() -> None:
    shop = _run("membership")["ShopMemberships"]({"c1": {"ann"}}, {"k1": {"agent"}})
    cached = CachedMembership(shop, ttl_s=5, max_entries=10)
    assert await cached.may_access_conversation("ann", "c1", "k1")
    assert await cached.may_access_conversation("agent", "c1", "k1")
    assert not await cached.may_access_conversation("eve", "c1", "k1")
    assert await cached.is_campaign_member("agent", "k1")
    assert await cached.participants("c1", "k1") == ("ann",)


def test_the_receiver_example_accepts_chinwags_signature_only() -> None:
    verify = _run("verify")["verify_chinwag_webhook"]
    body, timestamp = b'{"event":"message.created"}', str(int(time.time()))
    headers = {"X-Chinwag-Timestamp": timestamp, "X-Chinwag-Signature": sign("s3", timestamp, body)}
    assert verify("s3", headers, body)
    assert not verify("other", headers, body)
    assert not verify("s3", headers, body + b" ")
