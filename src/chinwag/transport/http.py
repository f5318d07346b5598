"""The REST API (openapi.yaml) on Starlette: bearer auth, generated models, error bodies."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chinwag import __version__
from chinwag.domain.ids import is_uuid
from chinwag.domain.message import action_data_from_dict
from chinwag.domain.principal import Principal
from chinwag.errors import (
    ChinwagError,
    Forbidden,
    Internal,
    InvalidPayload,
    NotFound,
    Unauthenticated,
)
from chinwag.handlers.presenters import (
    campaign_to_wire,
    conversation_to_wire,
    flow_state_to_wire,
    message_to_wire,
)
from chinwag.services.container import Services
from chinwag.transport.error_replies import error_body, from_validation_error
from chinwag.transport.nul import reject_nul
from chinwag_contract import rest as rest_models

STATUS_BY_CODE = {
    "unauthenticated": 401,
    "invalid_token": 401,
    "token_expired": 401,
    "forbidden": 403,
    "not_found": 404,
    "invalid_payload": 422,
    "too_large": 422,
    "idempotency_conflict": 409,
    "rate_limited": 429,
    "unavailable": 503,
}

Endpoint = Callable[[Request], Awaitable[Response]]


class JSON(Response):
    """A JSON response encoded with orjson."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def error_response(err: ChinwagError, status: int | None = None) -> JSON:
    """The contract's ErrorBody with the status its code maps to."""
    return JSON(error_body(err), status_code=status or STATUS_BY_CODE.get(err.code, 500))


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

    def _guard(self, handler: Callable[[Request, Principal], Awaitable[Response]]) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request, self._principal(request))
            except _BadJson as err:
                return error_response(err, 400)
            except ValidationError as exc:
                return error_response(from_validation_error(exc))
            except ChinwagError as err:
                return error_response(err)
            except Exception:  # a fault of ours, never of the client's input
                return error_response(Internal("Internal error"), 500)

        return endpoint

    def _principal(self, request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Missing bearer token")
        return self.services.tokens.verify(token.strip()).principal

    # -- body and parameter parsing -------------------------------------------------------

    @staticmethod
    async def _body(request: Request, model: type[BaseModel]) -> Any:
        raw = await request.body()
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise _BadJson() from None
        reject_nul(data, ("body",))
        return model.model_validate(data)

    @staticmethod
    def _id(request: Request, name: str, what: str) -> str:
        value = str(request.path_params[name])
        if not is_uuid(value):
            raise NotFound(f"{what} not found")
        return value

    @staticmethod
    def _int_param(request: Request, name: str, minimum: int, maximum: int) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or not minimum <= value <= maximum:
            raise InvalidPayload(
                f"{name} must be an integer from {minimum} to {maximum}",
                details=[{"loc": ["query", name], "msg": "invalid integer", "type": "int_parsing"}],
            )
        return value

    # -- routes ---------------------------------------------------------------------------

    async def create_campaign(self, request: Request, principal: Principal) -> Response:
        body = await self._body(request, rest_models.CampaignCreate)
        campaign = await self.services.management.create_campaign(
            principal, body.name, body.member_ids
        )
        return JSON(campaign_to_wire(campaign), status_code=201)

    async def update_campaign(self, request: Request, principal: Principal) -> Response:
        campaign_id = self._id(request, "campaignId", "Campaign")
        body = await self._body(request, rest_models.CampaignUpdate)
        campaign = await self.services.management.update_campaign(
            principal, campaign_id, name=body.name, member_ids=body.member_ids
        )
        return JSON(campaign_to_wire(campaign))

    async def list_conversations(self, request: Request, principal: Principal) -> Response:
        rows = await self.services.management.list_conversations(principal)
        return JSON({"items": [conversation_to_wire(c, unread) for c, unread in rows]})

    async def create_conversation(self, request: Request, principal: Principal) -> Response:
        body = await self._body(request, rest_models.ConversationCreate)
        conversation = await self.services.management.create_conversation(
            principal, body.campaign_id, body.participant_ids, body.chat_status, body.flow_id
        )
        return JSON(conversation_to_wire(conversation), status_code=201)

    async def get_conversation(self, request: Request, principal: Principal) -> Response:
        conversation_id = self._id(request, "conversationId", "Conversation")
        conversation = await self.services.management.get_conversation(principal, conversation_id)
        return JSON(conversation_to_wire(conversation))

    async def update_conversation(self, request: Request, principal: Principal) -> Response:
        conversation_id = self._id(request, "conversationId", "Conversation")
        body = await self._body(request, rest_models.ConversationUpdate)
        conversation = await self.services.management.update_conversation(
            principal,
            conversation_id,
            chat_status=body.chat_status,
            participant_ids=body.participant_ids,
        )
        return JSON(conversation_to_wire(conversation))

    async def list_messages(self, request: Request, principal: Principal) -> Response:
        conversation_id = self._id(request, "conversationId", "Conversation")
        after_seq = self._int_param(request, "after_seq", 0, 2**53 - 1)
        before_seq = self._int_param(request, "before_seq", 1, 2**53 - 1)
        limit = self._int_param(request, "limit", 1, 200)
        messages = await self.services.management.list_messages(
            principal, conversation_id, after_seq=after_seq, before_seq=before_seq, limit=limit
        )
        return JSON({"items": [message_to_wire(m) for m in messages]})

    async def start_flow(self, request: Request, principal: Principal) -> Response:
        conversation_id = self._id(request, "conversationId", "Conversation")
        body = await self._body(request, rest_models.FlowStart)
        state = await self.services.flows.start(principal, conversation_id, body.flow_id)
        return JSON(flow_state_to_wire(state), status_code=201)

    async def post_automated_message(self, request: Request, principal: Principal) -> Response:
        conversation_id = self._id(request, "conversationId", "Conversation")
        body = await self._body(request, rest_models.AutomatedMessageCreate)
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


class _BadJson(InvalidPayload):
    """Unparseable JSON: 400, not 422."""

    def __init__(self) -> None:
        super().__init__(
            "The body is not valid JSON",
            details=[{"loc": ["body"], "msg": "invalid JSON", "type": "json_invalid"}],
        )
