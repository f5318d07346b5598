"""Lint rules on schemas: inbound payloads closed and bounded, integers alike, marks kept.

CW010 every object a client may send is closed; CW011 every string, list, map and number a client
may send is bounded; CW040 every integer is bounded within what a JavaScript number holds exactly
and none uses ``multipleOf`` (models and schema would disagree on floats); CW050 no
``x-chinwag-extension`` beside a ``$ref`` (Draft-07 based tools drop ``$ref`` siblings).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from codegen.lint_model import Finding, LintInput, rule, walk_schema

__all__: list[str] = []

SAFE_INTEGER = 2**53 - 1


def _inbound_payloads(data: LintInput) -> Iterator[tuple[str, Any]]:
    """``(path, payload schema)`` of every message a ``receive`` operation takes."""
    messages = data.asyncapi.get("components", {}).get("messages", {})
    channels = data.asyncapi.get("channels", {})
    seen = set()
    for op in data.asyncapi.get("operations", {}).values():
        if op.get("action") != "receive":
            continue
        for ref in op.get("messages") or []:
            _, _, channel, _, name = str(ref.get("$ref", "")).split("/", 4)
            key = str(channels[channel]["messages"][name]["$ref"]).rsplit("/", 1)[-1]
            if key not in seen:
                seen.add(key)
                yield f"asyncapi.yaml: components/messages/{key}/payload", messages[key]["payload"]


def _types(node: dict[str, Any]) -> set[str]:
    kinds = node.get("type")
    return set(kinds) if isinstance(kinds, list) else {kinds} if isinstance(kinds, str) else set()


@rule("CW010", "every object a client may send is closed (additionalProperties: false)")
def inbound_closed(data: LintInput) -> Iterator[Finding]:
    for where, payload in _inbound_payloads(data):
        for path, node in walk_schema(data, payload, where):
            extra = node.get("additionalProperties")
            if "object" in _types(node) and extra is not False and not isinstance(extra, dict):
                yield Finding(path, "CW010", "object accepts unknown fields from clients")


@rule("CW011", "every string, list, map and number a client may send is bounded")
def inbound_bounded(data: LintInput) -> Iterator[Finding]:
    for where, payload in _inbound_payloads(data):
        for path, node in walk_schema(data, payload, where):
            kinds = _types(node)
            fixed = "enum" in node or "const" in node
            if "string" in kinds and not fixed and "maxLength" not in node:
                yield Finding(path, "CW011", "string without maxLength")
            if "array" in kinds and "maxItems" not in node:
                yield Finding(path, "CW011", "array without maxItems")
            if isinstance(node.get("additionalProperties"), dict) and "maxProperties" not in node:
                yield Finding(path, "CW011", "map without maxProperties")
            if kinds & {"integer", "number"} and not fixed:
                for low, high in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
                    if low not in node and high not in node:
                        yield Finding(path, "CW011", f"number without {low}")


def _documents(data: LintInput) -> Iterator[tuple[str, Any]]:
    """Every component schema of both documents, with its YAML path."""
    for name, schema in data.asyncapi.get("components", {}).get("schemas", {}).items():
        yield data.schema_path(name), schema
    seen = set(data.asyncapi.get("components", {}).get("schemas", {}))
    for name, schema in data.openapi.get("components", {}).get("schemas", {}).items():
        if name in data.shared_names and name not in seen:
            yield data.schema_path(name), schema
        elif name not in data.shared_names:
            yield f"openapi.yaml: components/schemas/{name}", schema


def _nodes(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            if key not in ("examples", "example", "default", "enum", "const"):
                yield from _nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _nodes(item, f"{where}/{index}")


@rule("CW040", "integers are bounded within ±(2^53 - 1) and no number uses multipleOf")
def numeric_parity(data: LintInput) -> Iterator[Finding]:
    for where, schema in _documents(data):
        for path, node in _nodes(schema, where):
            if "multipleOf" in node:
                yield Finding(path, "CW040", "multipleOf: floats make models and schema disagree")
            if "integer" not in _types(node):
                continue
            low = node.get("minimum", node.get("exclusiveMinimum"))
            high = node.get("maximum", node.get("exclusiveMaximum"))
            if not isinstance(low, int) or low < -SAFE_INTEGER:
                yield Finding(path, "CW040", f"integer needs a minimum ≥ -{SAFE_INTEGER}")
            if not isinstance(high, int) or high > SAFE_INTEGER:
                yield Finding(path, "CW040", f"integer needs a maximum ≤ {SAFE_INTEGER}")


@rule("CW050", "an extension mark is never a sibling of $ref (wrap the ref in allOf)")
def marks_survive_refs(data: LintInput) -> Iterator[Finding]:
    docs = [("asyncapi.yaml", data.asyncapi), ("openapi.yaml", data.openapi)]
    for label, doc in docs:
        for path, node in _nodes(doc, f"{label}: "):
            if "$ref" in node and any(key.startswith("x-chinwag-") for key in node):
                yield Finding(
                    path.replace(": /", ": "),
                    "CW050",
                    "mark beside $ref: tools that ignore $ref siblings lose it; "
                    "use `allOf: [{$ref: …}]` with the mark beside allOf",
                )
