"""The flow engine's use cases: start a flow, answer its prompts (``chat:action``).

Everything one answer changes happens in ONE transaction: the user's answer message, the
flow's next automated messages (consecutive seqs), the flow state and, on hand-off, the
chat_status. Events are published after the commit (``UnitOfWork``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chinwag.domain.access import may_manage, may_write_as_user
from chinwag.domain.conversation import ChatStatus, Conversation
from chinwag.domain.events import AutomatedMessageCreated, ChatStatusChanged, MessageCreated
from chinwag.domain.flow import (
    Advance,
    FlowDefinition,
    FlowState,
    advance,
    answer_text,
    next_step,
    validate_answer,
)
from chinwag.domain.message import Message, NewMessage
from chinwag.domain.principal import Principal
from chinwag.domain.time import utc_now
from chinwag.errors import (
    Forbidden,
    IdempotencyConflict,
    InvalidPayload,
    NotFound,
    PromptAnswered,
    PromptStale,
)
from chinwag.services.lookup import readable_conversation
from chinwag.services.ports import Store
from chinwag.services.publisher import Publisher
from chinwag.services.unit_of_work import UnitOfWork

RACE_RETRIES = 3


@dataclass(frozen=True, slots=True)
class ActionResult:
    """The stored answer; ``duplicate`` when a retry (same clientNonce) found the original."""

    message: Message
    duplicate: bool


class _Raced(Exception):
    """Another answer claimed the prompt between our checks and our claim: check again."""


def action_fingerprint(
    conversation_id: str,
    message_id: str,
    prompt_id: str,
    action_id: str | None,
    values: Mapping[str, Any] | None,
) -> str:
    """What makes a chat:action retry "the same answer" (stored as the message's hash)."""
    canonical = json.dumps(
        ["chat:action", conversation_id, message_id, prompt_id, action_id, values or {}],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class FlowService:
    """Starts flows and records answers to their prompts."""

    def __init__(
        self, store: Store, publisher: Publisher, catalog: Mapping[str, FlowDefinition]
    ) -> None:
        self._store = store
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
        await flows.put(_state(conversation.id, definition.id, walked, None, {}))
        state, _ = await self._apply(uow, conversation, definition.id, walked, [], {})
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
                    return await self._answer(
                        uow,
                        principal,
                        conversation_id,
                        message_id,
                        prompt_id,
                        client_nonce,
                        action_id,
                        values,
                        fingerprint,
                        origin,
                    )
            except _Raced:
                continue
        raise PromptAnswered()

    async def _answer(
        self,
        uow: UnitOfWork,
        principal: Principal,
        conversation_id: str,
        message_id: str,
        prompt_id: str,
        client_nonce: str,
        action_id: str | None,
        values: Mapping[str, Any] | None,
        fingerprint: str,
        origin: str | None,
    ) -> ActionResult:
        session = uow.session
        conversation = await readable_conversation(session, principal, conversation_id)
        earlier = await session.flows.sent(principal.user_id, client_nonce)
        if earlier is not None:
            if earlier[1] != fingerprint:
                raise IdempotencyConflict()
            return ActionResult(earlier[0], True)
        prompt = await session.messages.get(message_id)
        if (
            prompt is None
            or prompt.conversation_id != conversation_id
            or prompt.action_data is None
            or prompt.action_data.prompt_id != prompt_id
        ):
            raise NotFound("Prompt not found")
        if await session.flows.answer_of(message_id) is not None:
            raise PromptAnswered()
        state = await session.flows.get(conversation_id)
        if state is None or state.status != "active" or state.prompt_message_id != message_id:
            raise PromptStale()
        definition = self.catalog.get(state.flow_id)
        step = definition.steps.get(state.step_id) if definition is not None else None
        if definition is None or step is None:
            raise PromptStale("The flow of this prompt is no longer available")
        answer, errors = validate_answer(step, action_id, values)
        if answer is None:
            raise InvalidPayload("The answer breaks the prompt's rules", details=errors)
        if not await session.flows.claim(conversation_id, message_id):
            raise _Raced()
        walked = advance(definition, next_step(step, answer), state.turn)
        reply = NewMessage(
            conversation_id=conversation_id,
            sender_id=principal.user_id,
            kind="user",
            text=answer_text(step, answer),
            client_nonce=client_nonce,
            fingerprint=fingerprint,
        )
        data = dict(state.data) | dict(answer.values)
        if answer.button is not None:
            data[step.id] = answer.button.value
        _, stored = await self._apply(
            uow, conversation, state.flow_id, walked, [reply], data, origin
        )
        await session.flows.record_answer(message_id, stored[0].id)
        return ActionResult(stored[0], False)

    async def _apply(
        self,
        uow: UnitOfWork,
        conversation: Conversation,
        flow_id: str,
        walked: Advance,
        before: list[NewMessage],
        data: Mapping[str, Any],
        origin: str | None = None,
    ) -> tuple[FlowState, list[Message]]:
        """Store ``before`` + the walk's messages, the new state and status; queue the events."""
        automated = [
            NewMessage(conversation.id, None, "automated", o.text, action_data=o.action_data)
            for o in walked.messages
        ]
        stored = list(await uow.session.flows.append([*before, *automated]))
        for item in stored[: len(before)]:
            uow.emit(MessageCreated(item.message, item.conversation, origin))
        for item, out in zip(stored[len(before) :], walked.messages, strict=True):
            uow.emit(AutomatedMessageCreated(item.message, item.conversation, out.step_id))
        prompt_message = stored[-1].message.id if walked.outcome == "waiting" else None
        state = _state(conversation.id, flow_id, walked, prompt_message, data)
        await uow.session.flows.put(state)
        status: ChatStatus = "real_time" if walked.outcome == "handoff" else "automated"
        if walked.outcome != "end" and conversation.chat_status != status:
            changed = await uow.session.conversations.update(conversation.id, chat_status=status)
            if changed is not None:
                uow.emit(ChatStatusChanged(changed[1]))
        return state, [item.message for item in stored]


def _state(
    conversation_id: str,
    flow_id: str,
    walked: Advance,
    prompt_message_id: str | None,
    data: Mapping[str, Any],
) -> FlowState:
    return FlowState(
        conversation_id=conversation_id,
        flow_id=flow_id,
        step_id=walked.step_id,
        status="active" if walked.outcome == "waiting" else "done",
        turn=walked.turn,
        prompt_id=walked.prompt_id,
        prompt_message_id=prompt_message_id,
        data=dict(data),
        updated_at=utc_now(),
    )
