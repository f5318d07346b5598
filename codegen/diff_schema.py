"""Compare two versions of one payload schema, field by field, and name each change.

The comparison does not decide what breaks: it reports neutral change kinds (``field-removed``,
``enum-widened``, ``bound-narrowed``, …) and :mod:`codegen.diff` classifies each by the payload's
direction. Refs are followed in each version's own document; a one-element ``allOf`` (the wrap that
carries a mark) counts as the schema it wraps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from codegen.json_refs import resolve_pointer

__all__ = ["SchemaChange", "compare_schemas"]

# keyword → (kind when the new value is smaller, kind when it is larger)
_BOUNDS = {
    "maxLength": ("bound-narrowed", "bound-widened"),
    "maxItems": ("bound-narrowed", "bound-widened"),
    "maxProperties": ("bound-narrowed", "bound-widened"),
    "maximum": ("bound-narrowed", "bound-widened"),
    "exclusiveMaximum": ("bound-narrowed", "bound-widened"),
    "minLength": ("bound-widened", "bound-narrowed"),
    "minItems": ("bound-widened", "bound-narrowed"),
    "minimum": ("bound-widened", "bound-narrowed"),
    "exclusiveMinimum": ("bound-widened", "bound-narrowed"),
}


@dataclass(frozen=True)
class SchemaChange:
    """One change inside a payload: its kind, where (a path in the payload) and what."""

    kind: str
    where: str
    detail: str


class _Side:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    def resolve(self, node: Any) -> dict[str, Any]:
        for _ in range(32):
            if not isinstance(node, dict):
                return {}
            if isinstance(node.get("$ref"), str):
                node = resolve_pointer(self.doc, node["$ref"])
                continue
            parts = node.get("allOf")
            if isinstance(parts, list) and len(parts) == 1 and len(node.keys() - _NOTES) == 1:
                node = parts[0]
                continue
            return node
        return {}


_NOTES = frozenset({"allOf", "description", "title", "examples"}) | {"x-chinwag-extension"}


def _types(node: dict[str, Any], side: _Side) -> set[str]:
    """The JSON types a schema admits (``any`` when it says nothing)."""
    if "const" in node or "enum" in node:
        values = node.get("enum", [node.get("const")])
        return {"null" if v is None else type(v).__name__ for v in values}
    kinds = node.get("type")
    if isinstance(kinds, str):
        return {kinds}
    if isinstance(kinds, list):
        return set(kinds)
    branches = node.get("anyOf") or node.get("oneOf")
    if isinstance(branches, list):
        return set().union(*(_types(side.resolve(b), side) for b in branches))
    return {"any"}


def compare_schemas(
    old: Any, new: Any, old_doc: dict[str, Any], new_doc: dict[str, Any]
) -> list[SchemaChange]:
    """Every change from ``old`` to ``new`` (each resolved in its own document)."""
    return list(_compare(old, new, _Side(old_doc), _Side(new_doc), "", set()))


def _compare(
    old: Any, new: Any, a: _Side, b: _Side, where: str, seen: set[tuple[int, int]]
) -> Iterator[SchemaChange]:
    o, n = a.resolve(old), b.resolve(new)
    if (id(o), id(n)) in seen:
        return
    seen = seen | {(id(o), id(n))}
    here = where or "<payload>"
    ot, nt = _types(o, a), _types(n, b)
    if "null" in nt and "null" not in ot:
        yield SchemaChange("made-nullable", here, "now admits null")
    if "null" in ot and "null" not in nt:
        yield SchemaChange("made-non-nullable", here, "no longer admits null")
    lost, gained = (ot - nt - {"null"}), (nt - ot - {"null"})
    if "integer" in lost and "number" in nt:
        lost.discard("integer")
    if "integer" in gained and "number" in ot:
        gained.discard("integer")
    if lost:
        yield SchemaChange("type-narrowed", here, f"no longer {sorted(lost)}")
    if gained:
        yield SchemaChange("type-widened", here, f"now also {sorted(gained)}")
    yield from _enums(o, n, here)
    yield from _bounds(o, n, here)
    if o.get("pattern") != n.get("pattern") and "pattern" in n:
        yield SchemaChange("pattern-changed", here, f"{o.get('pattern')!r} → {n.get('pattern')!r}")
    was_closed = o.get("additionalProperties") is False
    is_closed = n.get("additionalProperties") is False
    if is_closed and not was_closed and "object" in ot:
        yield SchemaChange("closed", here, "no longer accepts unknown fields")
    if was_closed and not is_closed and "object" in nt:
        yield SchemaChange("opened", here, "now accepts unknown fields")
    yield from _properties(o, n, a, b, where, seen)
    if isinstance(o.get("additionalProperties"), dict) and isinstance(
        n.get("additionalProperties"), dict
    ):
        values = (o["additionalProperties"], n["additionalProperties"])
        yield from _compare(*values, a, b, f"{where}{{}}", seen)
    if "items" in o and "items" in n:
        yield from _compare(o["items"], n["items"], a, b, f"{where}[]", seen)
    ob, nb = o.get("anyOf") or o.get("oneOf"), n.get("anyOf") or n.get("oneOf")
    if isinstance(ob, list) and isinstance(nb, list):
        real_o = [x for x in ob if a.resolve(x).get("type") != "null"]
        real_n = [x for x in nb if b.resolve(x).get("type") != "null"]
        if len(real_o) == len(real_n):
            for index, (x, y) in enumerate(zip(real_o, real_n, strict=True)):
                yield from _compare(x, y, a, b, f"{where}<{index}>", seen)
        elif len(real_n) < len(real_o):
            yield SchemaChange("type-narrowed", here, f"{len(real_o)} → {len(real_n)} variants")
        else:
            yield SchemaChange("type-widened", here, f"{len(real_o)} → {len(real_n)} variants")


def _enums(o: dict[str, Any], n: dict[str, Any], here: str) -> Iterator[SchemaChange]:
    if "enum" not in o and "enum" not in n:
        return
    old_values, new_values = o.get("enum"), n.get("enum")
    if old_values is None:
        yield SchemaChange("enum-narrowed", here, f"now only {new_values}")
        return
    if new_values is None:
        yield SchemaChange("enum-widened", here, "no longer an enum")
        return
    removed = [v for v in old_values if v not in new_values]
    added = [v for v in new_values if v not in old_values]
    if removed:
        yield SchemaChange("enum-narrowed", here, f"removed {removed}")
    if added:
        yield SchemaChange("enum-widened", here, f"added {added}")


def _bounds(o: dict[str, Any], n: dict[str, Any], here: str) -> Iterator[SchemaChange]:
    for keyword, (smaller, larger) in _BOUNDS.items():
        before, after = o.get(keyword), n.get(keyword)
        if before == after:
            continue
        if before is None:  # a new bound narrows
            yield SchemaChange("bound-narrowed", here, f"{keyword} {after} added")
        elif after is None:
            yield SchemaChange("bound-widened", here, f"{keyword} {before} dropped")
        else:
            kind = smaller if after < before else larger
            yield SchemaChange(kind, here, f"{keyword} {before} → {after}")


def _properties(
    o: dict[str, Any], n: dict[str, Any], a: _Side, b: _Side, where: str, seen: set[Any]
) -> Iterator[SchemaChange]:
    op, np_ = o.get("properties") or {}, n.get("properties") or {}
    oreq, nreq = set(o.get("required") or []), set(n.get("required") or [])
    for name in op:
        path = f"{where}.{name}" if where else name
        if name not in np_:
            yield SchemaChange("field-removed", path, "removed")
            continue
        if name in oreq and name not in nreq:
            yield SchemaChange("field-made-optional", path, "no longer required")
        if name in nreq and name not in oreq:
            yield SchemaChange("field-made-required", path, "now required")
        yield from _compare(op[name], np_[name], a, b, path, seen)
    for name in np_:
        if name not in op:
            path = f"{where}.{name}" if where else name
            kind = "field-added-required" if name in nreq else "field-added-optional"
            yield SchemaChange(kind, path, "added")
