"""A flow definition: the graph of steps, each a message plus a prompt, ``next`` or an end."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from chinwag.domain.message import InputField

TerminalAction = Literal["handoff", "end"]


@dataclass(frozen=True, slots=True)
class FlowButton:
    """A button of a prompt step: what it shows, the value it records, where it leads."""

    id: str
    label: str
    value: str
    next: str


@dataclass(frozen=True, slots=True)
class FlowStep:
    """One step: its message text and either a prompt, a ``next`` step or a terminal action."""

    id: str
    text: str
    buttons: tuple[FlowButton, ...] = ()
    inputs: tuple[InputField, ...] = ()
    next: str | None = None
    action: TerminalAction | None = None

    @property
    def is_prompt(self) -> bool:
        """True when the step waits for an answer."""
        return bool(self.buttons or self.inputs)


@dataclass(frozen=True, slots=True)
class FlowDefinition:
    """A flow: its id, first step and steps by id."""

    id: str
    title: str
    start: str
    steps: Mapping[str, FlowStep]

    def step(self, step_id: str) -> FlowStep:
        """The step ``step_id`` (KeyError when the definition has none)."""
        return self.steps[step_id]
