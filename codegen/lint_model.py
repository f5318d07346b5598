"""What every lint rule shares: a finding, the rule catalogue and a schema walker.

A rule is a function ``(LintInput) -> Iterable[Finding]``; each has a stable id (``CW###``) that a
finding carries, so a test, a CI log and ``docs/profile.md`` can all name it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from codegen.json_refs import resolve_pointer

__all__ = ["RULES", "Finding", "LintInput", "Rule", "rule", "walk_schema"]


@dataclass(frozen=True, order=True)
class Finding:
    """One broken rule: where (file and YAML path) and what."""

    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule} {self.message}"


@dataclass
class LintInput:
    """The bundled documents, and which file each shared schema came from (for paths)."""

    asyncapi: dict[str, Any]
    openapi: dict[str, Any] = field(default_factory=dict)
    shared_names: frozenset[str] = frozenset()

    def schema_path(self, name: str) -> str:
        """The YAML path of a bundled component schema in the file it is written in."""
        if name in self.shared_names:
            return f"schemas.yaml: $defs/{name}"
        return f"asyncapi.yaml: components/schemas/{name}"

    def resolve(self, node: Any) -> Any:
        """Follow internal refs of the AsyncAPI document until a non-ref node."""
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
            node = resolve_pointer(self.asyncapi, node["$ref"])
            seen += 1
        return node


@dataclass(frozen=True)
class Rule:
    """A lint rule: its id, a one-line statement, and the check."""

    id: str
    title: str
    check: Callable[[LintInput], Iterable[Finding]]


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str, title: str
) -> Callable[[Callable[[LintInput], Iterable[Finding]]], Callable[[LintInput], Iterable[Finding]]]:
    """Register a rule under ``rule_id``."""

    def register(
        check: Callable[[LintInput], Iterable[Finding]],
    ) -> Callable[[LintInput], Iterable[Finding]]:
        if rule_id in RULES:
            raise ValueError(f"lint rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, title, check)
        return check

    return register


_NOT_SCHEMAS = frozenset({"examples", "example", "default", "enum", "const", "description"})


def walk_schema(
    data: LintInput, schema: Any, where: str, seen: set[str] | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(path, node)`` for every schema node reachable from ``schema``, following refs once.

    A ref to a component schema continues at that component's own path, so a finding names the
    place to edit (the shared definition), not every use of it.
    """
    seen = set() if seen is None else seen
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref in seen:
            return
        seen.add(ref)
        name = ref.rsplit("/", 1)[-1]
        target = resolve_pointer(data.asyncapi, ref)
        yield from walk_schema(data, target, data.schema_path(name), seen)
        return
    yield where, schema
    for key, value in schema.items():
        if key in _NOT_SCHEMAS or key.startswith("x-"):
            continue
        if key == "properties" and isinstance(value, dict):
            for name, prop in value.items():
                yield from walk_schema(data, prop, f"{where}/properties/{name}", seen)
        elif isinstance(value, dict):
            yield from walk_schema(data, value, f"{where}/{key}", seen)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk_schema(data, item, f"{where}/{key}/{index}", seen)
