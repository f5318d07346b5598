"""Automated flows: definitions, per-conversation state, and the pure rules that drive them.

A flow is a graph of steps. A step sends one automated message; a *prompt* step (buttons
and/or inputs) then waits for the user's answer, a *terminal* step ends the flow (``handoff``
switches the conversation to real_time, ``end`` leaves it as it is), any other step goes on
to ``next`` at once. Nothing here does I/O: loading definitions and storing state live
elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from chinwag.domain.message import ActionData, Button, InputField

TerminalAction = Literal["handoff", "end"]
FlowStatus = Literal["active", "done", "cancelled"]
Outcome = Literal["waiting", "handoff", "end"]
Value = str | int | float
FieldError = dict[str, Any]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_AUTOMATIC_STEPS = 50
"""Most steps one advance may walk without a prompt (definitions with such a loop are refused)."""


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


@dataclass(frozen=True, slots=True)
class Answer:
    """A validated answer: the button chosen (if any) and the input values, normalised."""

    button: FlowButton | None
    values: Mapping[str, Value] = field(default_factory=dict)


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


def next_step(step: FlowStep, answer: Answer) -> str:
    """Where an answer to ``step`` leads: the chosen button's step, else the step's ``next``."""
    if answer.button is not None:
        return answer.button.next
    assert step.next is not None  # an inputs-only prompt always has next
    return step.next


def validate_answer(
    step: FlowStep, action_id: str | None, values: Mapping[str, Any] | None
) -> tuple[Answer | None, list[FieldError]]:
    """Check an answer against the step's buttons and input rules.

    Returns the normalised answer, or None and field errors (``loc`` starts with
    ``actionId`` or ``values``; ``type`` is a stable machine type, as pydantic's are).
    """
    errors: list[FieldError] = []
    button = None
    if step.buttons:
        button = next((b for b in step.buttons if b.id == action_id), None)
        if action_id is None:
            errors.append(_error(["actionId"], "choose one of the buttons", "missing"))
        elif button is None:
            errors.append(_error(["actionId"], "not a button of this prompt", "literal_error"))
    elif action_id is not None:
        errors.append(_error(["actionId"], "this prompt has no buttons", "extra_forbidden"))
    given = dict(values or {})
    known = {f.id for f in step.inputs}
    for key in sorted(set(given) - known):
        errors.append(_error(["values", key], "not an input of this prompt", "extra_forbidden"))
    clean: dict[str, Value] = {}
    for input_field in step.inputs:
        raw = given.get(input_field.id)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if input_field.required:
                errors.append(_error(["values", input_field.id], "a value is required", "missing"))
            continue
        value, problem = check_value(input_field, raw)
        if problem is not None:
            errors.append(_error(["values", input_field.id], *problem))
        else:
            assert value is not None
            clean[input_field.id] = value
    if errors:
        return None, errors
    return Answer(button, clean), []


def check_value(spec: InputField, raw: Any) -> tuple[Value | None, tuple[str, str] | None]:
    """One input value: the normalised value, or (message, type) of what is wrong."""
    if spec.type == "number":
        number = _number(raw)
        if number is None:
            return None, ("a number is required", "float_parsing")
        if spec.min is not None and number < spec.min:
            return None, (f"must be at least {_show(spec.min)}", "greater_than_equal")
        if spec.max is not None and number > spec.max:
            return None, (f"must be at most {_show(spec.max)}", "less_than_equal")
        return number, None
    if not isinstance(raw, str):
        return None, ("a string is required", "string_type")
    text = raw.strip()
    if spec.type == "select":
        if text not in {o.value for o in spec.options or ()}:
            return None, ("not one of the options", "literal_error")
        return text, None
    if spec.type == "email" and not EMAIL.match(text):
        return None, ("not an email address", "value_error")
    if spec.min is not None and len(text) < spec.min:
        return None, (f"at least {_show(spec.min)} characters", "string_too_short")
    if spec.max is not None and len(text) > spec.max:
        return None, (f"at most {_show(spec.max)} characters", "string_too_long")
    if spec.pattern is not None and re.fullmatch(spec.pattern, text) is None:
        return None, ("does not match the expected format", "string_pattern_mismatch")
    return text, None


def answer_text(step: FlowStep, answer: Answer) -> str:
    """The answer as people read it in the conversation: the button, then ``Label: value``."""
    lines = [answer.button.label] if answer.button is not None else []
    for spec in step.inputs:
        if spec.id in answer.values:
            lines.append(f"{spec.label}: {_display(spec, answer.values[spec.id])}")
    return "\n".join(lines) or "(no answer)"


def check_definition(definition: FlowDefinition) -> list[str]:
    """Problems a schema cannot see: dangling ``next``, step kinds, options, regexes, loops."""
    problems: list[str] = []
    steps = definition.steps
    if definition.start not in steps:
        problems.append(f"start step {definition.start!r} does not exist")
    for step in steps.values():
        where = f"step {step.id!r}"
        targets = [b.next for b in step.buttons] + ([step.next] if step.next else [])
        problems += [f"{where}: next step {t!r} does not exist" for t in targets if t not in steps]
        if step.action is not None and (step.is_prompt or step.next):
            problems.append(f"{where}: a terminal step has no buttons, inputs or next")
        if step.action is None and not step.buttons and step.next is None:
            problems.append(f"{where}: needs next, buttons or an action")
        if step.buttons and step.next is not None:
            problems.append(f"{where}: with buttons, each button names the next step")
        if len({b.id for b in step.buttons}) != len(step.buttons):
            problems.append(f"{where}: button ids repeat")
        if len({i.id for i in step.inputs}) != len(step.inputs):
            problems.append(f"{where}: input ids repeat")
        for spec in step.inputs:
            problems += [f"{where}, input {spec.id!r}: {p}" for p in _input_problems(spec)]
    if not problems:
        problems += _automatic_loops(definition)
    return problems


def _input_problems(spec: InputField) -> list[str]:
    problems = []
    if spec.type == "select" and not spec.options:
        problems.append("a select input needs options")
    if spec.type != "select" and spec.options:
        problems.append("only select inputs have options")
    if spec.min is not None and spec.max is not None and spec.min > spec.max:
        problems.append("min is greater than max")
    if spec.pattern is not None:
        try:
            re.compile(spec.pattern)
        except re.error as exc:
            problems.append(f"pattern does not compile: {exc}")
    return problems


def _automatic_loops(definition: FlowDefinition) -> list[str]:
    """Steps from which the flow would walk forever without asking anything."""
    problems = []
    for step_id in definition.steps:
        try:
            advance(definition, step_id, 0)
        except ValueError:
            problems.append(f"step {step_id!r}: loops without a prompt or terminal step")
    return problems


def _number(raw: Any) -> int | float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        number: int | float = raw
    elif isinstance(raw, str):
        try:
            number = float(raw.strip())
        except ValueError:
            return None
    else:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if float(number).is_integer() else float(number)


def _show(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _display(spec: InputField, value: Value) -> str:
    if spec.type == "select":
        return next((o.label for o in spec.options or () if o.value == value), str(value))
    return str(value)


def _error(loc: list[str], msg: str, kind: str) -> FieldError:
    return {"loc": loc, "msg": msg, "type": kind}
