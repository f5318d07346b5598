"""HS256 test tokens signed with the test servers' secret."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt


@dataclass(frozen=True)
class Tokens:
    """Signs HS256 test tokens with the servers' secret."""

    secret: str

    def make(
        self,
        sub: str | None,
        role: str | None = "user",
        *,
        expires_in: float = 3600,
        secret: str | None = None,
        **claims: Any,
    ) -> str:
        """A token for ``sub``; ``None`` omits a claim; ``expires_in`` may be negative."""
        now = int(time.time())
        body: dict[str, Any] = {"sub": sub, "role": role, "iat": now, "exp": now + int(expires_in)}
        body = {key: value for key, value in body.items() if value is not None} | claims
        return jwt.encode(body, secret or self.secret, algorithm="HS256")

    def user(self, sub: str) -> str:
        """A valid user token for an hour."""
        return self.make(sub)

    def service(self, sub: str = "svc-backend") -> str:
        """A valid service-role token."""
        return self.make(sub, "service")

    def expired(self, sub: str) -> str:
        """A correctly signed user token whose exp passed a minute ago."""
        return self.make(sub, expires_in=-60)
