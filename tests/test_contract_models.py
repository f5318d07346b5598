"""Generated models agree with the contract: examples pass, bad payloads fail field by field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from chinwag_contract import models, operations, resources
from codegen.bundle import bundle_asyncapi
from codegen.schema_checks import example_errors

ROOT = Path(__file__).resolve().parent.parent
DOC = bundle_asyncapi(ROOT / "asyncapi.yaml")
MESSAGES: dict[str, Any] = DOC["components"]["messages"]
EXAMPLES = [
    pytest.param(key, index, example["payload"], id=f"{key}-{example.get('name', index)}")
    for key, message in MESSAGES.items()
    for index, example in enumerate(message["examples"])
]
CONV = "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"
ATTACHMENT = {"url": "https://x.example/a", "name": "a", "mime_type": "a/b", "size_bytes": 1}
SEND = {"tempId": "t-1", "conversationId": CONV, "text": "hi", "clientNonce": "n-1"}


def _model(key: str) -> type[BaseModel]:
    model: type[BaseModel] = getattr(models, MESSAGES[key]["payload"]["$ref"].rsplit("/", 1)[-1])
    return model


@pytest.mark.parametrize(("key", "index", "payload"), EXAMPLES)
def test_every_example_validates_against_its_model_and_json_schema(
    key: str, index: int, payload: dict[str, Any]
) -> None:
    assert example_errors(DOC, MESSAGES[key]["payload"], payload) == []
    instance = _model(key).model_validate(payload)
    assert instance.model_dump(mode="json", exclude_unset=True) == payload
    assert operations.EXAMPLES[key][index] == payload


def _errors(model: type[BaseModel], payload: Any) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(payload)
    return [(tuple(e["loc"]), e["type"]) for e in caught.value.errors()]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"tempId": None}, (("tempId",), "string_type")),
        ({"text": "x" * 10_001}, (("text",), "string_too_long")),
        ({"conversationId": "X" * 36}, (("conversationId",), "string_pattern_mismatch")),
        ({"clientNonce": b"n-1"}, (("clientNonce",), "string_type")),
        ({"extra": 1}, (("extra",), "extra_forbidden")),
        ({"attachments": [{**ATTACHMENT, "url": "http://x.example/a"}]},
         (("attachments", 0, "url"), "string_pattern_mismatch")),
        ({"attachments": [{**ATTACHMENT, "size_bytes": "5"}]},
         (("attachments", 0, "size_bytes"), "int_type")),
    ],
)  # fmt: skip
def test_chat_send_rejects_bad_fields_with_field_level_errors(
    change: dict[str, Any], expected: tuple[tuple[Any, ...], str]
) -> None:
    assert expected in _errors(models.ChatSendPayload, {**SEND, **change})


def test_missing_required_field_is_reported_by_name() -> None:
    payload = {k: v for k, v in SEND.items() if k != "clientNonce"}
    assert (("clientNonce",), "missing") in _errors(models.ChatSendPayload, payload)


def test_a_numeric_string_is_not_an_int() -> None:
    payload = {"conversationId": CONV, "afterSeq": "5"}
    assert (("afterSeq",), "int_type") in _errors(models.ChatSyncPayload, payload)


def test_chat_read_request_takes_exactly_one_of_the_two_forms() -> None:
    by_ids = models.ChatReadRequestPayload.model_validate(
        {"conversationId": CONV, "messageIds": []}
    )
    assert isinstance(by_ids.root, models.ChatReadByIds)
    up_to = models.ChatReadRequestPayload.model_validate(
        {"conversationId": CONV, "upToMessageId": CONV}
    )
    assert isinstance(up_to.root, models.ChatReadUpTo)
    with pytest.raises(ValidationError):
        models.ChatReadRequestPayload.model_validate(
            {"conversationId": CONV, "messageIds": [], "upToMessageId": CONV}
        )


def test_resource_models_are_imported_not_duplicated() -> None:
    assert models.ChatNewPayload.model_fields["message"].annotation is resources.Message
    assert not hasattr(models, "Message") or models.Message is resources.Message


def test_message_sender_id_null_is_kept_in_the_dump() -> None:
    example = copy.deepcopy(MESSAGES["chatAutomated"]["examples"][0]["payload"])
    dumped = models.ChatAutomatedPayload.model_validate(example).model_dump(mode="json")
    assert dumped["message"]["sender_id"] is None


def test_timestamps_and_ids_stay_strings() -> None:
    message = resources.Message.model_validate(
        MESSAGES["chatNew"]["examples"][0]["payload"]["message"]
    )
    assert isinstance(message.created_at, str) and isinstance(message.id, str)
