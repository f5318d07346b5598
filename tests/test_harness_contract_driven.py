"""The harness is driven by the contract: pieces checked offline, and a new event exercised live.

The last test adds an operation with an example to a copy of asyncapi.yaml and shows the harness
replays, generates and authorizes it with no new harness code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from contract_tests.binding import Binder
from contract_tests.fixture import DEFAULT_FIXTURE, load_fixture
from contract_tests.generate import draw_valid
from contract_tests.invalid import NO_PAYLOAD, invalid_cases
from contract_tests.runner import DEFAULT_SPEC
from contract_tests.spec import load_contract
from contract_tests.testing import Harness, harness_fixture
from contract_tests.validate import EventValidator
from contract_tests.world import World

__all__ = ["harness_fixture"]

CONV = "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"


def test_every_declared_reply_of_every_request_is_split_into_success_and_error() -> None:
    contract = load_contract(DEFAULT_SPEC)
    for op in contract.requests.values():
        assert op.success_replies and op.error_replies, op.key


def test_every_outbound_example_passes_the_strict_validator() -> None:
    contract = load_contract(DEFAULT_SPEC)
    validator = EventValidator(contract)
    for specs in contract.outbound.values():
        for spec in specs:
            for _, example in spec.examples:
                assert validator.event(spec.name, (example,)) == (spec, [])


def test_the_validator_rejects_unknown_events_extra_fields_and_extra_arguments() -> None:
    validator = EventValidator(load_contract(DEFAULT_SPEC))
    assert validator.event("chat:typing", ({},))[1] == ["undeclared event 'chat:typing'"]
    assert validator.event("chat:joined", ({"conversationId": CONV, "x": 1},))[1]
    assert validator.event("chat:joined", ({"conversationId": CONV}, 2))[1]


def test_generated_valid_payloads_validate_and_contain_no_nul() -> None:
    for op in load_contract(DEFAULT_SPEC).requests.values():
        drawn = draw_valid(op.request.schema, 20, seed_value=1, derandomize=True)
        assert drawn, op.key
        validator = Draft202012Validator(op.request.schema)
        for payload in drawn:
            assert validator.is_valid(payload)
            assert "\x00" not in repr(payload)


def test_invalid_cases_break_the_schema_and_cover_every_kind() -> None:
    op = load_contract(DEFAULT_SPEC).requests["chatSend"]
    bases = [example for _, example in op.request.examples]
    cases = invalid_cases(op.request.schema, bases, [{"conversationId": CONV}])
    validator = Draft202012Validator(op.request.schema)
    kinds = {case.kind.split(":")[0] for case in cases}
    assert kinds == {
        "missing",
        "extra-field",
        "over-limit",
        "under-limit",
        "wrong-type",
        "non-object",
        "wrong-shape",
    }
    for case in cases:
        assert case.payload is NO_PAYLOAD or not validator.is_valid(case.payload), case.kind


def test_bindings_replace_ids_at_any_depth_and_make_nonces_unique() -> None:
    fixture = load_fixture()
    world = World(run_id="r1")
    world.values.update(
        {"conversations.main.id": "C", "campaigns.main.id": "K", "messages.welcome.id": "M"}
    )
    binder = Binder(fixture, world)
    payload: dict[str, Any] = {"conversationId": CONV, "messageIds": ["a", "b"], "clientNonce": "n"}
    first, second = binder.bind(payload, "T"), binder.bind(payload, "T")
    assert first["conversationId"] == "C" and first["messageIds"] == ["M", "M"]
    assert first["clientNonce"] != second["clientNonce"]
    assert binder.bind({"token": "fake"}, "T") == {"token": "T"}


def test_per_operation_bindings_take_setup_responses_and_ensure_fields() -> None:
    fixture = load_fixture()
    world = World(run_id="r1")
    world.values.update({"conversations.main.id": "C", "conversations.flow.id": "F"})
    setup = {
        "flow": {"prompt_message_id": "PM", "prompt_id": "demo:welcome:7"},
        "prompt": {"items": [{"action_data": {"buttons": [{"id": "sales"}, {"id": "x"}]}}]},
    }
    binder = Binder(fixture, world)
    raw = {"conversationId": CONV, "messageId": CONV, "promptId": "p", "clientNonce": "n"}
    bound = binder.bind(raw, "T", "chatAction", {"setup": setup})
    assert bound["conversationId"] == "F"  # the operation's own binding wins
    assert (bound["messageId"], bound["promptId"]) == ("PM", "demo:welcome:7")
    assert bound["actionId"] == "sales"  # `ensure`: added although the payload lacked it
    # Other operations keep the global bindings and get no ensured fields.
    assert binder.bind(raw, "T", "chatSend")["conversationId"] == "C"
    assert "actionId" not in binder.bind(raw, "T", "chatSend")
    assert world.get("setup.prompt.items.-1.action_data.buttons.1.id", {"setup": setup}) == "x"
    # An observer's join binds its own conversation (the flow room) over the global binding.
    peer = next(o for o in fixture.observers if o.name == "peer")
    assert [key for key, _ in peer.join] == ["chatJoin", "chatJoin"]
    assert binder.bind({"conversationId": CONV}, "T", "chatJoin", None, peer.join[1][1]) == {
        "conversationId": "F"
    }
    path = "/api/conversations/{conversations.flow.id}/x/{setup.flow.prompt_id}"
    assert world.render(path, {"setup": setup}) == "/api/conversations/F/x/demo:welcome:7"


def test_chat_action_success_path_accepts_only_answers_the_welcome_prompt_can_take() -> None:
    rules = load_fixture().rules("chatAction")
    assert rules.setup and rules.setup[0].status == (201,)
    assert rules.success_path is not None
    on_path = Draft202012Validator(rules.success_path)
    assert on_path.is_valid({"actionId": "sales"})
    assert on_path.is_valid({"actionId": "sales", "values": {}})
    assert not on_path.is_valid({"actionId": "sales", "values": {"email": "a@b.co"}})
    assert load_fixture().semantic_codes_for("chatAction") == ["invalid_payload"]


def test_the_fixture_loader_rejects_unknown_operation_rules(tmp_path: Path) -> None:
    raw = yaml.safe_load(DEFAULT_FIXTURE.read_text())
    raw["operations"]["chatAction"]["setpu"] = []
    bad = tmp_path / "fixture.yaml"
    bad.write_text(yaml.safe_dump(raw))
    with pytest.raises(ValueError, match="unknown keys"):
        load_fixture(bad)
    del raw["operations"]["chatAction"]["setpu"]
    raw["operations"]["chatAction"]["setup"][0].pop("path")
    bad.write_text(yaml.safe_dump(raw))
    with pytest.raises(ValueError, match="needs method and path"):
        load_fixture(bad)


def _spec_with_ping(tmp_path: Path) -> Path:
    """A copy of asyncapi.yaml with one more request operation: chat:ping → chat:pong."""
    doc = yaml.safe_load(DEFAULT_SPEC.read_text())
    doc["channels"]["socket"]["messages"].update(
        chatPing={"$ref": "#/components/messages/chatPing"},
        chatPong={"$ref": "#/components/messages/chatPong"},
    )
    doc["operations"]["chatPing"] = {
        "action": "receive",
        "channel": {"$ref": "#/channels/socket"},
        "messages": [{"$ref": "#/channels/socket/messages/chatPing"}],
        "reply": {
            "channel": {"$ref": "#/channels/socket"},
            "messages": [
                {"$ref": "#/channels/socket/messages/chatPong"},
                {"$ref": "#/channels/socket/messages/chatError"},
            ],
        },
    }
    body = {"$ref": "#/components/schemas/ChatJoinPayload"}
    doc["components"]["messages"]["chatPing"] = {
        "name": "chat:ping",
        "payload": body,
        "examples": [{"name": "ping", "payload": {"conversationId": CONV}}],
    }
    doc["components"]["messages"]["chatPong"] = {"name": "chat:pong", "payload": body}
    spec = tmp_path / "asyncapi.yaml"
    spec.write_text(yaml.safe_dump(doc, sort_keys=False))
    (tmp_path / "schemas.yaml").write_text(DEFAULT_SPEC.with_name("schemas.yaml").read_text())
    return spec


def test_a_new_event_with_an_example_is_exercised_without_new_harness_code(
    harness: Harness, tmp_path: Path
) -> None:
    spec = _spec_with_ping(tmp_path)
    assert "chatPing" in load_contract(spec).requests
    report = harness(spec=spec, operations=("chatPing",))
    stats = report.stats("chatPing")
    assert stats.examples == 1
    assert stats.valid == 5
    assert stats.invalid > 10
    assert stats.authorization == len(load_fixture().auth_rows)
    # The server does not implement chat:ping, so the run fails, naming the missing reply.
    assert not report.ok
    assert stats.errors["unknown_event"] > 0
    assert "chatPing: declared reply 'chat:pong' (chatPong) never seen" in report.coverage_gaps()
