"""Answering a flow's pending prompt (``chat:action``) inside one unit of work.

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

from chinwag.domain.flow import (
    FlowDefinition,
    advance,
    answer_text,
    next_step,
    validate_answer,
)
from chinwag.domain.message import Message, NewMessage
from chinwag.domain.principal import Principal
from chinwag.errors import (
    IdempotencyConflict,
    InvalidPayload,
    NotFound,
    PromptAnswered,
    PromptStale,
)
from chinwag.services.flow_progress import record_walk
from chinwag.services.lookup import readable_conversation
from chinwag.services.membership import MembershipProvider
from chinwag.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class ActionResult:
    """The stored answer; ``duplicate`` when a retry (same clientNonce) found the original."""

    message: Message
    duplicate: bool


class AnswerRaced(Exception):
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


async def answer_prompt(
    uow: UnitOfWork,
    catalog: Mapping[str, FlowDefinition],
    principal: Principal,
    conversation_id: str,
    message_id: str,
    prompt_id: str,
    client_nonce: str,
    action_id: str | None,
    values: Mapping[str, Any] | None,
    fingerprint: str,
    origin: str | None,
    membership: MembershipProvider | None = None,
) -> ActionResult:
    """Check and record one answer in ``uow`` (checks as ``FlowService.answer`` lists them).

    Raises ``AnswerRaced`` when another answer claimed the prompt first; the caller retries
    in a fresh unit of work, where the checks then see that answer.
    """
    session = uow.session
    conversation = await readable_conversation(session, principal, conversation_id, membership)
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
    definition = catalog.get(state.flow_id)
    step = definition.steps.get(state.step_id) if definition is not None else None
    if definition is None or step is None:
        raise PromptStale("The flow of this prompt is no longer available")
    answer, errors = validate_answer(step, action_id, values)
    if answer is None:
        raise InvalidPayload("The answer breaks the prompt's rules", details=errors)
    if not await session.flows.claim(conversation_id, message_id):
        raise AnswerRaced()
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
    _, stored = await record_walk(uow, conversation, state.flow_id, walked, [reply], data, origin)
    await session.flows.record_answer(message_id, stored[0].id)
    return ActionResult(stored[0], False)
