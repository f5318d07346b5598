"""State the scenarios need, created through the REST API (the same routes on both servers).

Also the HS256 tokens the load presents to those servers.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt

SERVICE_USER = "bench-service"


def service_token(secret: str) -> str:
    """A service-role token for the REST management routes."""
    now = int(time.time())
    claims = {"sub": SERVICE_USER, "role": "service", "iat": now, "exp": now + 6 * 3600}
    return jwt.encode(claims, secret, algorithm="HS256")


def user_token(secret: str, sub: str, role: str = "user", ttl_s: float = 6 * 3600) -> str:
    """An HS256 token as the server expects it (``sub``, ``role``, ``iat``, ``exp``)."""
    now = int(time.time())
    claims = {"sub": sub, "role": role, "iat": now, "exp": now + int(ttl_s)}
    return jwt.encode(claims, secret, algorithm="HS256")


class Seeder:
    """Creates campaigns and conversations on one server."""

    def __init__(self, base_url: str, secret: str) -> None:
        self.token = service_token(secret)
        # trust_env=False: a developer's proxy settings must not capture 127.0.0.1.
        self.client = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
            trust_env=False,
        )

    def _post(self, path: str, body: dict[str, Any]) -> str:
        response = self.client.post(path, json=body)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"POST {path} → {response.status_code}: {response.text[:500]}")
        return str(response.json()["id"])

    def campaign(self, name: str, member_ids: list[str]) -> str:
        """Create a campaign and return its id."""
        return self._post("/api/campaigns", {"name": name, "member_ids": member_ids})

    def conversation(
        self, campaign_id: str, participant_ids: list[str], conversation_id: str | None = None
    ) -> str:
        """Create a real-time conversation and return its id.

        ``conversation_id`` is for the baseline only: it registers a conversation another baseline
        process made (chinwag's processes share the database instead, and refuse the field).
        """
        body: dict[str, Any] = {
            "campaign_id": campaign_id,
            "participant_ids": participant_ids,
            "chat_status": "real_time",
        }
        if conversation_id is not None:
            body["id"] = conversation_id
        return self._post("/api/conversations", body)

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()
