"""Turn the contract's schemas into the generator's inputs.

datamodel-code-generator makes a ``RootModel`` of every named scalar or array schema, so
``Message.id`` would be a ``Uuid`` object instead of a ``str``. Before generation the shared
scalar definitions (``Uuid``, ``Timestamp``, ``ErrorCode``, ``AttachmentList``, …) are therefore
inlined at every use; only object schemas stay named models. Each input is written as a small
OpenAPI 3.1 document (the openapi parser generates ``components/schemas`` and nothing else), and
refs to shared objects point at the resources input, which ``--external-ref-mapping`` maps to
``chinwag_contract.resources`` so no class is defined twice.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from codegen.wrapped_refs import unwrap_single_allof

__all__ = ["RESOURCES_FILE", "GeneratorInput", "is_model_schema", "is_union_root", "prepare"]

RESOURCES_FILE = "resources.json"
_DROP_ON_INLINE = ("examples", "title")


def is_model_schema(schema: Any) -> bool:
    """True for schemas that become classes: objects, and unions of refs (payload roots)."""
    return isinstance(schema, dict) and (schema.get("type") == "object" or is_union_root(schema))


def is_union_root(schema: Any) -> bool:
    """True for a schema that is only a ``oneOf``/``anyOf`` of refs (ChatReadRequestPayload)."""
    if not isinstance(schema, dict) or "type" in schema:
        return False
    branches = schema.get("oneOf") or schema.get("anyOf") or []
    return bool(branches) and all(isinstance(b, dict) and "$ref" in b for b in branches)


@dataclass(frozen=True)
class GeneratorInput:
    """One generator run: an OpenAPI-shaped document and the union roots rendered by hand."""

    document: dict[str, Any]
    union_roots: dict[str, dict[str, Any]]


class _Inliner:
    def __init__(self, schemas: dict[str, Any], local: set[str], external_prefix: str) -> None:
        self.schemas = schemas
        self.local = local
        self.external_prefix = external_prefix

    def __call__(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        siblings = {
            key: self(value)
            for key, value in node.items()
            if key != "$ref" and not key.startswith("x-")
        }
        if not isinstance(ref, str):
            return siblings
        name = ref.rsplit("/", 1)[-1]
        target = self.schemas[name]
        if is_model_schema(target):
            prefix = "#/components/schemas/" if name in self.local else self.external_prefix
            return {"$ref": prefix + name, **siblings}
        inlined: dict[str, Any] = self(copy.deepcopy(target))
        for key in _DROP_ON_INLINE:
            inlined.pop(key, None)
        inlined.update(siblings)
        return inlined


def _document(title: str, schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "0"},
        "paths": {},
        "components": {"schemas": schemas},
    }


def prepare(schemas: dict[str, Any], shared_names: set[str], title: str) -> GeneratorInput:
    """Generator input for the model schemas in ``schemas`` that are not in ``shared_names``.

    ``schemas`` is a bundled ``components/schemas``; refs to shared object schemas point at the
    resources input. Pass an empty ``shared_names`` to prepare the resources input itself.
    """
    schemas = unwrap_single_allof(schemas)
    names = [n for n in schemas if n not in shared_names and is_model_schema(schemas[n])]
    inline = _Inliner(schemas, set(names), f"{RESOURCES_FILE}#/components/schemas/")
    plain = {n: inline(schemas[n]) for n in names if not is_union_root(schemas[n])}
    unions = {n: inline(schemas[n]) for n in names if is_union_root(schemas[n])}
    return GeneratorInput(_document(title, plain), unions)
