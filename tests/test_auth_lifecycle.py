"""Token lifecycle: bad tokens refused everywhere, expiry while connected, re-auth, revocation.

A bad token must be refused the same way by the three doors (handshake, ``authenticate``, REST);
a session must lose its rooms the moment its token expires or its access is taken away.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support import Database, ServerProcess, start_server
from tests.support.client import (
    Api,
    ChatClient,
    Connect,
    ConnectRefused,
    Tokens,
    make_scene,
    new_user,
)

pytest_plugins = ("tests.support.client", "tests.support.crash")

ISSUER = "https://auth.chinwag.test"
AUDIENCE = "chinwag-api"


@pytest.fixture(scope="module")
def chat_server(
    module_db: Database, module_server_logs: Path, jwt_secret: str
) -> Iterator[ServerProcess]:
    """One server per database for this module (overrides the client plugin's)."""
    server = start_server(
        module_db.url, jwt_secret, module_server_logs, CHINWAG_SHUTDOWN_DEADLINE_S=2
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def claims_server(
    tmp_path_factory: pytest.TempPathFactory, jwt_secret: str
) -> Iterator[ServerProcess]:
    """A server that requires ``iss`` and ``aud`` (SQLite: this is about tokens, not data)."""
    folder = tmp_path_factory.mktemp("claims")
    server = start_server(
        f"sqlite+aiosqlite:///{folder / 'chinwag.db'}",
        jwt_secret,
        folder,
        CHINWAG_JWT_ISSUER=ISSUER,
        CHINWAG_JWT_AUDIENCE=AUDIENCE,
        CHINWAG_SHUTDOWN_DEADLINE_S=2,
    )
    yield server
    server.stop()


# -- bad tokens --------------------------------------------------------------------------------


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(sub: str, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": sub, "role": "user", "iat": now, "exp": now + 3600} | extra


def token_alg_none(secret: str, sub: str) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(sub))}."


def token_hs512(secret: str, sub: str) -> str:
    return jwt.encode(_claims(sub), secret, algorithm="HS512")


def token_rs256_foreign_key(secret: str, sub: str) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(_claims(sub), key, algorithm="RS256")


def token_hs256_as_rs256_header(secret: str, sub: str) -> str:
    # The right secret, but a header claiming another algorithm: algorithm confusion.
    return jwt.encode(_claims(sub), secret, algorithm="HS256", headers={"alg": "HS384"})


def token_missing_exp(secret: str, sub: str) -> str:
    claims = _claims(sub)
    del claims["exp"]
    return jwt.encode(claims, secret, algorithm="HS256")


def token_future_nbf(secret: str, sub: str) -> str:
    return jwt.encode(_claims(sub, nbf=int(time.time()) + 600), secret, algorithm="HS256")


def token_wrong_secret(secret: str, sub: str) -> str:
    return jwt.encode(_claims(sub), secret[::-1] + "-other", algorithm="HS256")


def token_expired(secret: str, sub: str) -> str:
    now = int(time.time())
    return jwt.encode(_claims(sub, iat=now - 120, exp=now - 60), secret, algorithm="HS256")


def token_bad_role(secret: str, sub: str) -> str:
    return jwt.encode(_claims(sub, role="admin"), secret, algorithm="HS256")


def token_empty_sub(secret: str, sub: str) -> str:
    return jwt.encode(_claims(""), secret, algorithm="HS256")


BAD_TOKENS: dict[str, tuple[Callable[[str, str], str], str]] = {
    "alg-none": (token_alg_none, "invalid_token"),
    "hs512": (token_hs512, "invalid_token"),
    "rs256-foreign-key": (token_rs256_foreign_key, "invalid_token"),
    "header-alg-mismatch": (token_hs256_as_rs256_header, "invalid_token"),
    "missing-exp": (token_missing_exp, "invalid_token"),
    "future-nbf": (token_future_nbf, "invalid_token"),
    "wrong-secret": (token_wrong_secret, "invalid_token"),
    "bad-role": (token_bad_role, "invalid_token"),
    "empty-sub": (token_empty_sub, "invalid_token"),
    "expired": (token_expired, "token_expired"),
}


async def assert_refused_everywhere(server: ServerProcess, token: str, code: str) -> None:
    """Handshake → connect_error, ``authenticate`` → auth_error, REST → 401, all with ``code``."""
    refused_client = ChatClient("handshake")
    with pytest.raises(ConnectRefused) as refused:
        await refused_client.connect(server.url, token)
    assert refused.value.data["data"]["code"] == code

    client = ChatClient("authenticate")
    await client.connect(server.url)
    try:
        name, reply = await client.request("authenticate", {"token": token})
        assert name == "auth_error"
        assert reply["code"] == code
        # Still unauthenticated afterwards.
        await client.fails(
            "chat:sync", {"conversationId": _ZERO_UUID, "afterSeq": 0}, "unauthenticated"
        )
        client.check()
    finally:
        await client.disconnect()

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        response = await http.get(
            "/api/conversations", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == code


_ZERO_UUID = "00000000-0000-4000-8000-000000000000"


def names_since(client: ChatClient, mark: int) -> list[str]:
    """Names of the events ``client`` received from log index ``mark`` on (barriers left out)."""
    return [item.event for item in client.log[mark:] if client._visible(item)]


# PyJWT warns that the (right) secret is short for HS512: that token is meant to be refused.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("kind", list(BAD_TOKENS))
async def test_bad_token_is_refused_at_handshake_by_authenticate_and_by_rest(
    chat_server: ServerProcess, jwt_secret: str, kind: str
) -> None:
    make, code = BAD_TOKENS[kind]
    await assert_refused_everywhere(chat_server, make(jwt_secret, new_user("mallory")), code)


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "https://evil.example", "aud": AUDIENCE},
        {"iss": ISSUER, "aud": "another-api"},
        {"aud": AUDIENCE},
        {"iss": ISSUER},
    ],
    ids=["wrong-iss", "wrong-aud", "missing-iss", "missing-aud"],
)
async def test_token_with_wrong_or_missing_issuer_or_audience_is_refused_everywhere(
    claims_server: ServerProcess, jwt_secret: str, claims: dict[str, Any]
) -> None:
    token = jwt.encode(_claims(new_user("mallory"), **claims), jwt_secret, algorithm="HS256")
    await assert_refused_everywhere(claims_server, token, "invalid_token")


