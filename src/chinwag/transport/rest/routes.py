"""The REST API (openapi.yaml) on Starlette: routes that read requests and write responses.

Each route parses its path ids, query parameters and body (against the generated models)
and hands them to :class:`~chinwag.handlers.rest.RestHandlers`; role and access rules live
in the services. Authentication and error bodies come from :mod:`~chinwag.transport.rest.guard`.
"""

from __future__ import annotations

import os

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chinwag import __version__
from chinwag.domain.message import PAGE_MAX
from chinwag.domain.principal import Principal
from chinwag.handlers.rest import RestHandlers
from chinwag.services.auth import TokenService
from chinwag.transport.rest.guard import Endpoint, Handler, guard
from chinwag.transport.rest.requests import int_param, path_id, read_body
from chinwag.transport.rest.responses import JSON
from chinwag_contract import rest as rest_models

SEQ_MAX = 2**53 - 1
"""The largest integer a JSON number carries exactly."""


class RestApi:
    """The /api routes and /health over the REST handlers."""

    def __init__(self, handlers: RestHandlers, tokens: TokenService) -> None:
        self.handlers = handlers
        self.tokens = tokens

    def routes(self) -> list[Route]:
        """The /api routes and /health."""
        conversation = "/api/conversations/{conversationId}"
        return [
            Route("/health", self.health, methods=["GET"]),
            Route("/api/campaigns", self._guard(self.create_campaign), methods=["POST"]),
            Route(
                "/api/campaigns/{campaignId}", self._guard(self.update_campaign), methods=["PATCH"]
            ),
            Route("/api/conversations", self._guard(self.list_conversations), methods=["GET"]),
            Route("/api/conversations", self._guard(self.create_conversation), methods=["POST"]),
            Route(conversation, self._guard(self.get_conversation), methods=["GET"]),
            Route(conversation, self._guard(self.update_conversation), methods=["PATCH"]),
            Route(f"{conversation}/messages", self._guard(self.list_messages), methods=["GET"]),
            Route(f"{conversation}/flow", self._guard(self.start_flow), methods=["POST"]),
            Route(
                f"{conversation}/automated-messages",
                self._guard(self.post_automated_message),
                methods=["POST"],
            ),
            Route("/api/webhooks/deliveries", self._guard(self.list_deliveries), methods=["GET"]),
            Route(
                "/api/webhooks/deliveries/{deliveryId}/replay",
                self._guard(self.replay_delivery),
                methods=["POST"],
            ),
        ]

    async def health(self, request: Request) -> Response:
        """Liveness, with the process id (tells processes apart behind a balancer)."""
        return JSON({"status": "ok", "pid": os.getpid(), "version": __version__})

    def _guard(self, handler: Handler) -> Endpoint:
        return guard(handler, self.tokens)

    # -- routes ---------------------------------------------------------------------------

    async def create_campaign(self, request: Request, principal: Principal) -> Response:
        body = await read_body(request, rest_models.CampaignCreate)
        return JSON(await self.handlers.create_campaign(principal, body), status_code=201)

    async def update_campaign(self, request: Request, principal: Principal) -> Response:
        campaign_id = path_id(request, "campaignId", "Campaign")
        body = await read_body(request, rest_models.CampaignUpdate)
        return JSON(await self.handlers.update_campaign(principal, campaign_id, body))

    async def list_conversations(self, request: Request, principal: Principal) -> Response:
        return JSON(await self.handlers.list_conversations(principal))

    async def create_conversation(self, request: Request, principal: Principal) -> Response:
        body = await read_body(request, rest_models.ConversationCreate)
        return JSON(await self.handlers.create_conversation(principal, body), status_code=201)

    async def get_conversation(self, request: Request, principal: Principal) -> Response:
        conversation_id = path_id(request, "conversationId", "Conversation")
        return JSON(await self.handlers.get_conversation(principal, conversation_id))

    async def update_conversation(self, request: Request, principal: Principal) -> Response:
        conversation_id = path_id(request, "conversationId", "Conversation")
        body = await read_body(request, rest_models.ConversationUpdate)
        return JSON(await self.handlers.update_conversation(principal, conversation_id, body))

    async def list_messages(self, request: Request, principal: Principal) -> Response:
        conversation_id = path_id(request, "conversationId", "Conversation")
        page = await self.handlers.list_messages(
            principal,
            conversation_id,
            after_seq=int_param(request, "after_seq", 0, SEQ_MAX),
            before_seq=int_param(request, "before_seq", 1, SEQ_MAX),
            limit=int_param(request, "limit", 1, PAGE_MAX),
        )
        return JSON(page)

    async def start_flow(self, request: Request, principal: Principal) -> Response:
        conversation_id = path_id(request, "conversationId", "Conversation")
        body = await read_body(request, rest_models.FlowStart)
        state = await self.handlers.start_flow(principal, conversation_id, body)
        return JSON(state, status_code=201)

    async def post_automated_message(self, request: Request, principal: Principal) -> Response:
        conversation_id = path_id(request, "conversationId", "Conversation")
        body = await read_body(request, rest_models.AutomatedMessageCreate)
        message = await self.handlers.post_automated_message(principal, conversation_id, body)
        return JSON(message, status_code=201)

    async def list_deliveries(self, request: Request, principal: Principal) -> Response:
        status = request.query_params.get("status")
        return JSON(await self.handlers.list_webhook_deliveries(principal, status))

    async def replay_delivery(self, request: Request, principal: Principal) -> Response:
        delivery_id = path_id(request, "deliveryId", "Delivery")
        return JSON(await self.handlers.replay_webhook_delivery(principal, delivery_id))
