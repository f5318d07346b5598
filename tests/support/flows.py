"""Shared steps of the flow tests: start the demo flow, find its prompt, answer it.

Test modules import them from ``tests.support.client``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from tests.support.chat_client import ChatClient
from tests.support.contract import Payload
from tests.support.rest import Api

DEMO = "demo"


async def create_flow_conversation(
    api: Api, participants: Sequence[str], members: Sequence[str] = (), flow_id: str = DEMO
) -> tuple[str, str]:
    """A campaign and an automated conversation running ``flow_id``; (campaign id, conv id)."""
    campaign = await api.create_campaign(members)
    body = {
        "campaign_id": campaign["id"],
        "participant_ids": list(participants),
        "chat_status": "automated",
        "flow_id": flow_id,
    }
    conversation = await api.expect("POST", "/api/conversations", 201, "Conversation", json=body)
    assert conversation["chat_status"] == "automated"
    return str(campaign["id"]), str(conversation["id"])


async def start_flow(api: Api, conversation_id: str, flow_id: str = DEMO) -> Payload:
    """POST /api/conversations/{id}/flow → 201 FlowState."""
    path = f"/api/conversations/{conversation_id}/flow"
    return dict(await api.expect("POST", path, 201, "FlowState", json={"flow_id": flow_id}))


async def pending_prompt(api: Api, conversation_id: str) -> Payload:
    """The conversation's latest message, which must carry a prompt."""
    latest = (await api.all_messages(conversation_id))[-1]
    assert latest["kind"] == "automated" and latest["action_data"] is not None, latest
    return dict(latest)


def action(
    prompt: Payload,
    action_id: str | None = None,
    values: dict[str, Any] | None = None,
    nonce: str | None = None,
) -> Payload:
    """A chat:action payload answering ``prompt`` (a stored automated message)."""
    payload: Payload = {
        "conversationId": prompt["conversation_id"],
        "messageId": prompt["id"],
        "promptId": prompt["action_data"]["prompt_id"],
        "clientNonce": nonce or f"a-{uuid.uuid4().hex}",
    }
    if action_id is not None:
        payload["actionId"] = action_id
    if values is not None:
        payload["values"] = values
    return payload


async def answer(client: ChatClient, payload: Payload) -> Payload:
    """chat:action and expect chat:action_ack; returns the stored answer message."""
    ack = await client.ok("chat:action", payload)
    assert ack["clientNonce"] == payload["clientNonce"]
    return dict(ack["message"])
