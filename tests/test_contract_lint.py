"""The contract linter: the real contract is clean, and each rule fails on a fixture that breaks it.

Each fixture is the real bundled contract with one edit (a function below); the test asserts the
rule reports it with its id and the YAML path of the edit, and that no other rule fires for it
needlessly is not asserted (one edit can break two rules honestly).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from codegen.__main__ import main
from codegen.lint import lint, load_input
from codegen.lint_model import RULES, LintInput

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def contract() -> LintInput:
    return load_input(ROOT)


def _messages(doc: dict[str, Any]) -> dict[str, Any]:
    messages: dict[str, Any] = doc["components"]["messages"]
    return messages


def _schemas(doc: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = doc["components"]["schemas"]
    return schemas


def no_example(data: LintInput) -> None:
    _messages(data.asyncapi)["chatJoin"]["examples"] = []


def invalid_example(data: LintInput) -> None:
    _messages(data.asyncapi)["chatJoin"]["examples"][0]["payload"]["conversationId"] = "nope"


def reply_echoes_another_id(data: LintInput) -> None:
    _messages(data.asyncapi)["chatAck"]["examples"][0]["payload"]["tempId"] = "tmp-77"


def two_messages_share_a_seq(data: LintInput) -> None:
    ack = _messages(data.asyncapi)["chatActionAck"]["examples"][0]["payload"]
    ack["message"]["seq"] = 2  # the chat:automated example's prompt is seq 2


def answer_names_another_prompt(data: LintInput) -> None:
    _messages(data.asyncapi)["chatAction"]["examples"][0]["payload"]["promptId"] = "demo:welcome:1"


def open_inbound_object(data: LintInput) -> None:
    del _schemas(data.asyncapi)["ChatJoinPayload"]["additionalProperties"]


def unbounded_inbound_string(data: LintInput) -> None:
    del _schemas(data.asyncapi)["AuthenticatePayload"]["properties"]["token"]["maxLength"]


def unbounded_integer(data: LintInput) -> None:
    del _schemas(data.asyncapi)["RetryAfter"]["maximum"]


def mark_beside_ref(data: LintInput) -> None:
    props = _schemas(data.asyncapi)["ChatErrorPayload"]["properties"]
    props["details"] = {"x-chinwag-extension": True, "$ref": "#/components/schemas/FieldErrorList"}


def no_error_reply(data: LintInput) -> None:
    del _messages(data.asyncapi)["chatError"]["x-chinwag-error-reply"]


def no_error_codes(data: LintInput) -> None:
    del data.asyncapi["operations"]["chatJoin"]["x-chinwag-error-codes"]


def undeclared_example_code(data: LintInput) -> None:
    codes = data.asyncapi["operations"]["chatSend"]["x-chinwag-error-codes"]
    codes.remove("not_real_time")  # the chat:error example `notRealTime` shows it


def invalid_as_31(data: LintInput) -> None:
    data.asyncapi["operations"]["chatJoin"]["action"] = "publish"  # AsyncAPI 2's verb


def no_recipients(data: LintInput) -> None:
    del data.asyncapi["operations"]["sendChatNew"]["x-chinwag-recipients"]


def unused_schema(data: LintInput) -> None:
    _schemas(data.asyncapi)["Orphan"] = {"type": "string", "maxLength": 1}


FIXTURES: dict[str, list[tuple[Callable[[LintInput], None], str]]] = {
    "CW001": [(no_example, "components/messages/chatJoin")],
    "CW002": [(invalid_example, "components/messages/chatJoin/examples/0/payload")],
    "CW003": [(reply_echoes_another_id, "components/messages/chatAck/examples/0/payload")],
    "CW004": [
        (two_messages_share_a_seq, "chatActionAck/examples/0/payload/message"),
        (answer_names_another_prompt, "chatAction/examples/0/payload"),
    ],
    "CW010": [(open_inbound_object, "components/schemas/ChatJoinPayload")],
    "CW011": [(unbounded_inbound_string, "AuthenticatePayload/properties/token")],
    "CW020": [(no_error_reply, "operations/chatJoin/reply")],
    "CW021": [
        (no_error_codes, "operations/chatJoin/x-chinwag-error-codes"),
        (undeclared_example_code, "operations/chatSend/x-chinwag-error-codes"),
    ],
    "CW030": [(unused_schema, "components/schemas/Orphan")],
    "CW040": [(unbounded_integer, "schemas.yaml: $defs/RetryAfter")],
    "CW050": [(mark_beside_ref, "ChatErrorPayload/properties/details")],
    "CW060": [(no_recipients, "operations/sendChatNew/x-chinwag-recipients")],
    "CW070": [(invalid_as_31, "asyncapi.yaml: operations/chatJoin")],
}


def test_the_contract_breaks_no_rule(contract: LintInput) -> None:
    assert lint(contract) == []


def test_every_rule_has_a_failing_fixture() -> None:
    assert sorted(FIXTURES) == sorted(RULES)


CASES = [(rule, edit, path) for rule, cases in FIXTURES.items() for edit, path in cases]


@pytest.mark.parametrize(
    ("rule_id", "edit", "path"), CASES, ids=[f"{r}-{e.__name__}" for r, e, _ in CASES]
)
def test_each_rule_reports_its_fixture_with_id_and_yaml_path(
    contract: LintInput, rule_id: str, edit: Callable[[LintInput], None], path: str
) -> None:
    broken = copy.deepcopy(contract)
    edit(broken)
    findings = lint(broken, only={rule_id})
    assert findings, f"{rule_id} did not fire for {edit.__name__}"
    assert all(f.rule == rule_id for f in findings)
    assert any(path in f.path for f in findings), [str(f) for f in findings]
    assert all(f.message for f in findings)


def test_cli_lists_the_rules_and_lints_the_repo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--rules"]) == 0
    listed = capsys.readouterr().out
    assert all(rule_id in listed for rule_id in RULES)
    assert main(["lint", "--root", str(ROOT)]) == 0
    assert "0 finding(s)" in capsys.readouterr().out


def test_check_fails_on_a_lint_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("asyncapi.yaml", "schemas.yaml", "openapi.yaml"):
        (tmp_path / name).write_text((ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    text = (tmp_path / "asyncapi.yaml").read_text(encoding="utf-8")
    (tmp_path / "asyncapi.yaml").write_text(
        text.replace(
            'tempId: "tmp-2"\n            retryAfter', 'tempId: "tmp-8"\n            retryAfter'
        ),
        encoding="utf-8",
    )
    assert main(["lint", "--root", str(tmp_path)]) == 1
    assert "CW003" in capsys.readouterr().out


def test_docs_profile_lists_every_rule() -> None:
    profile = (ROOT / "docs" / "profile.md").read_text(encoding="utf-8")
    assert all(f"| {rule_id} |" in profile for rule_id in RULES), "docs/profile.md misses a rule"
