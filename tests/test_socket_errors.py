"""Bad input on the socket: invalid payloads, unknown events, acknowledgements, oversized frames."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.support import ServerProcess
from tests.support.client import (
    Api,
    ChatClient,
    Connect,
    Tokens,
    make_scene,
    new_user,
)

pytest_plugins = ("tests.support.client",)

CONV = "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"


def send(temp_id: str, **fields: Any) -> dict[str, Any]:
    """A chat:send payload with ``tempId`` and the given fields only."""
    return {"tempId": temp_id, **fields}


BAD, BIG = "invalid_payload", "too_large"
OK_FIELDS: dict[str, Any] = {"conversationId": CONV, "text": "x", "clientNonce": "n"}

#: (event, payload, expected code, echoed tempId or None)
INVALID_PAYLOADS: list[tuple[str, Any, str, str | None]] = [
    ("chat:send", send("t-miss", conversationId=CONV, text="x"), "invalid_payload", "t-miss"),
    ("chat:send", send("t-type", **OK_FIELDS | {"text": 5}), "invalid_payload", "t-type"),
    ("chat:send", send("t-uuid", **OK_FIELDS | {"conversationId": "no"}), BAD, "t-uuid"),
    ("chat:send", send("t-extra", **OK_FIELDS, evil=1), "invalid_payload", "t-extra"),
    ("chat:send", send("t-att", **OK_FIELDS, attachments=[{"url": "x"}]), BAD, "t-att"),
    ("chat:send", send("t-nonce", **OK_FIELDS | {"clientNonce": "n" * 129}), BIG, "t-nonce"),
    ("chat:send", "not an object", "invalid_payload", None),
    ("chat:send", [1, 2, 3], "invalid_payload", None),
    ("chat:send", None, "invalid_payload", None),
    ("chat:join", {}, "invalid_payload", None),
    ("chat:join", {"conversationId": 42}, "invalid_payload", None),
    ("chat:leave", "x", "invalid_payload", None),
    ("work:join", {"campaignId": None}, "invalid_payload", None),
    ("work:leave", 3.5, "invalid_payload", None),
    ("chat:read", {"conversationId": CONV, "messageIds": [1]}, "invalid_payload", None),
    ("chat:sync", {"conversationId": CONV, "afterSeq": -1}, "invalid_payload", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("event", "payload", "code", "temp_id"),
    INVALID_PAYLOADS,
    ids=[f"{e}-{i}" for i, (e, *_rest) in enumerate(INVALID_PAYLOADS)],
)
async def test_invalid_payload_gets_chat_error_with_code_and_echoed_temp_id(
    connect: Connect, api: Api, event: str, payload: Any, code: str, temp_id: str | None
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    name, error = await client.request(event, payload)
    assert name == "chat:error", error
    assert error["code"] == code
    assert error["event"] == event
    if temp_id is not None:
        assert error["tempId"] == temp_id
    if code == "invalid_payload":
        assert error.get("details"), "field errors expected"
    # The socket keeps working.
    assert client.connected
    await client.send(scene.conversation_id, "still here")


async def test_unknown_event_gets_unknown_event_error(connect: Connect) -> None:
    client = await connect(new_user())
    name, error = await client.request("chat:shout", {"text": "hi"})
    assert name == "chat:error"
    assert error["code"] == "unknown_event"
    assert error["event"] == "chat:shout"


async def test_unknown_event_gets_an_error_acknowledgement(connect: Connect) -> None:
    client = await connect(new_user())
    ack = await client.call("nope:nothing", {"x": 1})
    assert ack["error"]["code"] == "unknown_event"


async def test_ack_callback_gets_the_success_payload_and_the_reply_event_is_still_emitted(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    joined = await client.call("chat:join", {"conversationId": scene.conversation_id})
    assert joined == {"conversationId": scene.conversation_id}
    assert await client.wait_for("chat:joined") == joined
    payload = {
        "tempId": "t-ack",
        "conversationId": scene.conversation_id,
        "text": "with ack",
        "clientNonce": "n-ack",
    }
    ack = await client.call("chat:send", payload)
    assert ack["tempId"] == "t-ack"
    assert await client.wait_for("chat:ack") == ack
    receipt = await client.call(
        "chat:read", {"conversationId": scene.conversation_id, "messageIds": []}
    )
    assert await client.wait_for("chat:read") == receipt
    work = await client.call("work:join", {"campaignId": scene.campaign_id})
    assert work["error"]["code"] == "not_found"


async def test_ack_callback_gets_error_body_and_chat_error_is_still_emitted(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice], chat_status="automated")
    client = await connect(alice)
    payload = {
        "tempId": "t-err",
        "conversationId": scene.conversation_id,
        "text": "refused",
        "clientNonce": "n-err",
    }
    ack = await client.call("chat:send", payload)
    assert ack["error"]["code"] == "not_real_time"
    error = await client.wait_for("chat:error")
    assert error["code"] == "not_real_time"
    assert error["tempId"] == "t-err"
    bad = await client.call("chat:send", {"tempId": "t-bad"})
    assert bad["error"]["code"] == "invalid_payload"
    assert bad["error"]["details"]


@pytest.mark.parametrize("token_kind", ["valid", "expired"])
async def test_authenticate_answers_its_ack_callback(
    connect: Connect, tokens: Tokens, token_kind: str
) -> None:
    alice = new_user("alice")
    client = await connect()
    token = tokens.user(alice) if token_kind == "valid" else tokens.expired(alice)
    ack = await client.call("authenticate", {"token": token})
    if token_kind == "valid":
        assert ack == {"userId": alice}
        assert await client.wait_for("authenticated") == ack
    else:
        assert ack["error"]["code"] == "token_expired"
        assert (await client.wait_for("auth_error"))["code"] == "token_expired"


async def test_unauthenticated_event_answers_its_ack_with_an_error(connect: Connect) -> None:
    client = await connect()
    ack = await client.call("chat:join", {"conversationId": CONV})
    assert ack["error"]["code"] == "unauthenticated"


async def test_many_bad_events_in_a_row_leave_the_socket_and_server_working(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    bad: list[Any] = [None, 1, "x", [], {"conversationId": []}, {"a": {"b": {"c": [1]}}}]
    replies = await asyncio.gather(*(client.request("chat:join", p) for p in bad))
    assert {name for name, _ in replies} == {"chat:error"}
    await client.send(scene.conversation_id, "fine")


@pytest.mark.parametrize("transports", [["websocket"], ["polling"]], ids=["websocket", "polling"])
async def test_frame_over_the_engineio_buffer_may_close_that_socket_but_server_serves_others(
    connect: Connect, api: Api, chat_server: ServerProcess, transports: list[str]
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    bystander = await connect(bob)
    await bystander.join(scene.conversation_id)
    big = await connect(alice, transports=transports)
    huge = {
        "tempId": "t-huge",
        "conversationId": scene.conversation_id,
        "text": "x" * 400_000,
        "clientNonce": "n-huge",
    }
    await big.emit("chat:send", huge)
    try:
        await asyncio.wait_for(big.disconnected.wait(), 3)
    except TimeoutError:
        # The library kept the socket: then the frame must have been dropped, not handled.
        await big.barrier()
        assert big.received("chat:ack") == []
    assert bystander.connected
    other = await connect(alice)
    message = await other.send(scene.conversation_id, "server still serves")
    assert await bystander.wait_for("chat:new") == {"message": message}
    async with httpx.AsyncClient(base_url=chat_server.url) as http:
        assert (await http.get("/health")).json()["status"] == "ok"
    assert [m["text"] for m in await api.messages(scene.conversation_id)] == ["server still serves"]


async def test_payload_over_a_contract_limit_but_within_the_buffer_gets_too_large(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice, transports=["websocket"])
    payload = {
        "tempId": "t-big",
        "conversationId": scene.conversation_id,
        "text": "y" * 100_000,
        "clientNonce": "n-big",
    }
    error = await client.fails("chat:send", payload, "too_large")
    assert error["tempId"] == "t-big"
    await client.send(scene.conversation_id, "after too_large")


async def test_a_barrier_round_trip_does_not_disturb_a_fresh_socket(
    chat_server: ServerProcess, tokens: Tokens
) -> None:
    # Sanity check of the test client itself: its barrier relies on unknown_event replies.
    client = ChatClient("plain")
    await client.connect(chat_server.url, tokens.user(new_user()))
    try:
        await client.barrier()
        assert [name for name, _ in client.events] == ["authenticated"]
        client.check()
    finally:
        await client.disconnect()


async def test_read_of_a_random_conversation_gets_not_found(connect: Connect) -> None:
    client = await connect(new_user())
    await client.fails(
        "chat:read", {"conversationId": str(uuid.uuid4()), "messageIds": []}, "not_found"
    )


async def test_every_client_event_answers_its_ack_callback_and_still_emits_the_reply(
    connect: Connect, api: Api, tokens: Tokens
) -> None:
    alice, carol = new_user("alice"), new_user("carol")
    scene = await make_scene(api, members=[carol], participants=[alice])
    client = await connect()
    conversation = {"conversationId": scene.conversation_id}
    campaign = {"campaignId": scene.campaign_id}
    send = conversation | {"tempId": "t-a", "text": "acked", "clientNonce": "n-a"}
    calls: list[tuple[str, dict[str, Any], str]] = [
        ("authenticate", {"token": tokens.user(carol)}, "authenticated"),
        ("chat:join", conversation, "chat:joined"),
        ("chat:send", send, "chat:ack"),
        ("chat:read", conversation | {"messageIds": []}, "chat:read"),
        ("chat:sync", conversation | {"afterSeq": 0}, "chat:synced"),
        ("chat:leave", conversation, "chat:left"),
        ("work:join", campaign, "work:joined"),
        ("work:leave", campaign, "work:left"),
    ]
    for event, payload, reply in calls:
        mark = len(client.log)
        ack = await client.call(event, payload)
        assert "error" not in ack, (event, ack)
        assert await client.wait_for(reply, since=mark) == ack, event
