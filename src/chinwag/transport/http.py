"""The REST API (openapi.yaml) on Starlette: the routes and their handlers over the services.

Authentication and error bodies come from :mod:`~chinwag.transport.http_guard`, request
parsing from :mod:`~chinwag.transport.http_requests`.
"""

from __future__ import annotations

import os

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chinwag import __version__
from chinwag.domain.message import action_data_from_dict
from chinwag.domain.principal import Principal
from chinwag.errors import Forbidden
from chinwag.handlers.presenters import (
    campaign_to_wire,
    conversation_to_wire,
    flow_state_to_wire,
    message_to_wire,
)
from chinwag.services.container import Services
from chinwag.transport.http_guard import Endpoint, Handler, guard
from chinwag.transport.http_requests import int_param, path_id, read_body
from chinwag.transport.http_responses import JSON
from chinwag_contract import rest as rest_models


class RestApi:
    """Route handlers over the services."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def routes(self) -> list[Route]:
        """The /api routes and /health."""
        return [
            Route("/health", self.health, methods=["GET"]),
            Route("/api/campaigns", self._guard(self.create_campaign), methods=["POST"]),
            Route(
                "/api/campaigns/{campaignId}",
                self._guard(self.update_campaign),
                methods=["PATCH"],
            ),
            Route("/api/conversations", self._guard(self.list_conversations), methods=["GET"]),
            Route("/api/conversations", self._guard(self.create_conversation), methods=["POST"]),
            Route(
                "/api/conversations/{conversationId}",
                self._guard(self.get_conversation),
                methods=["GET"],
            ),
            Route(
                "/api/conversations/{conversationId}",
                self._guard(self.update_conversation),
                methods=["PATCH"],
            ),
            Route(
                "/api/conversations/{conversationId}/messages",
                self._guard(self.list_messages),
                methods=["GET"],
            ),
            Route(
                "/api/conversations/{conversationId}/flow",
                self._guard(self.start_flow),
                methods=["POST"],
            ),
            Route(
                "/api/conversations/{conversationId}/automated-messages",
                self._guard(self.post_automated_message),
                methods=["POST"],
            ),
        ]

    async def health(self, request: Request) -> Response:
        """Liveness, with the process id (tells processes apart behind a balancer)."""
        return JSON({"status": "ok", "pid": os.getpid(), "version": __version__})

    def _guard(self, handler: Handler) -> Endpoint:
        return guard(handler, self.services.tokens)

    # -- routes ---------------------------------------------------------------------------

    async def create_campaign(self, request: Request, principal: Principal) -> Response:
        body = await read_body(request, rest_models.CampaignCreate)
        campaign = await self.services.management.create_campaign(
            principal, body.name, body.member_ids
        )
        return JSON(campaign_to_wire(campaign), status_code=201)

    async def update_campaign(self, request: Request, principal: Principal) -> Response:
        campaign_id = path_id(request, "campaignId", "Campaign")
        body = await read_body(request, rest_models.CampaignUpdate)
        campaign = await self.services.management.update_campaign(
            principal, campaign_id, name=body.name, member_ids=body.member_ids
        )
        return JSON(campaign_to_wire(campaign))

    async def list_conversations(self, request: Request, principal: Principal) -> Response:
        rows = await self.services.management.list_conversations(principal)
        return JSON({"items": [conversation_to_wire(c, unread) for c, unread in rows]})

    async def create_conversation(self, request: Request, principal: Principal) -> Response:
        body = await read_body(request, rest_models.ConversationCreate)
        conversation = await self.services.management.create_conversation(
            principal, body.campaign_id, body.participant_ids, body.chat_status, body.flow_id
        )
        return JSON(conversation_to_wire(conversation), status_code=201)

    async def get_conversation(self, request: Request, principal: Principal) -> Response:
        conversation_id = path_id(request, "conversationId", "Conversation")
        conversation = await self.services.management.get_conversation(principal, conversation_id)
        return JSON(conversation_to_wire(conversation))

    async def update_conversation(self, request: Request, principal: Principal) -> Response:
        conversation_id = path_id(request, "conversationId", "Conversation")
        body = await read_body(request, rest_models.ConversationUpdate)
        conversation = await self.services.management.update_conversation(
            principal,
            conversation_id,
            chat_status=body.chat_status,
            participant_ids=body.participant_ids,
        )
        return JSON(conversation_to_wire(conversation))

    async def list_messages(self, request: Request, principal: Principal) -> Response:
        conversation_id = path_id(request, "conversationId", "Conversation")
        after_seq = int_param(request, "after_seq", 0, 2**53 - 1)
        before_seq = int_param(request, "before_seq", 1, 2**53 - 1)
        limit = int_param(request, "limit", 1, 200)
        messages = await self.services.management.list_messages(
            principal, conversation_id, after_seq=after_seq, before_seq=before_seq, limit=limit
        )
        return JSON({"items": [message_to_wire(m) for m in messages]})

    async def start_flow(self, request: Request, principal: Principal) -> Response:
        conversation_id = path_id(request, "conversationId", "Conversation")
        body = await read_body(request, rest_models.FlowStart)
        state = await self.services.flows.start(principal, conversation_id, body.flow_id)
        return JSON(flow_state_to_wire(state), status_code=201)

    async def post_automated_message(self, request: Request, principal: Principal) -> Response:
        conversation_id = path_id(request, "conversationId", "Conversation")
        body = await read_body(request, rest_models.AutomatedMessageCreate)
        if not principal.is_service:
            raise Forbidden("The service role is required")
        message = await self.services.management.post_automated_message(
            conversation_id,
            text=body.text,
            reason=body.reason,
            action_data=action_data_from_dict(body.action_data.model_dump(exclude_none=True))
            if body.action_data is not None
            else None,
        )
        return JSON(message_to_wire(message), status_code=201)
