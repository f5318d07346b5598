"""Checks on ``components/schemas`` that AsyncAPI and OpenAPI share: closed objects, valid examples.

:func:`example_errors` is also what the message checks and the contract tests validate an example
payload with, so that every example is judged the same way (refs resolved, formats checked).
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

__all__ = ["example_errors", "open_object_problems", "schema_example_problems"]


def open_object_problems(doc: dict[str, Any]) -> list[str]:
    """One problem per object schema that would accept unknown fields silently."""
    problems = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            # A map (additionalProperties holding a value schema) is closed on purpose; an object
            # marked x-chinwag-open (Health) is open on purpose.
            extra = node.get("additionalProperties")
            closed = extra is False or isinstance(extra, dict) or node.get("x-chinwag-open") is True
            if node.get("type") == "object" and not closed:
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


def schema_example_problems(doc: dict[str, Any]) -> list[str]:
    """One problem per error of every ``examples`` entry of a component schema."""
    problems = []
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        for index, example in enumerate(schema.get("examples", []) or []):
            for error in example_errors(doc, schema, example):
                problems.append(f"components/schemas/{name} example {index}: {error}")
    return problems
