"""JWT issue and verification (HS256 only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import jwt

from chinwag.domain.principal import ROLES, Principal, Role
from chinwag.errors import InvalidToken, TokenExpired

ALGORITHM = "HS256"
MAX_SUB_LENGTH = 128


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """A verified token: who it names and when it stops being valid."""

    principal: Principal
    expires_at: datetime


class TokenService:
    """Issues and verifies HS256 JWTs.

    The algorithm is pinned: ``none``, HS512, RS256 and every other ``alg`` are
    refused. ``exp`` is required, ``nbf`` is honoured, ``iss``/``aud`` are checked when
    configured. An expired token raises ``TokenExpired``; any other defect
    ``InvalidToken``. ``sub`` must be 1–128 characters; ``role`` is ``user``
    (the default when absent) or ``service``.
    """

    def __init__(
        self,
        secret: str,
        issuer: str | None = None,
        audience: str | None = None,
        leeway: float = 0,
    ) -> None:
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway

    def issue(self, sub: str, role: Role = "user", ttl: int = 3600) -> str:
        """A signed token for ``sub`` valid for ``ttl`` seconds."""
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

    def verify(self, token: str) -> VerifiedToken:
        """Check ``token`` and return its principal and expiry."""
        required = ["exp", "sub"]
        if self._issuer is not None:
            required.append("iss")
        if self._audience is not None:
            required.append("aud")
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                options={"require": required, "verify_aud": self._audience is not None},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenExpired() from exc
        except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
            raise InvalidToken() from exc
        sub = claims.get("sub")
        if not isinstance(sub, str) or not 1 <= len(sub) <= MAX_SUB_LENGTH:
            raise InvalidToken("Invalid token: sub must be a string of 1-128 characters")
        role = claims.get("role", "user")
        if role not in ROLES:
            raise InvalidToken("Invalid token: role must be user or service")
        exp = claims["exp"]
        if not isinstance(exp, int | float):
            raise InvalidToken()
        return VerifiedToken(
            principal=Principal(user_id=sub, role=cast(Role, role)),
            expires_at=datetime.fromtimestamp(exp, UTC),
        )
