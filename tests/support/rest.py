"""``Api``: a REST client of a test server that checks statuses and validates every body it reads
against ``openapi.yaml`` / ``schemas.yaml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from tests.support.contract import Payload, contract
from tests.support.tokens import Tokens


class Api:
    """httpx against a server's REST API, authenticated as the service role by default.

    Helpers check the status and validate the body against openapi.yaml.
    """

    def __init__(self, http: httpx.AsyncClient, tokens: Tokens) -> None:
        self.http = http
        self.tokens = tokens
        self.service_headers = {"Authorization": f"Bearer {tokens.service()}"}

    def headers(self, token: str | None) -> dict[str, str]:
        """Authorization headers for ``token``."""
        return {} if token is None else {"Authorization": f"Bearer {token}"}

    async def expect(
        self,
        method: str,
        path: str,
        status: int,
        schema: str | None = None,
        *,
        token: str | None | bool = True,
        **kwargs: Any,
    ) -> Any:
        """Send a request, assert the status, validate the JSON body, return it.

        ``token=True`` means the service token, ``None``/``False`` none. Error statuses are
        validated as ErrorBody unless ``schema`` says otherwise.
        """
        headers = dict(kwargs.pop("headers", {}))
        if token is True:
            headers |= self.service_headers
        elif isinstance(token, str):
            headers |= self.headers(token)
        response = await self.http.request(method, path, headers=headers, **kwargs)
        assert response.status_code == status, (
            f"{method} {path}: expected {status}, got {response.status_code}: {response.text}"
        )
        body = response.json()
        if schema is None and status >= 400:
            schema = "ErrorBody"
        if schema is not None:
            problems = contract().errors(contract().rest_ref(schema), body)
            assert not problems, f"{method} {path} body breaks {schema}: {problems}"
        return body

    async def create_campaign(self, member_ids: Sequence[str] = (), name: str = "c") -> Payload:
        """POST /api/campaigns → 201 Campaign."""
        body = {"name": name, "member_ids": list(member_ids)}
        return dict(await self.expect("POST", "/api/campaigns", 201, "Campaign", json=body))

    async def update_campaign(self, campaign_id: str, **changes: Any) -> Payload:
        """PATCH /api/campaigns/{id} → 200 Campaign."""
        path = f"/api/campaigns/{campaign_id}"
        return dict(await self.expect("PATCH", path, 200, "Campaign", json=changes))

    async def create_conversation(
        self,
        campaign_id: str,
        participant_ids: Sequence[str] = (),
        chat_status: str = "real_time",
    ) -> Payload:
        """POST /api/conversations → 201 Conversation."""
        body = {
            "campaign_id": campaign_id,
            "participant_ids": list(participant_ids),
            "chat_status": chat_status,
        }
        return dict(await self.expect("POST", "/api/conversations", 201, "Conversation", json=body))

    async def update_conversation(self, conversation_id: str, **changes: Any) -> Payload:
        """PATCH /api/conversations/{id} → 200 Conversation."""
        path = f"/api/conversations/{conversation_id}"
        return dict(await self.expect("PATCH", path, 200, "Conversation", json=changes))

    async def get_conversation(self, conversation_id: str, token: str | bool = True) -> Payload:
        """GET /api/conversations/{id} → 200 Conversation."""
        path = f"/api/conversations/{conversation_id}"
        return dict(await self.expect("GET", path, 200, "Conversation", token=token))

    async def list_conversations(self, token: str | bool = True) -> list[Payload]:
        """GET /api/conversations → the items."""
        body = await self.expect("GET", "/api/conversations", 200, "ConversationList", token=token)
        return list(body["items"])

    async def messages(
        self, conversation_id: str, token: str | bool = True, **params: int
    ) -> list[Payload]:
        """GET /api/conversations/{id}/messages → the items."""
        path = f"/api/conversations/{conversation_id}/messages"
        body = await self.expect("GET", path, 200, "MessageList", token=token, params=params)
        return list(body["items"])

    async def all_messages(self, conversation_id: str) -> list[Payload]:
        """Every message of a conversation, paging with after_seq."""
        items: list[Payload] = []
        while True:
            after = items[-1]["seq"] if items else 0
            page = await self.messages(conversation_id, after_seq=after, limit=200)
            items.extend(page)
            if len(page) < 200:
                return items

    async def automated(
        self,
        conversation_id: str,
        text: str = "automated",
        reason: str = "test",
        action_data: Payload | None = None,
    ) -> Payload:
        """POST /api/conversations/{id}/automated-messages → 201 Message."""
        body: Payload = {"text": text, "reason": reason}
        if action_data is not None:
            body["action_data"] = action_data
        path = f"/api/conversations/{conversation_id}/automated-messages"
        return dict(await self.expect("POST", path, 201, "Message", json=body))
