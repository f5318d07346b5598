"""Checks the generator leaves out: null on optional fields, ``uniqueItems``, ``1.0``, dates.

datamodel-code-generator types an optional property ``X | None = None`` whether or not its schema
allows null, so ``{"text": null}`` would pass where the contract says ``type: string``; and it
ignores ``uniqueItems``. The fix works in two steps, both decided from the schemas:

1. :func:`mark_fields` tags each such property of the generator input with :data:`MARKER`
   (``--field-extra-keys`` carries the tag into that field's ``Field(json_schema_extra=...)``);
2. :func:`codegen.field_rewrite.apply_field_checks` replaces each tag in the generated source
   with the validators from ``chinwag_contract._validators`` (a copy of
   ``codegen.template_validators``), placed after ``Field()`` so that pydantic still applies the
   length and range constraints natively:
   ``Annotated[StrictStr | None, Field(max_length=10000), BeforeValidator(reject_null)] = None``.

This module holds step 1 and the names both steps share.

A missing key keeps its ``None`` default without running the validator (defaults are not validated).
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = [
    "FIELD_FLAGS",
    "MARKER",
    "VALIDATORS_MODULE",
    "admits_null",
    "mark_fields",
]

MARKER = "x-chinwag-validators"
FIELD_FLAGS: tuple[str, ...] = ("--field-extra-keys", MARKER)
VALIDATORS_MODULE = "_validators"
"""The module (in the generated package) that holds the validators."""

_NOT_SCHEMAS = ("examples", "example", "default", "const", "enum")


def admits_null(schema: Any) -> bool:
    """True when ``null`` is valid against ``schema`` (refs point at object models: never null)."""
    if not isinstance(schema, dict):
        return schema is not False
    if "$ref" in schema:
        return False
    if "const" in schema:
        return schema["const"] is None
    if "enum" in schema:
        return None in schema["enum"]
    if schema.get("nullable") is True:
        return True
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if "null" not in types:
            return False
    if any(not admits_null(part) for part in schema.get("allOf", [])):
        return False
    branches = [*schema.get("anyOf", []), *schema.get("oneOf", [])]
    return not branches or any(admits_null(branch) for branch in branches)


def _has_unique(node: Any) -> bool:
    """True for a ``uniqueItems`` array in ``node`` outside nested models' own properties."""
    if isinstance(node, list):
        return any(_has_unique(item) for item in node)
    if not isinstance(node, dict):
        return False
    return node.get("uniqueItems") is True or any(
        _has_unique(v) for k, v in node.items() if k not in ("properties", *_NOT_SCHEMAS)
    )


def _unique(schema: dict[str, Any], where: str) -> bool:
    """True when the property (or a branch of it: a nullable array) is a ``uniqueItems`` array.

    ``uniqueItems`` deeper down (items of items) has no validator here: fail rather than ignore it.
    """
    branches = [
        b for b in [*schema.get("anyOf", []), *schema.get("oneOf", [])] if isinstance(b, dict)
    ]
    for node in (schema, *branches):
        deeper = {k: v for k, v in node.items() if k not in ("uniqueItems", "anyOf", "oneOf")}
        deeper.pop("properties", None)
        if _has_unique(deeper):
            raise ValueError(f"{where}: uniqueItems below the property itself is not enforced")
    return any(node.get("uniqueItems") is True for node in (schema, *branches))


def _integer(schema: dict[str, Any]) -> bool:
    """True for an integer property (maybe nullable): ``1.0`` must pass, as in the schema."""
    types = schema.get("type")
    return types == "integer" or (isinstance(types, list) and "integer" in types)


def _mark(node: Any, where: str) -> None:
    if isinstance(node, list):
        for item in node:
            _mark(item, where)
        return
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    if isinstance(properties, dict):
        required = set(node.get("required", []))
        for name, prop in properties.items():
            if not isinstance(prop, dict):
                continue
            checks = []
            if name not in required and not admits_null(prop):
                checks.append("reject_null")
            if _unique(prop, f"{where}.{name}"):
                checks.append("unique_items")
            if _integer(prop):
                checks.append("integral")
            if prop.get("format") == "date-time":
                checks.append("date_time")
            if checks:
                prop[MARKER] = checks
    for key, value in node.items():
        if key not in _NOT_SCHEMAS:
            _mark(value, f"{where}.{key}" if key != "properties" else where)


def mark_fields(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of the generator input with :data:`MARKER` on every property needing a validator."""
    marked = copy.deepcopy(document)
    for name, schema in marked.get("components", {}).get("schemas", {}).items():
        _mark(schema, name)
    return marked
