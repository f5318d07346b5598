"""What a flow definition must satisfy before it is used, beyond what its schema can see."""

from __future__ import annotations

import re

from chinwag.domain.flow.definition import FlowDefinition
from chinwag.domain.flow.walk import advance
from chinwag.domain.message import InputField


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
        # Only a well-formed graph can be walked: every next above must exist first.
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
