"""The contract files themselves: official schemas, the seed protocol, shared resource schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codegen.bundle import bundle_asyncapi, bundle_openapi, load_yaml
from codegen.validate import asyncapi_problems, openapi_problems

ROOT = Path(__file__).resolve().parent.parent
ASYNCAPI = ROOT / "asyncapi.yaml"
OPENAPI = ROOT / "openapi.yaml"
SHARED = ("Message", "Conversation", "Campaign", "Attachment", "Error")

# The seed protocol (seed/socketio-implementation-summary.md):
# (event, direction) → {field: required}.
SEED: dict[tuple[str, str], dict[str, bool]] = {
    ("authenticate", "c2s"): {"token": True},
    ("chat:join", "c2s"): {"conversationId": True},
    ("chat:leave", "c2s"): {"conversationId": True},
    ("chat:send", "c2s"): {
        "tempId": True,
        "conversationId": True,
        "text": False,
        "attachments": False,
        "clientNonce": True,
    },
    ("chat:read", "c2s"): {"conversationId": True, "messageIds": False, "upToMessageId": False},
    ("work:join", "c2s"): {"campaignId": True},
    ("work:leave", "c2s"): {"campaignId": True},
    ("authenticated", "s2c"): {"userId": True},
    ("auth_error", "s2c"): {"message": True},
    ("chat:joined", "s2c"): {"conversationId": True},
    ("chat:error", "s2c"): {"message": True, "tempId": False},
    ("chat:ack", "s2c"): {"tempId": True, "message": True},
    ("chat:new", "s2c"): {"message": True},
    ("chat:automated", "s2c"): {"message": True, "reason": True},
    ("chat:read", "s2c"): {"messageIds": True, "readerId": True, "readAt": True},
    ("conversation_list_updated", "s2c"): {
        "conversation_id": True,
        "message": True,
        "action": True,
    },
}


@pytest.fixture(scope="module")
def bundled() -> dict[str, Any]:
    return bundle_asyncapi(ASYNCAPI)


def _fields(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, tuple[bool, bool]]:
    """field → (required, extension); the union of the branches for a oneOf payload."""
    branches = schema.get("oneOf") or [schema]
    resolved = [
        doc["components"]["schemas"][b["$ref"].rsplit("/", 1)[-1]] if "$ref" in b else b
        for b in branches
    ]
    result: dict[str, tuple[bool, bool]] = {}
    for branch in resolved:
        for name, prop in branch["properties"].items():
            always = all(name in b.get("required", []) for b in resolved)
            result[name] = (always, bool(prop.get("x-chinwag-extension", False)))
    return result


def _events(doc: dict[str, Any]) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    inbound = {
        ref["$ref"].rsplit("/", 1)[-1]
        for op in doc["operations"].values()
        if op["action"] == "receive"
        for ref in op["messages"]
    }
    out = {}
    for key, message in doc["components"]["messages"].items():
        direction = "c2s" if key in inbound else "s2c"
        payload = doc["components"]["schemas"][message["payload"]["$ref"].rsplit("/", 1)[-1]]
        out[(message["name"], direction)] = (key, {**message, "_payload": payload})
    return out


def test_asyncapi_is_valid_against_the_official_3_0_0_schema_and_our_checks(
    bundled: dict[str, Any],
) -> None:
    assert asyncapi_problems(bundled) == []


def test_openapi_passes_openapi_spec_validator_and_our_checks() -> None:
    assert openapi_problems(OPENAPI, bundle_openapi(OPENAPI)) == []


def test_seed_events_declare_exactly_the_seed_fields_plus_marked_extensions(
    bundled: dict[str, Any],
) -> None:
    events = _events(bundled)
    for (event, direction), seed_fields in SEED.items():
        assert (event, direction) in events, f"seed event {event} ({direction}) missing"
        _, message = events[(event, direction)]
        fields = _fields(bundled, message["_payload"])
        for name, required in seed_fields.items():
            assert name in fields, f"{event}: seed field {name} missing"
            assert fields[name][0] == required, f"{event}: {name} required should be {required}"
            assert not fields[name][1], f"{event}: seed field {name} marked as an extension"
        extra = {name for name in fields if name not in seed_fields}
        unmarked = sorted(name for name in extra if not fields[name][1])
        assert unmarked == [], f"{event}: fields beyond the seed not marked x-chinwag-extension"


def test_every_event_beyond_the_seed_is_marked_as_an_extension(bundled: dict[str, Any]) -> None:
    for (event, direction), (key, message) in _events(bundled).items():
        if (event, direction) not in SEED:
            assert message.get("x-chinwag-extension") is True, f"{key} ({event}) is not marked"


def test_every_operation_beyond_the_seed_is_marked_as_an_extension(
    bundled: dict[str, Any],
) -> None:
    messages = bundled["components"]["messages"]
    channels = bundled["channels"]
    for op_id, op in bundled["operations"].items():
        channel = channels[op["channel"]["$ref"].rsplit("/", 1)[-1]]
        for ref in op["messages"]:
            key = channel["messages"][ref["$ref"].rsplit("/", 1)[-1]]["$ref"].rsplit("/", 1)[-1]
            if messages[key].get("x-chinwag-extension"):
                assert op.get("x-chinwag-extension") is True, f"{op_id} sends an extension"


def _defines(node: Any, name: str, path: str = "") -> list[str]:
    """Paths where ``name`` is defined as a schema (a mapping key whose value is not a $ref)."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}/{key}"
            if key == name and isinstance(value, dict) and set(value) - {"$ref", "description"}:
                found.append(here)
            found += _defines(value, name, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += _defines(item, name, f"{path}/{index}")
    return found


@pytest.mark.parametrize("contract", ["asyncapi.yaml", "openapi.yaml"])
def test_shared_resource_schemas_are_referenced_not_copied(contract: str) -> None:
    doc = load_yaml(ROOT / contract)
    for name in SHARED:
        assert _defines(doc, name) == [], f"{contract} redefines {name}"
    assert "$defs" not in doc
    assert "./schemas.yaml#/$defs/Message" in (ROOT / contract).read_text(encoding="utf-8")


def test_error_code_enum_equals_chinwag_errors() -> None:
    errors = pytest.importorskip("chinwag.errors", reason="src/chinwag/errors.py not written yet")
    enum = load_yaml(ROOT / "schemas.yaml")["$defs"]["ErrorCode"]["enum"]
    assert tuple(enum) == errors.ERROR_CODES


def test_generated_error_codes_follow_the_contract() -> None:
    from chinwag_contract.operations import ERROR_CODES

    assert list(ERROR_CODES) == load_yaml(ROOT / "schemas.yaml")["$defs"]["ErrorCode"]["enum"]
