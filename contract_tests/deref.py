"""Inline every ``$ref`` of a contract document, including refs into other YAML files.

The harness validates against, and generates from, the JSON Schemas exactly as the contract files
state them: no bundler and no generated model sits in between, so a codegen bug cannot hide.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["RefError", "Resolver", "load_yaml"]


class RefError(ValueError):
    """A ``$ref`` points at a missing file or path, or the references form a cycle."""


def load_yaml(path: Path) -> Any:
    """Load one YAML document."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


class Resolver:
    """Resolves ``file#/json/pointer`` refs relative to the document that holds them."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._docs: dict[Path, Any] = {}

    def document(self, path: Path) -> Any:
        """Return the parsed document at ``path`` (cached)."""
        path = path.resolve()
        if path not in self._docs:
            if not path.is_file():
                raise RefError(f"referenced file {path} does not exist")
            self._docs[path] = load_yaml(path)
        return self._docs[path]

    def lookup(self, ref: str, base: Path) -> tuple[Any, Path]:
        """Return the node ``ref`` names (seen from document ``base``) and the file it lives in."""
        file_part, _, pointer = ref.partition("#")
        target = (base.parent / file_part).resolve() if file_part else base
        node = self.document(target)
        for raw in [p for p in pointer.split("/") if p]:
            key = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list):
                node = node[int(key)]
            elif isinstance(node, dict) and key in node:
                node = node[key]
            else:
                raise RefError(f"{ref!r} (from {base.name}) does not resolve")
        return node, target

    def inline(self, node: Any, base: Path | None = None, _stack: tuple[str, ...] = ()) -> Any:
        """Return a copy of ``node`` with every ``$ref`` replaced by what it names.

        Sibling keywords of a ``$ref`` (descriptions, ``x-`` annotations) are kept next to the
        inlined target's keywords; on a clash the target wins, as JSON Schema 2020-12 applies both.
        """
        base = base or self.root
        if isinstance(node, list):
            return [self.inline(item, base, _stack) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            key = f"{base}{ref}" if ref.startswith("#") else f"{(base.parent / ref).resolve()}"
            if key in _stack:
                raise RefError(f"reference cycle through {ref!r}")
            target, target_file = self.lookup(ref, base)
            resolved = self.inline(target, target_file, (*_stack, key))
            siblings = {k: self.inline(v, base, _stack) for k, v in node.items() if k != "$ref"}
            if isinstance(resolved, dict):
                return {**siblings, **resolved}
            return resolved
        return {key: self.inline(value, base, _stack) for key, value in node.items()}
