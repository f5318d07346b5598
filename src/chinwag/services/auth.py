"""JWT issue and verification: HS256 by default, RS256/ES256 from a PEM key or a JWKS URL."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt

from chinwag.domain.principal import Principal, Role
from chinwag.errors import InvalidToken, TokenExpired
from chinwag.services.jwt_keys import JwksKeys, KeySource, SharedSecret

ALGORITHM = "HS256"
MAX_SUB_LENGTH = 128


@dataclass(frozen=True, slots=True)
class ClaimMapping:
    """Which claims carry the user id and the role, and which role value means ``service``.

    The role claim may be a string or a list of strings (as many identity providers send
    ``roles``): it means ``service`` when it is, or contains, ``service_role``. Absent means
    ``user``; a string that is neither ``service_role`` nor ``"user"`` is refused.
    """

    user_id: str = "sub"
    role: str = "role"
    service_role: str = "service"

    def role_of(self, claims: dict[str, Any]) -> Role:
        """The chinwag role the claims give (``InvalidToken`` for an unknown string)."""
        value = claims.get(self.role)
        if value is None or value == "user":
            return "user"
        if value == self.service_role:
            return "service"
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return "service" if self.service_role in value else "user"
        raise InvalidToken(f"Invalid token: {self.role} must be user or {self.service_role}")


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """A verified token: who it names and when it stops being valid."""

    principal: Principal
    expires_at: datetime


class TokenService:
    """Issues and verifies JWTs.

    The algorithm is pinned by the key source (``HS256`` with the shared secret unless
    configured otherwise): ``none`` and every other ``alg`` are refused. ``exp`` is
    required, ``nbf`` is honoured, ``iss``/``aud`` are checked when configured. An expired
    token raises ``TokenExpired``; any other defect ``InvalidToken``. The user id claim
    (``sub`` unless mapped) must be 1–128 characters; the role follows
    :class:`ClaimMapping`. Only the shared secret can issue.
    """

    def __init__(
        self,
        secret: str,
        issuer: str | None = None,
        audience: str | None = None,
        leeway: float = 0,
        *,
        keys: KeySource | None = None,
        claims: ClaimMapping | None = None,
    ) -> None:
        self._secret = secret
        self._keys: KeySource = keys or SharedSecret(secret)
        self._claims = claims or ClaimMapping()
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway

    def issue(self, sub: str, role: Role = "user", ttl: int = 3600) -> str:
        """A signed HS256 token for ``sub`` valid for ``ttl`` seconds (shared secret only)."""
        if not isinstance(self._keys, SharedSecret):
            raise RuntimeError("tokens are issued by the identity provider, not by chinwag")
        now = int(datetime.now(UTC).timestamp())
        claims: dict[str, Any] = {
            "sub": sub,
            "role": role,
            "iat": now,
            "exp": now + ttl,
        }
        if self._issuer is not None:
            claims["iss"] = self._issuer
        if self._audience is not None:
            claims["aud"] = self._audience
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    async def verify_async(self, token: str) -> VerifiedToken:
        """:meth:`verify` for callers on the event loop: a JWKS fetch runs in a thread."""
        keys = self._keys
        if isinstance(keys, JwksKeys) and keys.may_fetch(token):
            return await asyncio.to_thread(self.verify, token)
        return self.verify(token)

    def verify(self, token: str) -> VerifiedToken:
        """Check ``token`` and return its principal and expiry."""
        mapping = self._claims
        required = ["exp", mapping.user_id]
        if self._issuer is not None:
            required.append("iss")
        if self._audience is not None:
            required.append("aud")
        try:
            claims = jwt.decode(
                token,
                self._keys.key_for(token),
                algorithms=[self._keys.algorithm],
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                options={"require": required, "verify_aud": self._audience is not None},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenExpired() from exc
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise InvalidToken() from exc
        sub = claims.get(mapping.user_id)
        if not isinstance(sub, str) or not 1 <= len(sub) <= MAX_SUB_LENGTH:
            raise InvalidToken(
                f"Invalid token: {mapping.user_id} must be a string of 1-128 characters"
            )
        role = mapping.role_of(claims)
        exp = claims["exp"]
        if not isinstance(exp, int | float):
            raise InvalidToken()
        return VerifiedToken(
            principal=Principal(user_id=sub, role=role),
            expires_at=datetime.fromtimestamp(exp, UTC),
        )
