"""Invalid payloads derived from the contract: every way a payload can break its schema.

Each case is a mutation of a valid (bound) payload: a required field removed, a field of the wrong
type, an undeclared field, a string or array just over the contract's limit (but well within the
engine.io buffer), a non-object, or JSON of another shape. Only mutations that really fail the
schema are kept.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

__all__ = ["NO_PAYLOAD", "InvalidCase", "invalid_cases"]

#: Marker for "emit the event with no argument at all".
NO_PAYLOAD = object()
#: Stay far below the default engine.io buffer (262,144): bigger frames are out of scope.
MAX_FRAME_CHARS = 200_000
_WRONG_VALUES: tuple[Any, ...] = (12345, "not-valid", None, [1, "a"], {"a": 1}, True, 1.5)
_NON_OBJECTS: tuple[tuple[str, Any], ...] = (
    ("non-object:int", 42),
    ("non-object:string", "hello"),
    ("non-object:list", [{"a": 1}]),
    ("non-object:bool", True),
    ("non-object:null", None),
    ("non-object:absent", NO_PAYLOAD),
)


@dataclass(frozen=True)
class InvalidCase:
    """One invalid payload and the kind of mutation that made it."""

    kind: str
    payload: Any


def _branch(schema: dict[str, Any], value: Any) -> dict[str, Any]:
    """The ``oneOf``/``anyOf`` branch ``value`` validates against (or ``schema`` itself)."""
    for key in ("oneOf", "anyOf"):
        for sub in schema.get(key, []):
            if isinstance(sub, dict) and Draft202012Validator(sub).is_valid(value):
                return _branch(sub, value)
    return schema


def _set(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(root)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def _drop(root: Any, path: tuple[Any, ...]) -> Any:
    out = copy.deepcopy(root)
    node = out
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return out


def _walk(schema: dict[str, Any], value: Any, path: tuple[Any, ...]) -> Iterator[InvalidCase]:
    """Mutations of ``value`` (found at ``path`` in the root payload) and of everything below it."""
    schema = _branch(schema, value)
    where = "/".join(str(p) for p in path) or "(root)"
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name in value:
                yield InvalidCase(f"missing:{where}/{name}", ("drop", (*path, name)))
        yield InvalidCase(f"extra-field:{where}", ("set", (*path, "contractExtraField"), 1))
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                yield from _walk(sub, value[name], (*path, name))
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(schema.get("maxItems"), int) and value:
            longer = [value[i % len(value)] for i in range(schema["maxItems"] + 1)]
            yield InvalidCase(f"over-limit:{where}", ("set", path, longer))
        if isinstance(items, dict):
            for index, item in enumerate(value[:1]):
                yield from _walk(items, item, (*path, index))
    elif isinstance(value, str) and isinstance(schema.get("maxLength"), int):
        yield InvalidCase(f"over-limit:{where}", ("set", path, "x" * (schema["maxLength"] + 1)))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(schema.get("minimum"), int | float):
            yield InvalidCase(f"under-limit:{where}", ("set", path, schema["minimum"] - 1))
        if isinstance(schema.get("maximum"), int | float):
            yield InvalidCase(f"over-limit:{where}", ("set", path, schema["maximum"] + 1))
    if path:
        validator = Draft202012Validator(schema)
        wrong = [w for w in _WRONG_VALUES if not validator.is_valid(w)]
        for wrong_value in wrong[:2]:
            kind = type(wrong_value).__name__.replace("NoneType", "null")
            yield InvalidCase(f"wrong-type:{where}:{kind}", ("set", path, wrong_value))


def invalid_cases(
    schema: dict[str, Any], bases: list[Any], other_shapes: list[Any]
) -> list[InvalidCase]:
    """Every distinct mutation of the valid ``bases`` that breaks ``schema``.

    ``other_shapes`` are payloads of other operations (JSON of the wrong shape for this one).
    """
    validator = Draft202012Validator(schema)
    seen: set[str] = set()
    cases: list[InvalidCase] = []

    def add(kind: str, payload: Any) -> None:
        if kind in seen:
            return
        if payload is not NO_PAYLOAD and (
            validator.is_valid(payload) or len(json.dumps(payload)) > MAX_FRAME_CHARS
        ):
            return
        seen.add(kind)
        cases.append(InvalidCase(kind, payload))

    for base in bases:
        for case in _walk(schema, base, ()):
            op, path, *rest = case.payload
            add(case.kind, _drop(base, path) if op == "drop" else _set(base, path, rest[0]))
    for kind, payload in _NON_OBJECTS:
        add(kind, payload)
    for index, shape in enumerate(other_shapes):
        add(f"wrong-shape:{index}", shape)
    add("wrong-shape:nested", {"payload": {"nested": [1, {"deeper": [None, {"x": "y"}]}]}})
    return cases
