"""Token verification: HS256 only, exp required, nbf/iss/aud honoured."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chinwag.domain import Principal
from chinwag.errors import InvalidToken, TokenExpired
from chinwag.services import TokenService

SECRET = "test-secret-" + "0123456789abcdef" * 4
OTHER_SECRET = "other-secret-" + "0123456789abcdef" * 4


def claims(**extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "alice", "iat": now, "exp": now + 60} | extra


def hs256(payload: dict[str, Any], secret: str = SECRET) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


def test_issued_token_verifies_with_role_and_expiry() -> None:
    tokens = TokenService(SECRET, issuer="iss", audience="aud")
    verified = tokens.verify(tokens.issue("svc", role="service", ttl=120))
    assert verified.principal == Principal("svc", "service")
    assert abs((verified.expires_at - datetime.now(UTC)).total_seconds() - 120) < 5


def test_missing_role_means_user() -> None:
    assert TokenService(SECRET).verify(hs256(claims())).principal == Principal("alice", "user")


def test_expired_token_is_token_expired() -> None:
    with pytest.raises(TokenExpired):
        TokenService(SECRET).verify(hs256(claims(exp=int(time.time()) - 10)))


def test_leeway_accepts_a_just_expired_token() -> None:
    TokenService(SECRET, leeway=30).verify(hs256(claims(exp=int(time.time()) - 10)))


def _rs256_token() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims(), key, algorithm="RS256")


def _unsigned_token() -> str:
    return jwt.encode(claims(), "", algorithm="none")


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(_unsigned_token, id="alg-none"),
        pytest.param(lambda: jwt.encode(claims(), SECRET, algorithm="HS512"), id="hs512"),
        pytest.param(_rs256_token, id="rs256-other-key"),
        pytest.param(lambda: hs256(claims(), secret=OTHER_SECRET), id="bad-sig"),
        pytest.param(lambda: hs256({"sub": "alice"}), id="missing-exp"),
        pytest.param(lambda: hs256(claims(nbf=int(time.time()) + 300)), id="future-nbf"),
        pytest.param(lambda: hs256(claims(sub="")), id="empty-sub"),
        pytest.param(lambda: hs256(claims(sub="x" * 129)), id="long-sub"),
        pytest.param(lambda: hs256(claims(sub=42)), id="int-sub"),
        pytest.param(lambda: hs256({k: v for k, v in claims().items() if k != "sub"}), id="no-sub"),
        pytest.param(lambda: hs256(claims(role="admin")), id="bad-role"),
        pytest.param(lambda: "not.a.jwt", id="garbage"),
    ],
)
def test_bad_tokens_are_invalid_token(make_token: Any) -> None:
    with pytest.raises(InvalidToken):
        TokenService(SECRET).verify(make_token())


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"iss": "other", "aud": "chinwag"}, id="wrong-iss"),
        pytest.param({"iss": "auth", "aud": "other"}, id="wrong-aud"),
        pytest.param({"aud": "chinwag"}, id="missing-iss"),
        pytest.param({"iss": "auth"}, id="missing-aud"),
    ],
)
def test_issuer_and_audience_are_checked_when_configured(extra: dict[str, Any]) -> None:
    tokens = TokenService(SECRET, issuer="auth", audience="chinwag")
    tokens.verify(hs256(claims(iss="auth", aud="chinwag")))
    with pytest.raises(InvalidToken):
        tokens.verify(hs256(claims(**extra)))
