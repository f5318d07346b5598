"""The REST operations (openapi.yaml), one method each, over the services.

Like the socket handlers: each method takes the caller and the request already parsed
against the contract's models, calls one use case (where role and access rules live), and
returns the response body in the contract's resource shape. The transport
(:mod:`chinwag.transport.rest.routes`) reads requests and writes responses, nothing more.
"""

from __future__ import annotations

from typing import Any

from chinwag.domain.message import action_data_from_dict
from chinwag.domain.principal import Principal
from chinwag.errors import NotFound
from chinwag.handlers.presenters import (
    campaign_to_wire,
    conversation_to_wire,
    delivery_to_wire,
    flow_state_to_wire,
    message_to_wire,
)
from chinwag.services.container import Services
from chinwag.services.webhooks import WebhookAdmin
from chinwag_contract import rest as rest_models

Body = dict[str, Any]


class RestHandlers:
    """chinwag's REST operations."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def create_campaign(self, principal: Principal, body: rest_models.CampaignCreate) -> Body:
        campaign = await self.services.management.create_campaign(
            principal, body.name, body.member_ids
        )
        return campaign_to_wire(campaign)

    async def update_campaign(
        self, principal: Principal, campaign_id: str, body: rest_models.CampaignUpdate
    ) -> Body:
        campaign = await self.services.management.update_campaign(
            principal, campaign_id, name=body.name, member_ids=body.member_ids
        )
        return campaign_to_wire(campaign)

    async def list_conversations(self, principal: Principal) -> Body:
        rows = await self.services.management.list_conversations(principal)
        return {"items": [conversation_to_wire(c, unread) for c, unread in rows]}

    async def create_conversation(
        self, principal: Principal, body: rest_models.ConversationCreate
    ) -> Body:
        conversation = await self.services.management.create_conversation(
            principal, body.campaign_id, body.participant_ids, body.chat_status, body.flow_id
        )
        return conversation_to_wire(conversation)

    async def get_conversation(self, principal: Principal, conversation_id: str) -> Body:
        conversation = await self.services.management.get_conversation(principal, conversation_id)
        return conversation_to_wire(conversation)

    async def update_conversation(
        self, principal: Principal, conversation_id: str, body: rest_models.ConversationUpdate
    ) -> Body:
        conversation = await self.services.management.update_conversation(
            principal,
            conversation_id,
            chat_status=body.chat_status,
            participant_ids=body.participant_ids,
        )
        return conversation_to_wire(conversation)

    async def list_messages(
        self,
        principal: Principal,
        conversation_id: str,
        *,
        after_seq: int | None,
        before_seq: int | None,
        limit: int | None,
    ) -> Body:
        messages = await self.services.management.list_messages(
            principal, conversation_id, after_seq=after_seq, before_seq=before_seq, limit=limit
        )
        return {"items": [message_to_wire(m) for m in messages]}

    async def start_flow(
        self, principal: Principal, conversation_id: str, body: rest_models.FlowStart
    ) -> Body:
        state = await self.services.flows.start(principal, conversation_id, body.flow_id)
        return flow_state_to_wire(state)

    async def list_webhook_deliveries(self, principal: Principal, status: str | None) -> Body:
        deliveries = await self._webhooks().list(principal, status)
        return {"items": [delivery_to_wire(d) for d in deliveries]}

    async def replay_webhook_delivery(self, principal: Principal, delivery_id: str) -> Body:
        return delivery_to_wire(await self._webhooks().replay(principal, delivery_id))

    def _webhooks(self) -> WebhookAdmin:
        if self.services.webhooks is None:
            raise NotFound("Webhooks are not available")
        return self.services.webhooks

    async def post_automated_message(
        self, principal: Principal, conversation_id: str, body: rest_models.AutomatedMessageCreate
    ) -> Body:
        action = body.action_data
        message = await self.services.management.post_automated_message(
            principal,
            conversation_id,
            text=body.text,
            reason=body.reason,
            action_data=None
            if action is None
            else action_data_from_dict(action.model_dump(exclude_none=True)),
        )
        return message_to_wire(message)
