"""The schema half of the docs model: a type, a field, an example value and a named schema.

:class:`~codegen.docs_model.DocModel` holds a :class:`SchemaDef` for every entry of
``components/schemas`` (events carry :class:`Example` s too); :mod:`codegen.docs_schema_walk` builds
them from the raw schemas.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Example", "Field", "SchemaDef", "TypeExpr"]

TypeKind = Literal["prim", "ref", "array", "enum", "union", "object"]


@dataclass(frozen=True)
class TypeExpr:
    """A JSON Schema type reduced to what the renderers print.

    ``prim``: ``name`` is string/integer/number/boolean/null; ``ref``: ``name`` is a schema name;
    ``array``: ``items[0]`` is the element type; ``enum``: ``values``; ``union``: ``items``;
    ``object``: an inline object with no fixed fields (``items[0]``, when given, types its values).
    """

    kind: TypeKind
    name: str = ""
    items: tuple[TypeExpr, ...] = ()
    values: tuple[str, ...] = ()

    @property
    def nullable(self) -> bool:
        """True when ``null`` is one of the accepted values."""
        return self.kind == "union" and any(i == TypeExpr("prim", "null") for i in self.items)

    def render(
        self,
        *,
        ref: Callable[[str], str],
        prim: Callable[[str], str] = str,
        literal: Callable[[str], str] = json.dumps,
        sep: str = " | ",
        obj: str = "object",
        mapping: Callable[[str], str] | None = None,
    ) -> str:
        """Print the type with the caller's spelling of refs, primitives, literals and ``|``."""

        def go(expr: TypeExpr, nested: bool) -> str:
            if expr.kind == "ref":
                return ref(expr.name)
            if expr.kind == "prim":
                return prim(expr.name)
            if expr.kind == "object":
                # ``mapping`` spells a map whose value type is known; without it, ``obj``.
                return mapping(go(expr.items[0], False)) if expr.items and mapping else obj
            if expr.kind == "array":
                return go(expr.items[0], True) + "[]"
            parts = (
                [literal(v) for v in expr.values]
                if expr.kind == "enum"
                else [go(i, True) for i in expr.items]
            )
            text = sep.join(parts)
            return f"({text})" if nested and len(parts) > 1 else text

        return go(self, False)


@dataclass(frozen=True)
class Field:
    """One property of an object schema."""

    name: str
    type: TypeExpr
    required: bool
    description: str
    constraints: tuple[str, ...]
    extension: bool


@dataclass(frozen=True)
class Example:
    """A named example value."""

    name: str
    value: Any


@dataclass(frozen=True)
class SchemaDef:
    """A named schema of ``components/schemas``.

    An ``object`` has ``fields``; an ``alias`` (scalar, enum, array or union) has ``alias``.
    ``one_of`` marks a union whose variants are mutually exclusive (JSON Schema ``oneOf``).
    """

    name: str
    kind: Literal["object", "alias"]
    description: str
    fields: tuple[Field, ...]
    alias: TypeExpr | None
    constraints: tuple[str, ...]
    closed: bool
    one_of: bool
    extension: bool
    examples: tuple[Example, ...]
