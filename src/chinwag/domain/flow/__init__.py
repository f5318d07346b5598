"""Automated flows: definitions, per-conversation state, and the pure rules that drive them.

A flow is a graph of steps. A step sends one automated message; a *prompt* step (buttons
and/or inputs) then waits for the user's answer, a *terminal* step ends the flow (``handoff``
switches the conversation to real_time, ``end`` leaves it as it is), any other step goes on
to ``next`` at once. Nothing here does I/O: loading definitions and storing state live
elsewhere.

The modules: ``definition`` (the step graph), ``state`` (where a conversation's flow is),
``walk`` (advancing to the next prompt or terminal step), ``answer`` (checking and showing
an answer to a prompt) and ``check`` (what a definition must satisfy before it is used).
"""

from chinwag.domain.flow.answer import (
    Answer,
    FieldError,
    answer_text,
    check_value,
    next_step,
    validate_answer,
)
from chinwag.domain.flow.check import check_definition
from chinwag.domain.flow.definition import FlowButton, FlowDefinition, FlowStep, TerminalAction
from chinwag.domain.flow.state import FlowState, FlowStatus, Value
from chinwag.domain.flow.walk import (
    MAX_AUTOMATIC_STEPS,
    Advance,
    Outcome,
    Outgoing,
    advance,
    prompt_id_for,
)

__all__ = [
    "MAX_AUTOMATIC_STEPS",
    "Advance",
    "Answer",
    "FieldError",
    "FlowButton",
    "FlowDefinition",
    "FlowState",
    "FlowStatus",
    "FlowStep",
    "Outcome",
    "Outgoing",
    "TerminalAction",
    "Value",
    "advance",
    "answer_text",
    "check_definition",
    "check_value",
    "next_step",
    "prompt_id_for",
    "validate_answer",
]
