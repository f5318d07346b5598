"""Every generated model refuses what the contract refuses, field by field: an explicit null on an
optional non-nullable property, and a repeated item in a ``uniqueItems`` array. jsonschema over the
bundled contract is the oracle, so a new optional field is covered without editing this file.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from chinwag_contract import models, resources, rest
from codegen.bundle import bundle_asyncapi, bundle_openapi, load_yaml
from codegen.schema_checks import example_errors

ROOT = Path(__file__).resolve().parent.parent
ASYNCAPI = bundle_asyncapi(ROOT / "asyncapi.yaml")
OPENAPI = bundle_openapi(ROOT / "openapi.yaml")
SHARED = set(load_yaml(ROOT / "schemas.yaml")["$defs"])
CONV = "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"


def _home(doc: dict[str, Any], name: str) -> ModuleType:
    return resources if name in SHARED else models if doc is ASYNCAPI else rest


def _properties() -> list[tuple[dict[str, Any], type[BaseModel], str, dict[str, Any], bool]]:
    """(document, model, property, property schema, required) for every model property."""
    found = []
    seen: set[str] = set()
    for doc in (ASYNCAPI, OPENAPI):
        for name, schema in doc["components"]["schemas"].items():
            model = getattr(_home(doc, name), name, None)
            if name in seen or not isinstance(schema.get("properties"), dict):
                continue
            assert model is not None, f"no generated model for {name}"
            seen.add(name)
            required = set(schema.get("required", []))
            for prop, prop_schema in schema["properties"].items():
                found.append((doc, model, prop, prop_schema, prop in required))
    return found


PROPERTIES = _properties()


def _null_allowed(doc: dict[str, Any], schema: dict[str, Any]) -> bool:
    return example_errors(doc, schema, None) == []


def _field_errors(model: type[BaseModel], payload: dict[str, Any]) -> list[tuple[Any, str]]:
    try:
        model.model_validate(payload)
    except ValidationError as error:
        return [(e["loc"], e["type"]) for e in error.errors()]
    return []


OPTIONAL_NOT_NULLABLE = [
    pytest.param(model, prop, id=f"{model.__name__}.{prop}")
    for doc, model, prop, schema, required in PROPERTIES
    if not required and not _null_allowed(doc, schema)
]
NULLABLE = [
    pytest.param(model, prop, id=f"{model.__name__}.{prop}")
    for doc, model, prop, schema, _ in PROPERTIES
    if _null_allowed(doc, schema)
]
UNIQUE = [
    pytest.param(model, prop, id=f"{model.__name__}.{prop}")
    for _, model, prop, schema, _ in PROPERTIES
    if schema.get("uniqueItems") is True
]


def test_the_contract_has_cases_of_each_kind() -> None:
    names = {p.id for p in OPTIONAL_NOT_NULLABLE}
    assert {"ChatSendPayload.text", "ChatErrorPayload.tempId", "Conversation.unread_count"} <= names
    assert {"Message.text", "Conversation.last_message"} <= {p.id for p in NULLABLE}
    assert {"ConversationCreate.participant_ids", "Campaign.member_ids"} <= {p.id for p in UNIQUE}


@pytest.mark.parametrize(("model", "prop"), OPTIONAL_NOT_NULLABLE)
def test_explicit_null_on_an_optional_non_nullable_field_is_a_field_error(
    model: type[BaseModel], prop: str
) -> None:
    assert ((prop,), "null_forbidden") in _field_errors(model, {prop: None})


@pytest.mark.parametrize(("model", "prop"), NULLABLE)
def test_null_stays_valid_where_the_schema_allows_it(model: type[BaseModel], prop: str) -> None:
    assert not [loc for loc, _ in _field_errors(model, {prop: None}) if loc[:1] == (prop,)]


@pytest.mark.parametrize(("model", "prop"), UNIQUE)
def test_a_repeated_item_in_a_unique_items_array_is_a_field_error(
    model: type[BaseModel], prop: str
) -> None:
    assert ((prop,), "unique_items") in _field_errors(model, {prop: ["user-a", "user-b", "user-a"]})
    assert not [
        loc for loc, _ in _field_errors(model, {prop: ["user-a", "user-b"]}) if loc[:1] == (prop,)
    ]


def test_absent_optional_fields_still_default_to_none() -> None:
    payload = models.ChatSendPayload.model_validate(
        {"tempId": "t", "conversationId": CONV, "clientNonce": "n", "attachments": []}
    )
    assert payload.text is None and payload.model_fields_set == {
        "tempId",
        "conversationId",
        "clientNonce",
        "attachments",
    }


def test_chat_send_with_null_text_is_refused_with_a_message_naming_null() -> None:
    payload = {"tempId": "t", "conversationId": CONV, "clientNonce": "n", "text": None}
    with pytest.raises(ValidationError) as caught:
        models.ChatSendPayload.model_validate(payload)
    [error] = caught.value.errors()
    assert (error["loc"], error["type"], error["msg"]) == (
        ("text",),
        "null_forbidden",
        "Input should not be null",
    )


def test_length_limits_keep_their_own_error_types_next_to_the_null_check() -> None:
    payload = {"tempId": "t", "conversationId": CONV, "clientNonce": "n", "text": "x" * 10_001}
    assert (("text",), "string_too_long") in _field_errors(models.ChatSendPayload, payload)
    too_many = {"participant_ids": [f"u-{i}" for i in range(1001)]}
    assert (("participant_ids",), "too_long") in _field_errors(rest.ConversationUpdate, too_many)
