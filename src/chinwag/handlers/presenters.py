"""Domain objects → wire dicts (the contract's snake_case resource shapes).

The emitter validates these against the generated models before anything is sent, so a
presenter bug fails loudly instead of reaching a client.
"""

from __future__ import annotations

from typing import Any

from chinwag.domain.conversation import Campaign, Conversation
from chinwag.domain.flow import FlowState
from chinwag.domain.message import ActionData, Attachment, Message, action_data_to_dict
from chinwag.domain.time import format_timestamp
from chinwag.domain.webhook import Delivery


def attachment_to_wire(attachment: Attachment) -> dict[str, Any]:
    """An attachment as the contract's Attachment."""
    return {
        "url": attachment.url,
        "name": attachment.name,
        "mime_type": attachment.mime_type,
        "size_bytes": attachment.size_bytes,
    }


def action_data_to_wire(action: ActionData | None) -> dict[str, Any] | None:
    """A prompt as the contract's ActionData (absent optional input fields omitted)."""
    return None if action is None else action_data_to_dict(action)


def message_to_wire(message: Message) -> dict[str, Any]:
    """A message as the contract's Message: every field present, nulls explicit."""
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "sender_id": message.sender_id,
        "kind": message.kind,
        "text": message.text,
        "attachments": [attachment_to_wire(a) for a in message.attachments],
        "action_data": action_data_to_wire(message.action_data),
        "client_nonce": message.client_nonce,
        "created_at": format_timestamp(message.created_at),
    }


def optional_message_to_wire(message: Message | None) -> dict[str, Any] | None:
    """A message or null."""
    return None if message is None else message_to_wire(message)


def conversation_to_wire(
    conversation: Conversation, unread_count: int | None = None
) -> dict[str, Any]:
    """A conversation as the contract's Conversation (``unread_count`` for REST lists)."""
    wire: dict[str, Any] = {
        "id": conversation.id,
        "campaign_id": conversation.campaign_id,
        "chat_status": conversation.chat_status,
        "participant_ids": list(conversation.participant_ids),
        "created_at": format_timestamp(conversation.created_at),
        "updated_at": format_timestamp(conversation.updated_at),
        "last_message": optional_message_to_wire(conversation.last_message),
    }
    if unread_count is not None:
        wire["unread_count"] = unread_count
    return wire


def campaign_to_wire(campaign: Campaign) -> dict[str, Any]:
    """A campaign as the contract's Campaign."""
    return {
        "id": campaign.id,
        "name": campaign.name,
        "member_ids": list(campaign.member_ids),
        "created_at": format_timestamp(campaign.created_at),
    }


def flow_state_to_wire(state: FlowState) -> dict[str, Any]:
    """A flow's state as the REST API's FlowState."""
    return {
        "conversation_id": state.conversation_id,
        "flow_id": state.flow_id,
        "step_id": state.step_id,
        "status": state.status,
        "prompt_id": state.prompt_id,
        "prompt_message_id": state.prompt_message_id,
        "updated_at": format_timestamp(state.updated_at),
    }


def delivery_to_wire(delivery: Delivery) -> dict[str, Any]:
    """A webhook delivery as ``WebhookDelivery`` (openapi.yaml)."""
    return {
        "id": delivery.id,
        "event": delivery.event,
        "conversation_id": delivery.conversation_id,
        "occurred_at": format_timestamp(delivery.occurred_at),
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error,
    }
