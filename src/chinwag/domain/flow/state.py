"""Where a conversation's flow is: its step, its pending prompt and the answers so far."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

FlowStatus = Literal["active", "done", "cancelled"]
Value = str | int | float
"""An answered input's value once normalised (also what a button records)."""


@dataclass(frozen=True, slots=True)
class FlowState:
    """Where a conversation's flow is: the step it waits at and the prompt it waits for."""

    conversation_id: str
    flow_id: str
    step_id: str
    status: FlowStatus
    turn: int
    prompt_id: str | None
    prompt_message_id: str | None
    data: Mapping[str, Value]
    updated_at: datetime