async def test_token_with_the_configured_issuer_and_audience_is_accepted_everywhere(
    claims_server: ServerProcess, tokens: Tokens
) -> None:
    alice = new_user("alice")
    token = tokens.make(alice, iss=ISSUER, aud=AUDIENCE)
    client = ChatClient("alice")
    await client.connect(claims_server.url, token)
    try:
        assert await client.wait_for("authenticated") == {"userId": alice}
    finally:
        await client.disconnect()
    async with httpx.AsyncClient(base_url=claims_server.url, timeout=30) as http:
        response = await http.get(
            "/api/conversations", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200, response.text


# -- expiry while connected --------------------------------------------------------------------


async def test_session_whose_token_expires_loses_its_rooms_and_must_authenticate_again(
    connect: Connect, api: Api, tokens: Tokens
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    sender = await connect(bob)
    short = await connect(alice, token=tokens.make(alice, expires_in=2))
    await short.join(scene.conversation_id)
    first = await sender.send(scene.conversation_id, "before expiry")
    assert await short.wait_for("chat:new") == {"message": first}

    expired = await short.wait_for("auth_error", timeout=15)
    assert expired["code"] == "token_expired"
    mark = len(short.log)
    await sender.send(scene.conversation_id, "after expiry")
    await short.barrier()
    assert names_since(short, mark) == []
    assert short.connected
    for event, payload in (
        ("chat:join", {"conversationId": scene.conversation_id}),
        (
            "chat:send",
            {
                "tempId": "t",
                "conversationId": scene.conversation_id,
                "clientNonce": "n",
                "text": "x",
            },
        ),
        ("chat:sync", {"conversationId": scene.conversation_id, "afterSeq": 0}),
    ):
        await short.fails(event, payload, "unauthenticated")

    await short.authenticate(tokens.user(alice))
    await short.join(scene.conversation_id)
    again = await sender.send(scene.conversation_id, "welcome back")
    assert await short.wait_for("chat:new") == {"message": again}


async def test_handshake_session_whose_token_expires_gets_token_expired(
    connect: Connect, tokens: Tokens
) -> None:
    alice = new_user("alice")
    client = await connect(alice, token=tokens.make(alice, expires_in=2), handshake=True)
    assert (await client.wait_for("auth_error", timeout=15))["code"] == "token_expired"


async def test_refreshing_the_token_before_expiry_keeps_the_session(
    connect: Connect, api: Api, tokens: Tokens
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    client = await connect(alice, token=tokens.make(alice, expires_in=2))
    await client.join(scene.conversation_id)
    await client.authenticate(tokens.user(alice))
    # Beyond the first token's expiry: a message still reaches the room, no auth_error came.
    sender = await connect(bob)
    expiry = await connect(new_user("clock"), token=tokens.make("clock", expires_in=2))
    await expiry.wait_for("auth_error", timeout=15)
    message = await sender.send(scene.conversation_id, "still with us")
    assert await client.wait_for("chat:new") == {"message": message}
    assert client.received("auth_error") == []


async def test_reauthenticating_as_another_sub_gets_forbidden_and_keeps_the_first_identity(
    connect: Connect, api: Api, tokens: Tokens
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice])
    client = await connect(alice)
    name, reply = await client.request("authenticate", {"token": tokens.user(bob)})
    assert (name, reply["code"]) == ("auth_error", "forbidden")
    message = await client.send(scene.conversation_id, "still alice")
    assert message["sender_id"] == alice


# -- access taken away -------------------------------------------------------------------------


async def test_participant_removed_by_patch_stops_receiving_the_room_at_once(
    connect: Connect, api: Api
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    sender, removed = await connect(alice), await connect(bob)
    other_tab = await connect(bob)
    for client in (removed, other_tab):
        await client.join(scene.conversation_id)
    await api.update_conversation(scene.conversation_id, participant_ids=[alice])
    mark, tab_mark = len(removed.log), len(other_tab.log)
    await sender.send(scene.conversation_id, "bob is gone")
    for client, since in ((removed, mark), (other_tab, tab_mark)):
        await client.barrier()
        assert "chat:new" not in names_since(client, since)
        await client.fails(
            "chat:sync", {"conversationId": scene.conversation_id, "afterSeq": 0}, "not_found"
        )


async def test_removed_participant_who_is_still_a_campaign_member_keeps_the_room(
    connect: Connect, api: Api
) -> None:
    alice, manager = new_user("alice"), new_user("manager")
    scene = await make_scene(api, members=[manager], participants=[alice, manager])
    sender, staff = await connect(alice), await connect(manager)
    await staff.join(scene.conversation_id)
    await api.update_conversation(scene.conversation_id, participant_ids=[alice])
    message = await sender.send(scene.conversation_id, "manager still reads")
    assert await staff.wait_for("chat:new") == {"message": message}


async def test_member_removed_from_campaign_loses_its_conversation_and_work_rooms_at_once(
    connect: Connect, api: Api
) -> None:
    alice, manager, stays = new_user("alice"), new_user("manager"), new_user("stays")
    scene = await make_scene(api, members=[manager, stays], participants=[alice])
    sender, removed, kept = await connect(alice), await connect(manager), await connect(stays)
    for client in (removed, kept):
        await client.join(scene.conversation_id)
        await client.work_join(scene.campaign_id)
    await api.update_campaign(scene.campaign_id, member_ids=[stays])
    mark = len(removed.log)
    message = await sender.send(scene.conversation_id, "staff only")
    assert await kept.wait_for("chat:new") == {"message": message}
    assert await kept.wait_for("conversation_list_updated", lambda p: p["message"] == message)
    await removed.barrier()
    names = names_since(removed, mark)
    assert "chat:new" not in names
    assert "conversation_list_updated" not in names
    await removed.fails("work:join", {"campaignId": scene.campaign_id}, "not_found")
    await removed.fails("chat:join", {"conversationId": scene.conversation_id}, "not_found")


async def test_member_removed_from_campaign_who_is_a_participant_keeps_that_conversation(
    connect: Connect, api: Api
) -> None:
    alice, manager = new_user("alice"), new_user("manager")
    scene = await make_scene(api, members=[manager], participants=[alice, manager])
    sender, participant = await connect(alice), await connect(manager)
    await participant.join(scene.conversation_id)
    await participant.work_join(scene.campaign_id)
    await api.update_campaign(scene.campaign_id, member_ids=[])
    message = await sender.send(scene.conversation_id, "still a participant")
    assert await participant.wait_for("chat:new") == {"message": message}
    await participant.fails("work:join", {"campaignId": scene.campaign_id}, "not_found")
