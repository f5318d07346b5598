"""codegen.field_checks: which fields get validators (from the schema), and the rewritten source."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from codegen.datamodel import generate_models
from codegen.field_checks import MARKER, admits_null, mark_fields
from codegen.prepare import GeneratorInput


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, False),
        ({"type": ["string", "null"]}, True),
        ({"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]}, True),
        ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, False),
        ({"$ref": "#/components/schemas/X"}, False),
        ({"type": ["string", "null"], "enum": ["a", "b"]}, False),
        ({"enum": ["a", None]}, True),
        ({"const": None}, True),
        ({"type": "string", "nullable": True}, True),
        ({"allOf": [{"type": ["string", "null"]}, {"type": "string"}]}, False),
        ({"description": "anything"}, True),
    ],
)  # fmt: skip
def test_admits_null_follows_json_schema(schema: dict[str, Any], expected: bool) -> None:
    assert admits_null(schema) is expected


def _document(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": required or [],
        "properties": properties,
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "0"},
        "paths": {},
        "components": {"schemas": {"Thing": schema}},
    }


def test_marks_only_optional_non_nullable_fields_and_unique_arrays() -> None:
    document = _document(
        {
            "a": {"type": "string"},
            "b": {"type": ["string", "null"]},
            "c": {"type": "string"},
            "d": {"type": "array", "uniqueItems": True, "items": {"type": "string"}},
        },
        required=["c", "d"],
    )
    props = mark_fields(document)["components"]["schemas"]["Thing"]["properties"]
    assert {name: prop.get(MARKER) for name, prop in props.items()} == {
        "a": ["reject_null"],
        "b": None,
        "c": None,
        "d": ["unique_items"],
    }
    assert MARKER not in document["components"]["schemas"]["Thing"]["properties"]["a"]


def test_unique_items_below_the_property_is_refused_rather_than_ignored() -> None:
    nested = {"type": "array", "items": {"type": "array", "uniqueItems": True}}
    with pytest.raises(ValueError, match=r"Thing\.grid"):
        mark_fields(_document({"grid": nested}))


@pytest.fixture(scope="module")
def thing() -> type[BaseModel]:
    """A model generated from a schema with awkward fields: renamed, unconstrained, nested."""
    document = _document(
        {
            "class": {"type": "string", "pattern": "^é+$"},
            "ratio": {"type": "number"},
            "tags": {
                "type": "array",
                "uniqueItems": True,
                "maxItems": 3,
                "items": {"type": "string"},
            },
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "inner": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"depth": {"type": "integer"}},
            },
        }
    )
    code = generate_models(GeneratorInput(document, {}))
    assert MARKER not in code
    namespace: dict[str, Any] = {}
    exec(compile(code, "thing.py", "exec"), namespace)  # our own generated source
    model: type[BaseModel] = namespace["Thing"]
    model.model_rebuild(_types_namespace=namespace)
    return model


def _errors(model: type[BaseModel], payload: dict[str, Any]) -> list[tuple[Any, str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(payload)
    return [(e["loc"], e["type"]) for e in caught.value.errors()]


@pytest.mark.parametrize("field", ["class", "ratio", "tags", "inner"])
def test_generated_model_refuses_null_on_each_kind_of_field(
    thing: type[BaseModel], field: str
) -> None:
    assert _errors(thing, {field: None}) == [((field,), "null_forbidden")]


def test_nested_inline_objects_get_the_check_too(thing: type[BaseModel]) -> None:
    assert _errors(thing, {"inner": {"depth": None}}) == [(("inner", "depth"), "null_forbidden")]


def test_constraints_still_apply_and_null_stays_valid_where_allowed(
    thing: type[BaseModel],
) -> None:
    assert _errors(thing, {"class": "e"}) == [(("class",), "string_pattern_mismatch")]
    assert _errors(thing, {"tags": ["a", "b", "a"]}) == [(("tags",), "unique_items")]
    assert _errors(thing, {"tags": ["a", "b", "c", "d"]}) == [(("tags",), "too_long")]
    assert thing.model_validate({"note": None, "class": "éé"}).model_dump(exclude_unset=True) == {
        "note": None,
        "class_": "éé",
    }
