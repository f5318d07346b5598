"""The flow engine's pure rules, the demo flow, flow files and the flow schema's agreement."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chinwag.domain.flow import (
    FlowButton,
    FlowDefinition,
    FlowStep,
    advance,
    answer_text,
    check_definition,
    next_step,
    validate_answer,
)
from chinwag.domain.message import InputField, InputOption
from chinwag.flow_catalog import PACKAGED_FLOWS, FlowCatalogError, load_catalog, load_flow

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo() -> FlowDefinition:
    return load_catalog(PACKAGED_FLOWS)["demo"]


def test_the_demo_flow_loads_and_starts_with_a_button_prompt(demo: FlowDefinition) -> None:
    walked = advance(demo, demo.start, 0)
    assert walked.outcome == "waiting" and walked.step_id == "welcome"
    assert walked.prompt_id == "demo:welcome:1"
    (message,) = walked.messages
    assert message.action_data is not None
    assert [b.id for b in message.action_data.buttons] == ["sales", "support", "browsing"]


def test_advance_walks_through_plain_steps_until_a_terminal_one() -> None:
    steps = {
        "a": FlowStep("a", "one", next="b"),
        "b": FlowStep("b", "two", next="c"),
        "c": FlowStep("c", "bye", action="handoff"),
    }
    walked = advance(FlowDefinition("f", "t", "a", steps), "a", 4)
    assert [m.text for m in walked.messages] == ["one", "two", "bye"]
    assert walked.outcome == "handoff" and walked.prompt_id is None and walked.turn == 4


def test_buttons_lead_to_their_step_and_unknown_or_missing_buttons_are_field_errors(
    demo: FlowDefinition,
) -> None:
    welcome = demo.step("welcome")
    answer, errors = validate_answer(welcome, "support", None)
    assert errors == [] and answer is not None
    assert next_step(welcome, answer) == "support"
    assert answer_text(welcome, answer) == "I need help"
    assert validate_answer(welcome, "nope", None)[1][0]["loc"] == ["actionId"]
    assert validate_answer(welcome, None, None)[1][0]["type"] == "missing"


@pytest.mark.parametrize(
    ("values", "loc", "kind"),
    [
        ({"seats": 3}, "email", "missing"),
        ({"email": "  ", "seats": 3}, "email", "missing"),
        ({"email": "a@b", "seats": 3}, "email", "value_error"),
        ({"email": "a@b.co", "seats": "many"}, "seats", "float_parsing"),
        ({"email": "a@b.co", "seats": True}, "seats", "float_parsing"),
        ({"email": "a@b.co", "seats": 0}, "seats", "greater_than_equal"),
        ({"email": "a@b.co", "seats": 10001}, "seats", "less_than_equal"),
        ({"email": "a@b.co", "seats": 2, "plan": "gold"}, "plan", "literal_error"),
        ({"email": "a@b.co", "seats": 2, "other": "x"}, "other", "extra_forbidden"),
        ({"email": 5, "seats": 2}, "email", "string_type"),
    ],
)
def test_input_values_are_checked_against_the_steps_rules(
    demo: FlowDefinition, values: dict[str, object], loc: str, kind: str
) -> None:
    answer, errors = validate_answer(demo.step("contact"), None, values)
    assert answer is None
    assert {"loc": ["values", loc], "type": kind} in [
        {"loc": e["loc"], "type": e["type"]} for e in errors
    ]


def test_valid_values_are_normalised_and_shown_with_labels(demo: FlowDefinition) -> None:
    contact = demo.step("contact")
    answer, errors = validate_answer(
        contact, None, {"email": " a@b.co ", "seats": "12.0", "plan": "starter"}
    )
    assert errors == [] and answer is not None
    assert dict(answer.values) == {"email": "a@b.co", "seats": 12, "plan": "starter"}
    assert answer_text(contact, answer) == "Email: a@b.co\nTeam size: 12\nPlan: Starter"
    assert next_step(contact, answer) == "confirm"


def test_text_inputs_check_length_and_pattern() -> None:
    code = InputField("code", "text", "Code", required=True, min=2, max=4, pattern="[A-Z]+")
    step = FlowStep("s", "?", inputs=(code,), next="s")
    assert validate_answer(step, None, {"code": "A"})[1][0]["type"] == "string_too_short"
    assert validate_answer(step, None, {"code": "ABCDE"})[1][0]["type"] == "string_too_long"
    assert validate_answer(step, None, {"code": "ab"})[1][0]["type"] == "string_pattern_mismatch"
    assert validate_answer(step, None, {"code": "AB"})[1] == []


def test_definition_checks_find_what_the_schema_cannot() -> None:
    select = InputField("p", "select", "Plan")
    steps = {
        "a": FlowStep("a", "?", buttons=(FlowButton("x", "X", "x", "missing"),)),
        "b": FlowStep("b", "?", inputs=(select,)),
        "c": FlowStep("c", "bye", action="end", next="a"),
        "d": FlowStep("d", "?", inputs=(InputField("t", "text", "T", pattern="("),), next="a"),
    }
    problems = "\n".join(check_definition(FlowDefinition("f", "t", "zz", steps)))
    for expected in (
        "start step 'zz' does not exist",
        "next step 'missing' does not exist",
        "step 'b': needs next, buttons or an action",
        "a select input needs options",
        "a terminal step has no buttons, inputs or next",
        "pattern does not compile",
    ):
        assert expected in problems


def test_a_loop_without_a_prompt_is_refused() -> None:
    steps = {"a": FlowStep("a", "1", next="b"), "b": FlowStep("b", "2", next="a")}
    assert check_definition(FlowDefinition("f", "t", "a", steps)) == [
        "step 'a': loops without a prompt or terminal step",
        "step 'b': loops without a prompt or terminal step",
    ]


def test_flow_files_are_validated_against_the_contract_schema(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "id: bad\ntitle: t\nstart: a\nsteps:\n  a: {text: hi, colour: red}\n"
    )
    with pytest.raises(FlowCatalogError, match=r"steps/a/colour"):
        load_flow(tmp_path / "bad.yaml")
    (tmp_path / "bad.yaml").write_text(
        "id: bad\ntitle: t\nstart: a\nsteps:\n  a: {text: hi, next: b}\n"
    )
    with pytest.raises(FlowCatalogError, match="next step 'b' does not exist"):
        load_catalog(tmp_path)


def test_two_files_with_one_flow_id_are_refused(tmp_path: Path) -> None:
    flow = "id: x\ntitle: t\nstart: a\nsteps:\n  a: {text: hi, action: end}\n"
    (tmp_path / "one.yaml").write_text(flow)
    (tmp_path / "two.yaml").write_text(flow)
    with pytest.raises(FlowCatalogError, match="defined twice"):
        load_catalog(tmp_path)


def test_flow_inputs_and_buttons_match_the_action_data_shapes_of_the_contract() -> None:
    """A flow input becomes action_data's InputField and a button its Button: no drift allowed."""
    flows = yaml.safe_load((REPO / "flows.schema.yaml").read_text())["$defs"]
    shared = yaml.safe_load((REPO / "schemas.yaml").read_text())["$defs"]
    assert flows["FlowInput"]["properties"].keys() == shared["InputField"]["properties"].keys()
    assert (
        flows["FlowInput"]["properties"]["type"]["enum"]
        == shared["InputField"]["properties"]["type"]["enum"]
    )
    for name in ("id", "label", "value"):
        flow_field = dict(flows["FlowButton"]["properties"][name])
        shared_field = dict(shared["Button"]["properties"][name])
        flow_field.pop("description"), shared_field.pop("description")
        assert flow_field == shared_field, name
    assert InputOption("v", "l") == InputOption(value="v", label="l")
