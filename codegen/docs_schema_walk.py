"""Walk the raw ``components/schemas`` into the :mod:`codegen.docs_schema` types.

A field's constraints include those of the named schema it refers to, so each function that reads
one schema is also given the raw schemas by name.
"""

from __future__ import annotations

from typing import Any

from codegen.docs_model import ModelError
from codegen.docs_schema import Example, Field, SchemaDef, TypeExpr

__all__ = ["EXTENSION", "constraints_of", "examples", "schema_def", "schema_name", "type_of"]

#: The key that marks a chinwag extension beyond the seed protocol (on any contract object).
EXTENSION = "x-chinwag-extension"
_SCHEMA_PREFIX = "#/components/schemas/"
_PRIMS = ("string", "integer", "number", "boolean", "null")


def schema_name(ref: str) -> str:
    """The ``components/schemas`` name a bundled schema ref points at."""
    if not ref.startswith(_SCHEMA_PREFIX):
        raise ModelError(f"schema ref {ref!r} is not bundled into components/schemas")
    return ref[len(_SCHEMA_PREFIX) :]


def type_of(schema: dict[str, Any]) -> TypeExpr:
    """The :class:`TypeExpr` of an inline schema (refs stay names)."""
    if "$ref" in schema:
        return TypeExpr("ref", schema_name(schema["$ref"]))
    for keyword in ("oneOf", "anyOf"):
        if keyword in schema:
            return _union([type_of(option) for option in schema[keyword]])
    if "enum" in schema:
        return TypeExpr("enum", values=tuple(str(v) for v in schema["enum"]))
    declared = schema.get("type")
    if isinstance(declared, list):
        return _union([type_of({**schema, "type": t}) for t in declared])
    if declared == "array":
        return TypeExpr("array", items=(type_of(schema.get("items", {})),))
    if declared in _PRIMS:
        return TypeExpr("prim", str(declared))
    values = schema.get("additionalProperties")
    if isinstance(values, dict) and values:
        # A map: keep its value type (e.g. chat:action's values, string or number).
        return TypeExpr("object", items=(type_of(values),))
    return TypeExpr("object")


def _union(options: list[TypeExpr]) -> TypeExpr:
    flat: list[TypeExpr] = []
    for option in options:
        for item in option.items if option.kind == "union" else (option,):
            if item not in flat:
                flat.append(item)
    return flat[0] if len(flat) == 1 else TypeExpr("union", items=tuple(flat))


def constraints_of(schema: dict[str, Any]) -> tuple[str, ...]:
    """Human-readable constraints of one schema level (not following refs)."""
    out: list[str] = []
    if "format" in schema:
        out.append(f"format {schema['format']}")
    if schema.get("minLength") is not None and schema.get("minLength") == schema.get("maxLength"):
        out.append(f"exactly {schema['minLength']} chars")
    else:
        if "minLength" in schema:
            out.append(f"min {schema['minLength']} chars")
        if "maxLength" in schema:
            out.append(f"max {schema['maxLength']} chars")
    if "minimum" in schema:
        out.append(f"≥ {schema['minimum']}")
    if "maximum" in schema:
        out.append(f"≤ {schema['maximum']}")
    if "minItems" in schema:
        out.append(f"min {schema['minItems']} items")
    if "maxItems" in schema:
        out.append(f"max {schema['maxItems']} items")
    if schema.get("uniqueItems"):
        out.append("unique items")
    if "pattern" in schema:
        out.append(f"pattern `{schema['pattern']}`")
    if "default" in schema:
        out.append(f"default {schema['default']!r}")
    return tuple(out)


def _target(schema: dict[str, Any], raw_schemas: dict[str, Any]) -> dict[str, Any]:
    """The named schema a property refers to, or ``{}`` for an inline one."""
    if "$ref" in schema:
        target: dict[str, Any] = raw_schemas.get(schema_name(schema["$ref"]), {})
        return target
    return {}


def _field(name: str, raw: dict[str, Any], required: bool, raw_schemas: dict[str, Any]) -> Field:
    target = _target(raw, raw_schemas)
    inherited = constraints_of(target) if target.get("type") != "object" else ()
    if "format" in target:  # the format says it; the alias's own section shows the pattern
        inherited = tuple(c for c in inherited if not c.startswith("pattern"))
    own = constraints_of(raw)
    items = raw.get("items", {})
    if isinstance(items, dict):
        own += tuple(f"items: {c}" for c in constraints_of(_target(items, raw_schemas) or items))
    return Field(
        name=name,
        type=type_of(raw),
        required=required,
        description=str(raw.get("description") or target.get("description") or "").strip(),
        constraints=tuple(dict.fromkeys(inherited + own)),
        extension=bool(raw.get(EXTENSION)),
    )


def schema_def(name: str, raw: dict[str, Any], raw_schemas: dict[str, Any]) -> SchemaDef:
    """The :class:`SchemaDef` of the component schema ``name`` (``raw``)."""
    properties: dict[str, Any] = raw.get("properties", {})
    required = set(raw.get("required", []))
    is_object = raw.get("type") == "object" or bool(properties)
    return SchemaDef(
        name=name,
        kind="object" if is_object else "alias",
        description=str(raw.get("description", "")).strip(),
        fields=tuple(_field(k, v, k in required, raw_schemas) for k, v in properties.items()),
        alias=None if is_object else type_of(raw),
        constraints=() if is_object else constraints_of(raw),
        closed=raw.get("additionalProperties") is False,
        one_of="oneOf" in raw,
        extension=bool(raw.get(EXTENSION)),
        examples=examples(raw.get("examples", []), payload=False),
    )


def examples(raw: list[Any], *, payload: bool) -> tuple[Example, ...]:
    """Message examples are ``{name, payload}``; schema examples are bare values."""
    if payload:
        return tuple(Example(str(e.get("name", "")), e.get("payload")) for e in raw)
    return tuple(Example("", e) for e in raw)
