"""Webhooks out: HMAC-signed POSTs for committed message.created and conversation.status_changed,
from the durable outbox, retried with backoff, dead-lettered, replayed through REST."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytest.register_assert_rewrite("tests.support.client")

from tests.support.client import Api, ChatClient, Tokens, new_user  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402
from tests.support.webhook_receiver import WebhookReceiver  # noqa: E402

pytestmark = pytest.mark.timeout(120)

SECRET = "webhook-secret-for-tests-0123456789"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(fail_first=2) as hooks:
        yield hooks


async def test_committed_changes_reach_the_receiver_signed_after_retries_and_dead_ones_replay(
    db_url: str, tmp_path: Path, jwt_secret: str, receiver: WebhookReceiver
) -> None:
    # Status changes always fail at first: three attempts, then dead.
    receiver.always_fail = lambda body: body["event"] == "conversation.status_changed"
    env = {
        "CHINWAG_DATABASE_URL": db_url,
        "CHINWAG_JWT_SECRET": jwt_secret,
        "CHINWAG_RATE_LIMIT_SOCKET": "0",
        "CHINWAG_RATE_LIMIT_USER": "0",
        "CHINWAG_WEBHOOK_URL": receiver.url,
        "CHINWAG_WEBHOOK_SECRET": SECRET,
        "CHINWAG_WEBHOOK_MAX_ATTEMPTS": "3",
        "CHINWAG_WEBHOOK_BACKOFF_S": "0.1",
        "CHINWAG_WEBHOOK_POLL_S": "0.05",
    }
    tokens = Tokens(jwt_secret)
    alice = new_user("alice")
    with ServerProcess(env, log_dir=tmp_path / "server") as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            api = Api(http, tokens)
            campaign = await api.create_campaign([])
            conversation = await api.create_conversation(campaign["id"], [alice])
            cid = conversation["id"]
            client = ChatClient("alice")
            await client.connect(server.url, tokens.user(alice), ["websocket"])
            await client.wait_for("authenticated")
            sent = await client.ok(
                "chat:send",
                {"tempId": "t", "conversationId": cid, "text": "hi", "clientNonce": "n"},
            )
            # A retry of the same send stores nothing new: no second webhook.
            await client.ok(
                "chat:send",
                {"tempId": "t2", "conversationId": cid, "text": "hi", "clientNonce": "n"},
            )
            await client.disconnect()
            automated = await api.automated(cid, text="bot")
            await api.update_conversation(cid, chat_status="automated")

            def messages_delivered() -> bool:
                return len(receiver.delivered()) == 2

            await asyncio.to_thread(receiver.wait_until, messages_delivered)
            delivered = receiver.delivered()
            assert [d["event"] for d in delivered] == ["message.created"] * 2
            assert [d["data"]["message"] for d in delivered] == [sent["message"], automated]
            assert all(d["occurred_at"] == d["data"]["message"]["created_at"] for d in delivered)
            for body in delivered:
                assert receiver.attempts[body["id"]] == 3  # two 500s, then 204
            assert all(r.signed_with(SECRET) for r in receiver.received)
            assert not any(r.signed_with("another secret") for r in receiver.received)

            async def deliveries(status: str) -> list[dict[str, object]]:
                body = await api.expect(
                    "GET", f"/api/webhooks/deliveries?status={status}", 200, "WebhookDeliveryList"
                )
                return list(body["items"])

            # The status change goes dead after max_attempts (3) failures.
            deadline = asyncio.get_running_loop().time() + 30
            while not (dead := await deliveries("dead")):
                assert asyncio.get_running_loop().time() < deadline, await deliveries("pending")
                await asyncio.to_thread(receiver.wait_until, lambda: len(receiver.received) >= 9, 5)
            assert len(dead) == 1
            assert (dead[0]["event"], dead[0]["attempts"], dead[0]["last_error"]) == (
                "conversation.status_changed",
                3,
                "HTTP 500",
            )
            assert len(await deliveries("delivered")) == 2

            # Only the service role may replay; then the receiver takes it.
            await api.expect(
                "POST",
                f"/api/webhooks/deliveries/{dead[0]['id']}/replay",
                403,
                token=tokens.user(alice),
            )
            receiver.always_fail = lambda body: False
            receiver.fail_first = 0
            replayed = await api.expect(
                "POST", f"/api/webhooks/deliveries/{dead[0]['id']}/replay", 200, "WebhookDelivery"
            )
            assert (replayed["status"], replayed["attempts"]) == ("pending", 0)
            await asyncio.to_thread(receiver.wait_until, lambda: len(receiver.delivered()) == 3)
            status_hook = receiver.delivered()[-1]
            assert status_hook["id"] == dead[0]["id"]
            assert status_hook["data"] == {"conversation_id": cid, "chat_status": "automated"}
            unknown = "00000000-0000-4000-8000-000000000000"
            await api.expect("POST", f"/api/webhooks/deliveries/{unknown}/replay", 404)


async def test_webhooks_are_off_by_default_and_the_outbox_stays_empty(
    tmp_path: Path, jwt_secret: str
) -> None:
    env = {
        "CHINWAG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'off.db'}",
        "CHINWAG_JWT_SECRET": jwt_secret,
    }
    with ServerProcess(env, log_dir=tmp_path / "server") as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            api = Api(http, Tokens(jwt_secret))
            campaign = await api.create_campaign([])
            conversation = await api.create_conversation(campaign["id"], ["u"], "automated")
            await api.automated(conversation["id"])
            await api.update_conversation(conversation["id"], chat_status="real_time")
            listed = await api.expect("GET", "/api/webhooks/deliveries", 200, "WebhookDeliveryList")
            assert listed["items"] == []
