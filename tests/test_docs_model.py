"""The docs model reads the bundled contract faithfully: events, directions, rooms, error codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.bundle import bundle_asyncapi
from codegen.docs_model import RESOURCE_NAMES, DocModel, build_model, load_docs_document
from codegen.docs_schema import TypeExpr

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    """asyncapi.yaml as written, to check the model against."""
    data: dict[str, Any] = yaml.safe_load((REPO / "asyncapi.yaml").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def model() -> DocModel:
    return build_model(load_docs_document(REPO / "asyncapi.yaml"))


def test_every_contract_message_is_an_event_with_its_wire_name(
    model: DocModel, raw: dict[str, Any]
) -> None:
    messages = raw["components"]["messages"]
    assert {e.key: e.name for e in model.events} == {k: m["name"] for k, m in messages.items()}


def test_direction_follows_the_operations(model: DocModel, raw: dict[str, Any]) -> None:
    received = {
        ref["$ref"].rsplit("/", 1)[-1]
        for op in raw["operations"].values()
        if op["action"] == "receive"
        for ref in op["messages"]
    }
    for event in model.events:
        expected = "client_to_server" if event.key in received else "server_to_client"
        assert event.direction == expected, event.key


def test_chat_read_travels_both_ways_with_different_payloads(model: DocModel) -> None:
    reads = {e.direction: e.payload for e in model.events if e.name == "chat:read"}
    assert reads == {
        "client_to_server": "ChatReadRequestPayload",
        "server_to_client": "ChatReadReceiptPayload",
    }


def test_room_events_list_their_rooms(model: DocModel) -> None:
    addresses = {c.key: c.address for c in model.channels}
    receipt = model.event("chatReadReceipt")
    assert {addresses[c] for c in receipt.channels} == {"/", "room:{conversationId}"}
    updated = model.event("conversationListUpdated")
    assert {addresses[c] for c in updated.channels} == {"room:work:{campaignId}", "user:{userId}"}


def test_every_client_event_declares_a_success_reply(model: DocModel) -> None:
    for event in model.by_direction("client_to_server"):
        success = [r for r in event.replies if not model.is_error_event(model.event(r))]
        assert len(success) == 1, event.key


def test_every_error_code_has_a_meaning(model: DocModel) -> None:
    shared = yaml.safe_load((REPO / "schemas.yaml").read_text(encoding="utf-8"))
    enum = shared["$defs"]["ErrorCode"]["enum"]
    assert [c.code for c in model.error_codes] == enum
    assert all(c.meaning for c in model.error_codes), [c.code for c in model.error_codes]


def test_nullable_and_optional_fields_are_told_apart(model: DocModel) -> None:
    message = {f.name: f for f in model.schema("Message").fields}
    assert message["sender_id"].required and message["sender_id"].type.nullable
    send = {f.name: f for f in model.schema("ChatSendPayload").fields}
    assert not send["text"].required and not send["text"].type.nullable
    assert send["attachments"].type == TypeExpr("ref", "AttachmentList")


def test_extension_marks_reach_fields_and_events(model: DocModel) -> None:
    error = {f.name: f for f in model.schema("ChatErrorPayload").fields}
    assert error["retryAfter"].extension and not error["message"].extension
    assert model.event("chatSync").extension and not model.event("chatSend").extension


def test_docs_document_carries_every_resource(model: DocModel) -> None:
    assert [s.name for s in model.resources] == list(RESOURCE_NAMES)


def test_plain_bundle_still_builds_a_model() -> None:
    model = build_model(bundle_asyncapi(REPO / "asyncapi.yaml"))
    assert {"Message", "Attachment", "ActionData", "Error"} <= {s.name for s in model.resources}


def test_session_flow_only_uses_contract_events(model: DocModel) -> None:
    keys = {e.key for e in model.events}
    used = {s.event_key for s in model.session if s.event_key}
    assert used <= keys
    assert {"authenticate", "chatSend", "chatAck", "chatNew", "chatReadReceipt"} <= used
