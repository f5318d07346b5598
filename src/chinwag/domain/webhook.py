"""Webhook deliveries: what the outbox holds and how retries back off (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

DeliveryStatus = Literal["pending", "delivered", "dead"]
WEBHOOK_EVENTS = ("message.created", "conversation.status_changed")
MAX_BACKOFF_S = 300.0


@dataclass(frozen=True, slots=True)
class Delivery:
    """One outbox row: an event to POST to the host, and how its delivery went so far."""

    id: str
    event: str
    conversation_id: str
    message_id: str | None
    chat_status: str | None
    occurred_at: datetime
    status: DeliveryStatus
    attempts: int
    next_attempt_at: float
    last_error: str | None


def backoff_s(first_s: float, attempts: int) -> float:
    """Delay before the next try after ``attempts`` failed ones: doubling, capped at 5 min."""
    return float(min(MAX_BACKOFF_S, first_s * 2 ** max(0, attempts - 1)))
