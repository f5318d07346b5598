"""The flow engine's use cases: start a flow, answer its prompts (``chat:action``).

Answering lives in ``flow_answers`` and storing a walk in ``flow_progress``; this service
owns the catalog, the role checks and the units of work around them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chinwag.domain.access import may_manage, may_write_as_user
from chinwag.domain.conversation import ChatStatus, Conversation
from chinwag.domain.flow import FlowDefinition, FlowState, advance
from chinwag.domain.principal import Principal
from chinwag.errors import Forbidden, InvalidPayload, NotFound, PromptAnswered
from chinwag.services.flow_answers import (
    ActionResult,
    AnswerRaced,
    action_fingerprint,
    answer_prompt,
)
from chinwag.services.flow_progress import flow_state, record_walk
from chinwag.services.membership import MembershipProvider
from chinwag.services.ports import Store
from chinwag.services.publisher import Publisher
from chinwag.services.unit_of_work import UnitOfWork

RACE_RETRIES = 3


class FlowService:
    """Starts flows and records answers to their prompts."""

    def __init__(
        self,
        store: Store,
        publisher: Publisher,
        catalog: Mapping[str, FlowDefinition],
        membership: MembershipProvider | None = None,
    ) -> None:
        self._store = store
        self._membership = membership
        self._publisher = publisher
        self.catalog = catalog

    def definition(self, flow_id: str) -> FlowDefinition:
        """The loaded flow ``flow_id``, else ``invalid_payload`` on the ``flow_id`` field."""
        found = self.catalog.get(flow_id)
        if found is None:
            raise InvalidPayload(
                f"Unknown flow {flow_id!r}",
                details=[{"loc": ["flow_id"], "msg": "no such flow", "type": "literal_error"}],
            )
        return found

    def definition_for_new(self, flow_id: str, chat_status: ChatStatus) -> FlowDefinition:
        """The flow a new conversation starts with; only automated conversations run one."""
        if chat_status != "automated":
            raise InvalidPayload(
                "A flow needs an automated conversation",
                details=[
                    {
                        "loc": ["chat_status"],
                        "msg": "must be automated when flow_id is given",
                        "type": "value_error",
                    }
                ],
            )
        return self.definition(flow_id)

    async def start(self, principal: Principal, conversation_id: str, flow_id: str) -> FlowState:
        """Start (or restart) a flow on an existing conversation (service role).

        A flow already running there is replaced: its pending prompt becomes stale.
        """
        if not may_manage(principal):
            raise Forbidden("This operation needs the service role")
        definition = self.definition(flow_id)
        async with UnitOfWork(self._store, self._publisher) as uow:
            conversation = await uow.session.conversations.get(conversation_id)
            if conversation is None:
                raise NotFound("Conversation not found")
            return await self.begin(uow, conversation, definition)

    async def begin(
        self, uow: UnitOfWork, conversation: Conversation, definition: FlowDefinition
    ) -> FlowState:
        """Start ``definition`` inside ``uow``: first messages, state, chat_status."""
        flows = uow.session.flows
        prior = await flows.get(conversation.id)
        walked = advance(definition, definition.start, prior.turn if prior else 0)
        # Lock (or create) the state row before the conversation row: one lock order everywhere.
        await flows.put(flow_state(conversation.id, definition.id, walked, None, {}))
        state, _ = await record_walk(uow, conversation, definition.id, walked, [], {})
        return state

    async def answer(
        self,
        principal: Principal,
        conversation_id: str,
        message_id: str,
        prompt_id: str,
        client_nonce: str,
        action_id: str | None = None,
        values: Mapping[str, Any] | None = None,
        origin: str | None = None,
    ) -> ActionResult:
        """Record an answer to the conversation's pending prompt and advance its flow.

        Checks, in order: service role → ``forbidden``; no access → ``not_found``; the
        idempotency key (sender, clientNonce): the same answer again returns the original,
        another one → ``idempotency_conflict``; an unknown prompt → ``not_found``; a prompt
        answered already → ``prompt_answered``; one the flow no longer waits for (flow
        replaced, cancelled or ended) → ``prompt_stale``; values breaking the step's rules →
        ``invalid_payload`` with field details.
        """
        if not may_write_as_user(principal):
            raise Forbidden("The service role cannot answer prompts")
        fingerprint = action_fingerprint(conversation_id, message_id, prompt_id, action_id, values)
        for _ in range(RACE_RETRIES):
            try:
                async with UnitOfWork(self._store, self._publisher) as uow:
                    return await answer_prompt(
                        uow,
                        self.catalog,
                        principal,
                        conversation_id,
                        message_id,
                        prompt_id,
                        client_nonce,
                        action_id,
                        values,
                        fingerprint,
                        origin,
                        self._membership,
                    )
            except AnswerRaced:
                continue
        raise PromptAnswered()
