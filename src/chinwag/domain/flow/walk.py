"""Walking a flow: from a step, the messages it sends until a prompt or a terminal step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from chinwag.domain.flow.definition import FlowDefinition
from chinwag.domain.message import ActionData, Button

Outcome = Literal["waiting", "handoff", "end"]

MAX_AUTOMATIC_STEPS = 50
"""Most steps one advance may walk without a prompt (definitions with such a loop are refused)."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """An automated message a step sends (``action_data`` for prompt steps)."""

    step_id: str
    text: str
    action_data: ActionData | None


@dataclass(frozen=True, slots=True)
class Advance:
    """What walking the flow from a step produced: messages and where it stopped."""

    messages: tuple[Outgoing, ...]
    step_id: str
    outcome: Outcome
    turn: int

    @property
    def prompt_id(self) -> str | None:
        """The prompt the flow now waits for (None once it ended)."""
        last = self.messages[-1].action_data if self.messages else None
        return last.prompt_id if self.outcome == "waiting" and last is not None else None


def prompt_id_for(flow_id: str, step_id: str, turn: int) -> str:
    """A prompt id unique within the conversation's flow runs (the turn counts prompts)."""
    return f"{flow_id}:{step_id}:{turn}"


def advance(definition: FlowDefinition, step_id: str, turn: int) -> Advance:
    """Walk from ``step_id`` until a prompt or a terminal step; ``turn`` numbers the prompt."""
    sent: list[Outgoing] = []
    current = definition.step(step_id)
    for _ in range(MAX_AUTOMATIC_STEPS):
        if current.is_prompt:
            turn += 1
            prompt = ActionData(
                prompt_id=prompt_id_for(definition.id, current.id, turn),
                buttons=tuple(Button(b.id, b.label, b.value) for b in current.buttons),
                inputs=current.inputs,
            )
            sent.append(Outgoing(current.id, current.text, prompt))
            return Advance(tuple(sent), current.id, "waiting", turn)
        sent.append(Outgoing(current.id, current.text, None))
        if current.action is not None:
            return Advance(tuple(sent), current.id, current.action, turn)
        assert current.next is not None  # check_definition guarantees it
        current = definition.step(current.next)
    raise ValueError(f"flow {definition.id!r}: no prompt within {MAX_AUTOMATIC_STEPS} steps")
