"""Answers to prompt steps: checking them against the step's rules, showing them, following them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chinwag.domain.flow.definition import FlowButton, FlowStep
from chinwag.domain.flow.state import Value
from chinwag.domain.message import InputField

FieldError = dict[str, Any]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Answer:
    """A validated answer: the button chosen (if any) and the input values, normalised."""

    button: FlowButton | None
    values: Mapping[str, Value] = field(default_factory=dict)


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
