"""Socket authentication: handshake token, authenticate event, expiry, unauthenticated sockets."""

from __future__ import annotations

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

#: Every client→server chat:*/work:* event with a well-formed payload.
GUARDED_EVENTS = {
    "chat:join": {"conversationId": "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"},
    "chat:leave": {"conversationId": "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"},
    "chat:send": {
        "tempId": "t-1",
        "conversationId": "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e",
        "text": "hi",
        "clientNonce": "n-1",
    },
    "chat:read": {
        "conversationId": "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e",
        "messageIds": [],
    },
    "work:join": {"campaignId": "1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d"},
    "work:leave": {"campaignId": "1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d"},
    "chat:sync": {"conversationId": "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e", "afterSeq": 0},
}


async def test_handshake_token_is_answered_by_authenticated_right_after_connect(
    connect: Connect,
) -> None:
    alice = new_user("alice")
    client = await connect(alice, handshake=True)
    assert client.events[0] == ("authenticated", {"userId": alice})


@pytest.mark.parametrize("transports", [None, ["websocket"]], ids=["polling", "websocket"])
async def test_handshake_with_bad_token_is_refused_with_connect_error(
    chat_server: ServerProcess, tokens: Tokens, transports: list[str] | None
) -> None:
    client = ChatClient("mallory")
    bad = tokens.make("mallory", secret="another-secret-0123456789abcdef-0123456789")
    with pytest.raises(ConnectRefused) as refused:
        await client.connect(chat_server.url, bad, transports)
    assert refused.value.data["data"]["code"] == "invalid_token"
    assert isinstance(refused.value.data["message"], str)
    assert not client.connected
    assert client.events == []


async def test_handshake_with_expired_token_is_refused(
    chat_server: ServerProcess, tokens: Tokens
) -> None:
    client = ChatClient("late")
    with pytest.raises(ConnectRefused) as refused:
        await client.connect(chat_server.url, tokens.expired(new_user()))
    assert refused.value.data["data"]["code"] == "token_expired"


async def test_handshake_with_garbage_token_is_refused(
    chat_server: ServerProcess,
) -> None:
    client = ChatClient("garbage")
    with pytest.raises(ConnectRefused) as refused:
        await client.connect(chat_server.url, "not-a-jwt")
    assert refused.value.data["data"]["code"] == "invalid_token"


async def test_authenticate_event_with_valid_token_replies_authenticated(
    connect: Connect, tokens: Tokens
) -> None:
    alice = new_user("alice")
    client = await connect()
    name, reply = await client.request("authenticate", {"token": tokens.user(alice)})
    assert (name, reply) == ("authenticated", {"userId": alice})


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("bad_signature", "invalid_token"),
        ("expired", "token_expired"),
        ("garbage", "invalid_token"),
    ],
)
async def test_authenticate_event_with_bad_token_replies_auth_error(
    connect: Connect, tokens: Tokens, kind: str, code: str
) -> None:
    user = new_user()
    token = {
        "bad_signature": tokens.make(user, secret="wrong-secret-0123456789abcdef-0123456789"),
        "expired": tokens.expired(user),
        "garbage": "x.y.z",
    }[kind]
    client = await connect()
    name, reply = await client.request("authenticate", {"token": token})
    assert name == "auth_error"
    assert reply["code"] == code
    # Still unauthenticated: chat events are refused.
    await client.fails("chat:join", GUARDED_EVENTS["chat:join"], "unauthenticated")


async def test_after_auth_error_the_socket_stays_connected_and_may_authenticate_again(
    connect: Connect, tokens: Tokens, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect()
    name, _ = await client.request("authenticate", {"token": tokens.expired(alice)})
    assert name == "auth_error"
    assert client.connected
    assert await client.authenticate(tokens.user(alice)) == alice
    await client.join(scene.conversation_id)
    assert client.connected


async def test_authenticate_event_with_invalid_payload_replies_auth_error(
    connect: Connect,
) -> None:
    client = await connect()
    name, reply = await client.request("authenticate", {"tok": "x"})
    assert name == "auth_error"
    assert reply["code"] == "invalid_payload"
    assert client.connected


async def test_reauthenticating_as_another_user_is_forbidden_and_keeps_the_first_identity(
    connect: Connect, tokens: Tokens, api: Api
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    name, reply = await client.request("authenticate", {"token": tokens.user(bob)})
    assert name == "auth_error"
    assert reply["code"] == "forbidden"
    # Still alice: alice's conversation is accessible, and messages are sent as alice.
    message = await client.send(scene.conversation_id, "still alice")
    assert message["sender_id"] == alice


async def test_reauthenticating_as_the_same_user_is_accepted(
    connect: Connect, tokens: Tokens
) -> None:
    alice = new_user("alice")
    client = await connect(alice)
    assert await client.authenticate(tokens.user(alice)) == alice


async def test_token_without_role_means_user_role_which_may_send(
    connect: Connect, tokens: Tokens, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(token=tokens.make(alice, role=None))
    assert client.user_id == alice
    message = await client.send(scene.conversation_id, "no role claim")
    assert message["sender_id"] == alice


@pytest.mark.parametrize("event", sorted(GUARDED_EVENTS))
async def test_before_authentication_every_chat_and_work_event_gets_unauthenticated(
    connect: Connect, event: str
) -> None:
    client = await connect()
    payload = GUARDED_EVENTS[event]
    error = await client.fails(event, payload, "unauthenticated")
    if "tempId" in payload:
        assert error["tempId"] == payload["tempId"]
    assert client.connected


async def test_unauthenticated_send_stores_nothing(
    connect: Connect, api: Api, tokens: Tokens
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    anonymous = await connect()
    payload = {
        "tempId": "t-anon",
        "conversationId": scene.conversation_id,
        "text": "sneaky",
        "clientNonce": "n-anon",
    }
    await anonymous.fails("chat:send", payload, "unauthenticated")
    assert await api.messages(scene.conversation_id) == []


async def test_authenticated_socket_joins_its_user_room(connect: Connect, api: Api) -> None:
    # The user room is observable through conversation_list_updated, which goes to participants'
    # user rooms without any chat:join or work:join.
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    alice_socket = await connect(alice)
    bob_handshake = await connect(bob, handshake=True)
    message = await alice_socket.send(scene.conversation_id, "hi bob")
    update = await bob_handshake.wait_for(
        "conversation_list_updated",
        lambda p: p["conversation_id"] == scene.conversation_id,
    )
    assert update == {
        "conversation_id": scene.conversation_id,
        "message": message,
        "action": "new_message",
    }


async def test_token_expiry_while_connected_sends_auth_error_and_unauthenticates(
    connect: Connect, tokens: Tokens, api: Api
) -> None:
    alice = new_user("alice")
    scene = await make_scene(api, participants=[alice])
    client = await connect(token=tokens.make(alice, expires_in=2))
    await client.join(scene.conversation_id)
    expired = await client.wait_for("auth_error", timeout=10)
    assert expired["code"] == "token_expired"
    payload = {
        "tempId": "t-exp",
        "conversationId": scene.conversation_id,
        "text": "after expiry",
        "clientNonce": "n-exp",
    }
    await client.fails("chat:send", payload, "unauthenticated")
    await client.authenticate(tokens.user(alice))
    await client.send(scene.conversation_id, "renewed")
