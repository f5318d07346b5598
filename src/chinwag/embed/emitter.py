"""The seed's ``socketEmitter`` for Python: emits and automated messages from other code.

The same object works in the chinwag process (:meth:`SocketEmitter.for_app`) and in a worker that
runs no socket server (:func:`chinwag.embed.worker.worker_emitter`): only the transport under it
differs. Every payload is validated against the contract before the transport is called, so an
invalid payload raises in the caller and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from starlette.applications import Starlette

from chinwag.domain.principal import Principal
from chinwag.handlers.evictions import Revoke
from chinwag.handlers.rest import RestHandlers
from chinwag.services.container import Services
from chinwag_contract import resources
from chinwag_contract import rest as rest_models
from chinwag_contract.emitter import (
    Transport,
    conversation_room,
    dump_payload,
    user_room,
    work_room,
)
from chinwag_contract.operations import OPERATIONS

SERVICE_PRINCIPAL = Principal(user_id="chinwag-embed", role="service")
"""Who the embedding API acts as: it is backend code, so it has the service role."""


def _room_events(channel: str) -> frozenset[str]:
    return frozenset(
        op.event
        for op in OPERATIONS
        if op.direction == "server_to_client" and op.channel == channel
    )


#: Which server→client events the contract declares on each room kind.
CONVERSATION_EVENTS = _room_events("conversationRoom")
CAMPAIGN_EVENTS = _room_events("workRoom")
USER_EVENTS = _room_events("userRoom")

Payload = BaseModel | Mapping[str, Any]


class SocketEmitter:
    """``emit_to_conversation`` / ``emit_to_campaign`` / ``emit_to_user`` and automated messages.

    ``event`` must be a server→client event the contract declares on that room kind (else
    ``ValueError``); ``payload`` is the generated model (``chinwag_contract.models``) or a
    mapping, validated against the contract (else ``pydantic.ValidationError``).
    """

    def __init__(self, transport: Transport, services: Services, revoke: Revoke) -> None:
        self._transport = transport
        self._rest = RestHandlers(services)
        self._revoke = revoke

    @classmethod
    def for_app(cls, app: Starlette) -> SocketEmitter:
        """The emitter of a running chinwag app (``create_app``'s result)."""
        runtime = app.state.runtime
        return cls(runtime.transport, runtime.services, runtime.control.revoke_user)

    async def emit_to_conversation(
        self, conversation_id: str, event: str, payload: Payload
    ) -> None:
        """Send ``event`` to the sockets that joined the conversation (``room:<id>``)."""
        await self._emit(CONVERSATION_EVENTS, conversation_room(conversation_id), event, payload)

    async def emit_to_campaign(self, campaign_id: str, event: str, payload: Payload) -> None:
        """Send ``event`` to the campaign's work room (``room:work:<id>``)."""
        await self._emit(CAMPAIGN_EVENTS, work_room(campaign_id), event, payload)

    async def emit_to_user(self, user_id: str, event: str, payload: Payload) -> None:
        """Send ``event`` to every authenticated socket of the user (``user:<id>``)."""
        await self._emit(USER_EVENTS, user_room(user_id), event, payload)

    async def post_automated_message(
        self,
        conversation_id: str,
        *,
        text: str,
        reason: str,
        action_data: resources.ActionData | Mapping[str, Any] | None = None,
    ) -> resources.Message:
        """Store an automated message (next ``seq``) and announce it, as the REST route does.

        The body is validated as ``AutomatedMessageCreate`` first; the message is stored through
        the same use case as ``POST /api/conversations/{id}/automated-messages`` and then reaches
        the conversation room (``chat:automated``), the work room and the participants' user
        rooms (``conversation_list_updated``). Raises ``chinwag.errors.NotFound`` for an unknown
        conversation.
        """
        body: dict[str, Any] = {"text": text, "reason": reason}
        if action_data is not None:
            body["action_data"] = (
                action_data.model_dump(mode="json", exclude_unset=True)
                if isinstance(action_data, BaseModel)
                else dict(action_data)
            )
        request = rest_models.AutomatedMessageCreate.model_validate(body)
        wire = await self._rest.post_automated_message(SERVICE_PRINCIPAL, conversation_id, request)
        return resources.Message.model_validate(wire)

    async def report_membership_change(self, user_id: str) -> None:
        """The host changed who may see what: evict the user's sockets from rooms they lost.

        Every chinwag process re-checks that user's sockets against the membership (chinwag's
        tables or the host's provider) at once, as after a REST PATCH.
        """
        await self._revoke(user_id, None)

    async def _emit(self, allowed: frozenset[str], room: str, event: str, payload: Payload) -> None:
        if event not in allowed:
            raise ValueError(
                f"{event!r} is not declared for this room kind; allowed: {sorted(allowed)}"
            )
        data = dump_payload(event, payload)
        await self._transport.emit(event, data, rooms=[room])
