"""Identity from the host's provider: RS256/ES256 from a JWKS on 127.0.0.1 or a PEM key, issuer
and audience, and a claim mapping; key rotation with one fetch per new kid, rate-limited."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from chinwag.config import Settings
from chinwag.errors import InvalidToken
from chinwag.services.identity import token_service

pytest.register_assert_rewrite("tests.support.client")

from tests.support.client import ChatClient, ConnectRefused  # noqa: E402
from tests.support.jwks import JwksServer, SigningKey  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402

ISSUER, AUDIENCE = "https://idp.example", "chinwag"


@pytest.fixture
def idp() -> Iterator[JwksServer]:
    with JwksServer(SigningKey.make("k1")) as server:
        yield server


def _settings(url: str, **extra: Any) -> Settings:
    return Settings(
        jwt_algorithm="RS256",
        jwt_jwks_url=url,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        **extra,
    )


def _claims(**extra: Any) -> dict[str, Any]:
    return {"iss": ISSUER, "aud": AUDIENCE} | extra


def test_jwks_keys_are_cached_a_new_kid_is_fetched_once_and_fetches_are_rate_limited(
    idp: JwksServer,
) -> None:
    cooldown = 0.5
    tokens = token_service(_settings(idp.url, jwt_jwks_min_refresh_s=cooldown))
    k1 = idp.keys[0]
    for _ in range(3):
        assert tokens.verify(k1.token("alice", **_claims())).principal.user_id == "alice"
    assert idp.fetches == 1  # cached

    k2 = SigningKey.make("k2")
    idp.keys = [k2]  # the provider rotates: k1 is withdrawn
    rotated_at = time.monotonic()
    # Within the cooldown after the last fetch an unknown kid fetches nothing (a flood of
    # made-up kids cannot become a flood of requests).
    with pytest.raises(InvalidToken):
        tokens.verify(k2.token("alice", **_claims()))
    assert idp.fetches == 1
    # The cooldown is the configured 0.5 s; wait it out once, then the new kid is fetched once.
    time.sleep(max(0.0, cooldown - (time.monotonic() - rotated_at)) + 0.05)
    for _ in range(3):
        assert tokens.verify(k2.token("bob", **_claims())).principal.user_id == "bob"
    assert idp.fetches == 2
    # The refreshed set no longer has k1; a made-up kid right after is not fetched.
    with pytest.raises(InvalidToken):
        tokens.verify(k1.token("alice", **_claims()))
    with pytest.raises(InvalidToken):
        tokens.verify(SigningKey.make("k-made-up").token("eve", **_claims()))
    assert idp.fetches == 2


async def test_a_jwks_fetch_runs_off_the_event_loop(idp: JwksServer) -> None:
    idp.gate = threading.Event()  # the provider holds its answer until the test releases it
    tokens = token_service(_settings(idp.url))
    verifying = asyncio.create_task(tokens.verify_async(idp.keys[0].token("alice", **_claims())))
    # Had the fetch blocked the loop, this wait could never complete while the answer is held.
    assert await asyncio.to_thread(idp.requested.wait, 10)
    assert not verifying.done()
    idp.gate.set()
    assert (await verifying).principal.user_id == "alice"
    # Cached now: verified on the loop, no fetch.
    assert (
        await tokens.verify_async(idp.keys[0].token("bob", **_claims()))
    ).principal.user_id == "bob"
    assert idp.fetches == 1


@pytest.mark.parametrize("bad", ["issuer", "audience", "hs256", "other-key-same-kid"])
def test_tokens_with_the_wrong_issuer_audience_algorithm_or_key_are_refused(
    idp: JwksServer, bad: str
) -> None:
    tokens = token_service(_settings(idp.url))
    k1 = idp.keys[0]
    token = {
        "issuer": lambda: k1.token("a", **_claims(iss="https://other")),
        "audience": lambda: k1.token("a", **_claims(aud="other")),
        "hs256": lambda: jwt.encode(
            {"sub": "a", "exp": int(time.time()) + 60, **_claims()},
            "secret" * 8,
            algorithm="HS256",
            headers={"kid": "k1"},
        ),
        "other-key-same-kid": lambda: SigningKey.make("k1").token("a", **_claims()),
    }[bad]()
    with pytest.raises(InvalidToken):
        tokens.verify(token)


def test_a_pem_public_key_with_es256_and_a_claim_mapping() -> None:
    key = SigningKey.make("pem", "ES256")
    pem = (
        key.private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    tokens = token_service(
        Settings(
            jwt_algorithm="ES256",
            jwt_public_key=pem,
            jwt_user_id_claim="uid",
            jwt_role_claim="roles",
            jwt_service_role="chat-backend",
        )
    )
    staff = tokens.verify(key.token(uid="u-7", roles=["agent", "chat-backend"])).principal
    assert (staff.user_id, staff.role) == ("u-7", "service")
    agent = tokens.verify(key.token(uid="u-8", roles=["agent"])).principal
    assert (agent.user_id, agent.role) == ("u-8", "user")
    with pytest.raises(InvalidToken):
        tokens.verify(key.token("u-9"))  # no uid claim


async def test_a_server_authenticates_sockets_and_rest_with_jwks_tokens_across_a_rotation(
    idp: JwksServer, tmp_path: Path
) -> None:
    env = {
        "CHINWAG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'idp.db'}",
        "CHINWAG_JWT_ALGORITHM": "RS256",
        "CHINWAG_JWT_JWKS_URL": idp.url,
        "CHINWAG_JWT_JWKS_MIN_REFRESH_S": "0",
        "CHINWAG_JWT_ISSUER": ISSUER,
        "CHINWAG_JWT_AUDIENCE": AUDIENCE,
        "CHINWAG_JWT_ROLE_CLAIM": "roles",
        "CHINWAG_JWT_SERVICE_ROLE": "chat-backend",
        "CHINWAG_RATE_LIMIT_SOCKET": "0",
        "CHINWAG_RATE_LIMIT_USER": "0",
    }
    with ServerProcess(env, log_dir=tmp_path / "server") as server:
        k1 = idp.keys[0]
        service = k1.token("backend", roles=["chat-backend"], **_claims())
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            headers = {"Authorization": f"Bearer {service}"}
            made = await http.post(
                "/api/campaigns", json={"name": "c", "member_ids": ["alice"]}, headers=headers
            )
            assert made.status_code == 201, made.text
            user_token = k1.token("alice", roles=["agent"], **_claims())
            refused = await http.post(
                "/api/campaigns",
                json={"name": "c", "member_ids": []},
                headers={"Authorization": f"Bearer {user_token}"},
            )
            assert refused.status_code == 403
        client = ChatClient("alice")
        await client.connect(server.url, user_token, ["websocket"])
        await client.wait_for("authenticated")
        await client.ok("work:join", {"campaignId": made.json()["id"]})
        await client.disconnect()

        k2 = SigningKey.make("k2")
        idp.keys = [k1, k2]  # rotation: the new key is published next to the old one
        client = ChatClient("alice-k2")
        await client.connect(server.url, k2.token("alice", **_claims()), ["websocket"])
        assert (await client.wait_for("authenticated"))["userId"] == "alice"
        await client.disconnect()

        hs = ChatClient("hs256")
        with pytest.raises(ConnectRefused) as refused_hs:
            await hs.connect(
                server.url,
                jwt.encode({"sub": "a", "exp": int(time.time()) + 60}, "s" * 40),
                ["websocket"],
            )
        assert refused_hs.value.data["data"]["code"] == "invalid_token"
