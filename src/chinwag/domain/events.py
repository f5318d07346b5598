"""Domain events: what happened, published only after the transaction commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chinwag.domain.conversation import Campaign, Conversation
from chinwag.domain.message import Message


@dataclass(frozen=True, slots=True)
class MessageCreated:
    """A user message was stored; ``origin`` is the sending socket id (skipped on fan-out)."""

    message: Message
    conversation: Conversation
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class AutomatedMessageCreated:
    """An automated (flow) message was stored."""

    message: Message
    conversation: Conversation
    reason: str


@dataclass(frozen=True, slots=True)
class MessagesRead:
    """A reader newly read ``message_ids`` (possibly none) of a conversation."""

    conversation_id: str
    campaign_id: str
    reader_id: str
    message_ids: tuple[str, ...]
    read_at: datetime
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class ConversationCreated:
    """A conversation was created."""

    conversation: Conversation


@dataclass(frozen=True, slots=True)
class ChatStatusChanged:
    """A conversation's chat_status changed (REST or flow hand-off)."""

    conversation: Conversation


@dataclass(frozen=True, slots=True)
class ParticipantsChanged:
    """A conversation's participants changed."""

    conversation: Conversation
    removed_user_ids: tuple[str, ...]
    added_user_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CampaignMembersChanged:
    """A campaign's members changed."""

    campaign: Campaign
    removed_user_ids: tuple[str, ...]
    added_user_ids: tuple[str, ...]


DomainEvent = (
    MessageCreated
    | AutomatedMessageCreated
    | MessagesRead
    | ConversationCreated
    | ChatStatusChanged
    | ParticipantsChanged
    | CampaignMembersChanged
)
"""Any domain event."""
