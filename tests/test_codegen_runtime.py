"""The generated handler base and emitter behave as documented."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from chinwag_contract import asyncapi_document, models, openapi_document, operations
from chinwag_contract.emitter import (
    ConversationRoom,
    Emitter,
    Socket,
    UserRoom,
    WorkRoom,
    conversation_room,
    dump_payload,
)
from chinwag_contract.handlers import HANDLER_METHODS, ChinwagHandlers, ensure_implemented
from codegen.bundle import bundle_asyncapi
from codegen.contract import snake

CONV = "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"
CAMPAIGN = "1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
MESSAGE = operations.EXAMPLES["chatNew"][0]["message"]


class RecordingTransport:
    """A test double of our own Transport protocol: records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], list[str], str | None]] = []

    async def emit(
        self, event: str, data: dict[str, Any], *, rooms: Sequence[str], skip_sid: str | None = None
    ) -> None:
        self.calls.append((event, data, list(rooms), skip_sid))


class Incomplete(ChinwagHandlers[None]):
    async def on_authenticate(
        self, ctx: None, payload: models.AuthenticatePayload
    ) -> models.AuthenticatedPayload:
        return models.AuthenticatedPayload(userId="u")


def _receive_events() -> list[str]:
    """Wire names of the contract's client→server operations, read from asyncapi.yaml itself."""
    doc = bundle_asyncapi(Path(__file__).resolve().parent.parent / "asyncapi.yaml")
    names = []
    for op in doc["operations"].values():
        if op["action"] == "receive":
            channel, message = op["messages"][0]["$ref"].split("/")[2::2]
            key = doc["channels"][channel]["messages"][message]["$ref"].rsplit("/", 1)[-1]
            names.append(doc["components"]["messages"][key]["name"])
    return names


def test_handler_methods_cover_every_client_to_server_event() -> None:
    expected = {event: "on_" + snake(event) for event in _receive_events()}
    assert expected == HANDLER_METHODS
    assert {op.event: op.handler_method for op in operations.INBOUND.values()} == HANDLER_METHODS


def test_instantiating_an_incomplete_handler_class_names_what_the_contract_needs() -> None:
    # The start-up check's message, not Python's bare abstract-class TypeError.
    with pytest.raises(TypeError) as caught:
        Incomplete()  # type: ignore[abstract]
    message = str(caught.value)
    assert message.startswith("Incomplete does not implement the contract: ")
    assert "on_chat_send (chat:send) is abstract" in message


def test_a_handler_class_missing_methods_cannot_be_instantiated_or_pass_ensure_implemented() -> (
    None
):
    with pytest.raises(TypeError):
        Incomplete()  # type: ignore[abstract]
    with pytest.raises(TypeError) as caught:
        ensure_implemented(Incomplete)
    message = str(caught.value)
    assert "on_chat_send (chat:send) is abstract" in message
    assert "on_authenticate" not in message


def test_an_object_without_handlers_is_rejected_naming_every_method() -> None:
    with pytest.raises(TypeError) as caught:
        ensure_implemented(object())
    assert all(
        f"{name} ({event}) is missing" in str(caught.value)
        for event, name in HANDLER_METHODS.items()
    )


def test_operations_table_keeps_chat_read_directions_apart() -> None:
    assert operations.INBOUND["chat:read"].payload_model is models.ChatReadRequestPayload
    assert operations.OUTBOUND_MODELS["chat:read"] is models.ChatReadReceiptPayload
    send = operations.INBOUND["chat:send"]
    assert (send.success_reply, send.error_reply) == ("chat:ack", "chat:error")
    assert operations.INBOUND["authenticate"].error_reply == "auth_error"
    assert operations.INBOUND["chat:sync"].extension is True


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
async def test_emitter_validates_before_calling_the_transport() -> None:
    transport = RecordingTransport()
    with pytest.raises(ValidationError):
        await Emitter(transport).chat_new(
            {"message": {**MESSAGE, "seq": 0}}, to=[ConversationRoom(CONV)]
        )
    bad = models.ChatNewPayload.model_construct(message="not a message")
    with pytest.raises(ValidationError):
        await Emitter(transport).chat_new(bad, to=[ConversationRoom(CONV)])
    assert transport.calls == []


async def test_one_transport_call_for_several_rooms_with_duplicates_removed() -> None:
    transport = RecordingTransport()
    payload = {"conversation_id": CONV, "message": None, "action": "created"}
    await Emitter(transport).conversation_list_updated(
        payload, to=[WorkRoom(CAMPAIGN), UserRoom("alice"), WorkRoom(CAMPAIGN)], skip_sid="s1"
    )
    assert transport.calls == [
        ("conversation_list_updated", payload, [f"room:work:{CAMPAIGN}", "user:alice"], "s1")
    ]


async def test_unset_optional_fields_are_absent_and_explicit_nulls_are_kept() -> None:
    transport = RecordingTransport()
    automated = {**MESSAGE, "sender_id": None, "client_nonce": None, "kind": "automated"}
    error = models.ChatErrorPayload(message="no", code="not_found", event="chat:join")
    emitter = Emitter(transport)
    await emitter.chat_error(error, to=[Socket("sid-1")])
    await emitter.chat_automated({"message": automated, "reason": "r"}, to=[ConversationRoom(CONV)])
    assert transport.calls[0][1] == {"message": "no", "code": "not_found", "event": "chat:join"}
    assert transport.calls[0][2] == ["sid-1"]
    assert transport.calls[1][1]["message"]["sender_id"] is None
    assert transport.calls[1][2] == [conversation_room(CONV)]


async def test_no_targets_means_nothing_is_sent() -> None:
    transport = RecordingTransport()
    await Emitter(transport).chat_new({"message": MESSAGE}, to=[])
    assert transport.calls == []


def test_dump_payload_validates_replies_by_event_name() -> None:
    assert dump_payload("chat:joined", {"conversationId": CONV}) == {"conversationId": CONV}
    with pytest.raises(ValidationError):
        dump_payload("chat:joined", {"conversationId": CONV, "extra": 1})
    with pytest.raises(KeyError):
        dump_payload("chat:join", {"conversationId": CONV})


def test_bundled_documents_ship_as_package_data() -> None:
    assert asyncapi_document()["asyncapi"] == "3.0.0"
    assert openapi_document()["openapi"].startswith("3.1")
    assert "schemas.yaml#" not in str(asyncapi_document())
