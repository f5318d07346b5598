"""Conversations and the campaigns they belong to."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from chinwag.domain.message import Message

ChatStatus = Literal["real_time", "automated"]
CHAT_STATUSES: tuple[ChatStatus, ...] = ("real_time", "automated")


@dataclass(frozen=True, slots=True)
class Campaign:
    """A campaign; ``member_ids`` are its staff, who may access all its conversations."""

    id: str
    name: str
    member_ids: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Conversation:
    """A conversation of one campaign between its participants."""

    id: str
    campaign_id: str
    chat_status: ChatStatus
    participant_ids: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    last_message: Message | None = None


def with_last_message(conversation: Conversation, message: Message) -> Conversation:
    """The conversation as it is right after ``message`` was stored in it."""
    return replace(conversation, last_message=message, updated_at=message.created_at)
