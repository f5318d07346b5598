"""Internal ``$ref`` s of a bundled document: walk and resolve them, and the two checks on them.

The official AsyncAPI schema does not follow ``$ref`` s, so a dangling ref or a component nothing
refers to would pass it; :func:`ref_problems` and :func:`unused_problems` find both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["iter_refs", "ref_problems", "resolve_pointer", "unused_problems"]


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


def ref_problems(doc: dict[str, Any]) -> list[str]:
    """One problem per ``$ref`` in ``doc`` that does not resolve."""
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


def unused_problems(doc: dict[str, Any], kinds: tuple[str, ...]) -> list[str]:
    """One problem per ``components/<kind>`` entry that nothing outside ``components`` reaches."""
    reachable = _reachable(doc)
    problems = []
    for kind in kinds:
        for name in doc.get("components", {}).get(kind, {}):
            if f"#/components/{kind}/{_escape(name)}" not in reachable:
                problems.append(f"components/{kind}/{name} is not used")
    return problems
