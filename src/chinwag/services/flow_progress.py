"""Recording a flow's progress: a walk's messages, the new flow state and the chat_status.

Shared by starting a flow and answering its prompts, so both store and announce a walk the
same way inside the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chinwag.domain.conversation import ChatStatus, Conversation
from chinwag.domain.events import AutomatedMessageCreated, ChatStatusChanged, MessageCreated
from chinwag.domain.flow import Advance, FlowState
from chinwag.domain.message import Message, NewMessage
from chinwag.domain.time import utc_now
from chinwag.services.unit_of_work import UnitOfWork


async def record_walk(
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
    state = flow_state(conversation.id, flow_id, walked, prompt_message, data)
    await uow.session.flows.put(state)
    status: ChatStatus = "real_time" if walked.outcome == "handoff" else "automated"
    if walked.outcome != "end" and conversation.chat_status != status:
        changed = await uow.session.conversations.update(conversation.id, chat_status=status)
        if changed is not None:
            uow.emit(ChatStatusChanged(changed[1]))
    return state, [item.message for item in stored]


def flow_state(
    conversation_id: str,
    flow_id: str,
    walked: Advance,
    prompt_message_id: str | None,
    data: Mapping[str, Any],
) -> FlowState:
    """The state a walk leaves the conversation's flow in (``done`` unless it waits)."""
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
