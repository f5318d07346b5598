"""Contract validation: the official AsyncAPI 3.0.0 schema plus the checks it cannot do.

The official schema does not follow ``$ref`` s, so the bundled document is also checked here: refs
resolve, operations only use messages of their channels, every message has examples that validate,
no component is unused and every object schema is closed (``additionalProperties: false``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, Draft202012Validator
from jsonschema.exceptions import ValidationError

__all__ = [
    "VENDORED_SCHEMA_SHA256",
    "ContractError",
    "asyncapi_problems",
    "flow_schema_problems",
    "openapi_problems",
    "validate_asyncapi",
    "validate_flow_schema",
    "validate_openapi",
]

VENDORED_SCHEMA = Path(__file__).parent / "vendor" / "asyncapi-3.0.0.json"
VENDORED_SCHEMA_SHA256 = "d4571a420e6ffb7fcc7066c95a6db1202f299a3c51daa103d0706bf30f95e626"


class ContractError(ValueError):
    """The contract is invalid; ``problems`` lists every finding."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s)\n  - " + "\n  - ".join(problems))


@cache
def _official_validator() -> Draft7Validator:
    """The official schema's validator (cached: building its registry takes most of a run)."""
    raw = VENDORED_SCHEMA.read_bytes()
    if hashlib.sha256(raw).hexdigest() != VENDORED_SCHEMA_SHA256:
        raise RuntimeError(f"{VENDORED_SCHEMA} does not match its recorded sha256")
    return Draft7Validator(json.loads(raw))


def iter_refs(node: Any, path: str = "#") -> Iterator[tuple[str, str]]:
    """Yield ``(json_pointer_of_node, ref)`` for every ``$ref`` in ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield path, value
            else:
                yield from iter_refs(value, f"{path}/{_escape(str(key))}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from iter_refs(item, f"{path}/{index}")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def resolve_pointer(doc: Any, ref: str) -> Any:
    """Resolve an internal ``#/a/b`` ref in ``doc``; raise ``KeyError`` when it dangles."""
    if not ref.startswith("#"):
        raise KeyError(ref)
    node = doc
    for raw in ref[1:].split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(ref)
    return node


def _ref_problems(doc: dict[str, Any]) -> list[str]:
    problems = []
    for where, ref in iter_refs(doc):
        try:
            resolve_pointer(doc, ref)
        except KeyError:
            problems.append(f"{where}: $ref {ref!r} does not resolve")
    return problems


def _reachable(doc: dict[str, Any]) -> set[str]:
    """Refs reachable from everything outside ``components`` (followed transitively)."""
    roots = {key: value for key, value in doc.items() if key != "components"}
    seen: set[str] = set()
    pending = [ref for _, ref in iter_refs(roots)]
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        try:
            pending.extend(r for _, r in iter_refs(resolve_pointer(doc, ref)))
        except KeyError:
            continue
    return seen


def _unused_problems(doc: dict[str, Any], kinds: tuple[str, ...]) -> list[str]:
    reachable = _reachable(doc)
    problems = []
    for kind in kinds:
        for name in doc.get("components", {}).get(kind, {}):
            if f"#/components/{kind}/{_escape(name)}" not in reachable:
                problems.append(f"components/{kind}/{name} is not used")
    return problems


def _open_object_problems(doc: dict[str, Any]) -> list[str]:
    problems = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            # A map (additionalProperties holding a value schema) is closed on purpose.
            extra = node.get("additionalProperties")
            if node.get("type") == "object" and extra is not False and not isinstance(extra, dict):
                problems.append(f"{where}: object schema without additionalProperties: false")
            for key, value in node.items():
                if key not in ("examples", "example", "default", "enum", "const"):
                    walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{where}/{index}")

    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        walk(schema, f"components/schemas/{name}")
    return problems


def example_errors(doc: dict[str, Any], schema: Any, instance: Any) -> list[str]:
    """Validate ``instance`` against ``schema`` (refs resolve in ``doc``), with format checks."""
    root = dict(schema) if isinstance(schema, dict) else {"allOf": [schema]}
    root["components"] = doc.get("components", {})
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


def _schema_example_problems(doc: dict[str, Any]) -> list[str]:
    problems = []
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        for index, example in enumerate(schema.get("examples", []) or []):
            for error in example_errors(doc, schema, example):
                problems.append(f"components/schemas/{name} example {index}: {error}")
    return problems


def _message_problems(doc: dict[str, Any]) -> list[str]:
    problems = []
    for key, message in doc.get("components", {}).get("messages", {}).items():
        examples = message.get("examples") or []
        if not examples:
            problems.append(f"components/messages/{key} has no example")
        payload = message.get("payload")
        if payload is None:
            problems.append(f"components/messages/{key} has no payload")
            continue
        for index, example in enumerate(examples):
            label = example.get("name", index)
            if "payload" not in example:
                problems.append(f"components/messages/{key} example {label!r} has no payload")
                continue
            for error in example_errors(doc, payload, example["payload"]):
                problems.append(f"components/messages/{key} example {label!r}: {error}")
    return problems


