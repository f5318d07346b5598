"""Strict validation of what the server sends, against the contract's own JSON Schemas."""

from __future__ import annotations

import copy
from typing import Any

from jsonschema import Draft202012Validator

from contract_tests.spec import Contract, MessageSpec

__all__ = ["EventValidator", "close_objects"]

_COMBINERS = ("anyOf", "oneOf", "allOf", "not", "if", "then", "else")


def close_objects(schema: Any) -> Any:
    """Return a copy in which every object schema that lists ``properties`` forbids extra keys.

    The contract already says ``additionalProperties: false`` everywhere; this makes the harness
    strict even where a schema forgets it (except under ``allOf``, where closing would break it).
    """

    def walk(node: Any, under_all_of: bool) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, under_all_of)
            return
        if not isinstance(node, dict):
            return
        if "properties" in node and "additionalProperties" not in node and not under_all_of:
            node["additionalProperties"] = False
        for key, value in node.items():
            if key in ("properties", "$defs", "patternProperties") and isinstance(value, dict):
                for sub in value.values():
                    walk(sub, False)
            elif key in _COMBINERS or key in ("items", "prefixItems", "additionalProperties"):
                walk(value, under_all_of or key == "allOf")

    result = copy.deepcopy(schema)
    walk(result, False)
    return result


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(
        close_objects(schema), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


class EventValidator:
    """Checks server→client events and acknowledgement payloads against the contract."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self._by_name: dict[str, list[tuple[MessageSpec, Draft202012Validator]]] = {
            name: [(spec, _validator(spec.schema)) for spec in specs]
            for name, specs in contract.outbound.items()
        }
        self._ack_error = _validator(contract.ack_error_schema)
        self._message = {
            spec.key: validator for pairs in self._by_name.values() for spec, validator in pairs
        }

    def event(self, name: str, args: tuple[Any, ...]) -> tuple[MessageSpec | None, list[str]]:
        """Validate one received event; return the message it matched and any problems."""
        candidates = self._by_name.get(name)
        if candidates is None:
            return None, [f"undeclared event {name!r}"]
        if len(args) != 1:
            return None, [f"{name!r} carried {len(args)} arguments, the contract declares one"]
        problems: list[str] = []
        for spec, validator in candidates:
            errors = sorted(validator.iter_errors(args[0]), key=lambda e: list(e.absolute_path))
            if not errors:
                return spec, []
            problems += [
                f"{name} ({spec.key}) {_where(e.absolute_path)}: {e.message}" for e in errors[:5]
            ]
        return None, problems

    def message(self, spec: MessageSpec, payload: Any) -> list[str]:
        """Validate ``payload`` against one message's schema."""
        return [
            f"{spec.name} {_where(e.absolute_path)}: {e.message}"
            for e in self._message[spec.key].iter_errors(payload)
        ][:5]

    def ack_error(self, payload: Any) -> list[str]:
        """Validate a failed request's acknowledgement argument (ErrorBody)."""
        return [
            f"ack error {_where(e.absolute_path)}: {e.message}"
            for e in self._ack_error.iter_errors(payload)
        ][:5]


def _where(path: Any) -> str:
    return "/" + "/".join(str(p) for p in path)
