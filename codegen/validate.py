"""Contract validation: the official AsyncAPI 3.0.0 schema plus the checks it cannot do.

The official schema does not follow ``$ref`` s, so the bundled document is also checked: refs
resolve and no component is unused (:mod:`codegen.json_refs`), operations only use messages of their
channels and every message has examples that validate (:mod:`codegen.asyncapi_checks`), and every
object schema is closed (``additionalProperties: false``) with valid examples
(:mod:`codegen.schema_checks`). This module runs them per contract file and raises
:class:`ContractError` with every finding.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, Draft202012Validator
from jsonschema.exceptions import ValidationError

from codegen.asyncapi_checks import message_problems, operation_problems
from codegen.json_refs import ref_problems, unused_problems
from codegen.schema_checks import open_object_problems, schema_example_problems

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
    problems += ref_problems(doc)
    if problems:
        return problems  # later checks assume refs resolve
    problems += operation_problems(doc)
    problems += message_problems(doc)
    problems += schema_example_problems(doc)
    problems += unused_problems(doc, ("schemas", "messages"))
    problems += open_object_problems(doc)
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
        problems += ref_problems(bundled)
        if not problems:
            problems += schema_example_problems(bundled)
            problems += unused_problems(bundled, ("schemas",))
            problems += open_object_problems(bundled)
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
    problems += ref_problems(schema)
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