def _channel_key(ref: Any) -> str | None:
    if isinstance(ref, dict) and isinstance(ref.get("$ref"), str):
        prefix = "#/channels/"
        value: str = ref["$ref"]
        if value.startswith(prefix) and "/" not in value[len(prefix) :]:
            return value[len(prefix) :]
    return None


def _operation_problems(doc: dict[str, Any]) -> list[str]:
    problems = []
    channels = doc.get("channels", {})
    for op_id, operation in doc.get("operations", {}).items():
        parts = [("channel", operation.get("channel"), operation.get("messages"))]
        reply = operation.get("reply")
        if reply is not None:
            parts.append(
                (
                    "reply",
                    reply.get("channel", operation.get("channel")),
                    reply.get("messages"),
                )
            )
        for label, channel_ref, messages in parts:
            key = _channel_key(channel_ref)
            if key is None or key not in channels:
                problems.append(
                    f"operations/{op_id} {label}: channel {channel_ref!r} is not a channel"
                )
                continue
            if not messages:
                problems.append(f"operations/{op_id} {label}: lists no message")
            for message in messages or []:
                ref = message.get("$ref", "") if isinstance(message, dict) else ""
                name = ref.removeprefix(f"#/channels/{key}/messages/")
                if name == ref or name not in channels[key].get("messages", {}):
                    problems.append(
                        f"operations/{op_id} {label}: message {ref!r} "
                        f"is not a message of channel {key!r}"
                    )
    return problems


def _schema_error(error: ValidationError) -> str:
    """The deepest reason (a oneOf/anyOf failure alone only says "not valid under any")."""
    leaves = [error]
    while any(leaf.context for leaf in leaves):
        leaves = [child for leaf in leaves for child in (leaf.context or [leaf])]
    detail = max(leaves, key=lambda leaf: len(leaf.absolute_path))
    return f"schema: {'/'.join(map(str, detail.absolute_path)) or '<root>'}: {detail.message}"


def asyncapi_problems(doc: dict[str, Any]) -> list[str]:
    """Every problem found in a bundled AsyncAPI document (empty when it is valid)."""
    validator = _official_validator()
    problems = [
        _schema_error(error)
        for error in sorted(
            validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))
        )
    ]
    problems += _ref_problems(doc)
    if problems:
        return problems  # later checks assume refs resolve
    problems += _operation_problems(doc)
    problems += _message_problems(doc)
    problems += _schema_example_problems(doc)
    problems += _unused_problems(doc, ("schemas", "messages"))
    problems += _open_object_problems(doc)
    return problems


def validate_asyncapi(doc: dict[str, Any]) -> None:
    """Raise :class:`ContractError` unless the bundled AsyncAPI document is valid."""
    problems = asyncapi_problems(doc)
    if problems:
        raise ContractError("asyncapi.yaml", problems)


def openapi_problems(path: Path, bundled: dict[str, Any] | None = None) -> list[str]:
    """Problems of an OpenAPI file: openapi-spec-validator, plus schema examples when bundled."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    spec, base_uri = read_from_filename(str(path))
    problems: list[str] = []
    try:
        validate(spec, base_uri=base_uri)
    except Exception as error:  # the validator raises several unrelated exception types
        problems.append(f"openapi-spec-validator: {error}".splitlines()[0])
    if bundled is not None:
        problems += _ref_problems(bundled)
        if not problems:
            problems += _schema_example_problems(bundled)
            problems += _unused_problems(bundled, ("schemas",))
            problems += _open_object_problems(bundled)
    return problems


def validate_openapi(path: Path, bundled: dict[str, Any] | None = None) -> None:
    """Raise :class:`ContractError` unless the OpenAPI file is valid."""
    problems = openapi_problems(path, bundled)
    if problems:
        raise ContractError(path.name, problems)


def flow_schema_problems(schema: dict[str, Any]) -> list[str]:
    """Problems of the flow-definition schema: a valid 2020-12 schema, refs resolve, objects closed.

    A map (``additionalProperties`` holding a schema, as ``steps``) counts as closed: only objects
    that would accept unknown fields silently are refused.
    """
    problems = [
        _schema_error(error)
        for error in Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema)
    ]
    problems += _ref_problems(schema)
    if not isinstance(schema.get("$defs"), dict) or "$ref" not in schema:
        problems.append("the schema needs $defs and a root $ref")

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and node.get("additionalProperties", True) is True:
                problems.append(f"{where}: object schema without additionalProperties")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{where}/{index}")

    walk(schema.get("$defs", {}), "$defs")
    return problems


def validate_flow_schema(schema: dict[str, Any]) -> None:
    """Raise :class:`ContractError` unless the flow-definition schema is valid."""
    problems = flow_schema_problems(schema)
    if problems:
        raise ContractError("flows.schema.yaml", problems)
