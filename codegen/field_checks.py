"""Checks the generator leaves out: explicit null on optional fields, and ``uniqueItems``.

datamodel-code-generator types an optional property ``X | None = None`` whether or not its schema
allows null, so ``{"text": null}`` would pass where the contract says ``type: string``; and it
ignores ``uniqueItems``. The fix works in two steps, both decided from the schemas:

1. :func:`mark_fields` tags each such property of the generator input with :data:`MARKER`
   (``--field-extra-keys`` carries the tag into that field's ``Field(json_schema_extra=...)``);
2. :func:`apply_field_checks` replaces each tag in the generated source with the validators from
   ``chinwag_contract._validators`` (a copy of ``codegen.template_validators``), placed after
   ``Field()`` so that pydantic still applies the length and range constraints natively:
   ``Annotated[StrictStr | None, Field(max_length=10000), BeforeValidator(reject_null)] = None``.

A missing key keeps its ``None`` default without running the validator (defaults are not validated).
"""

from __future__ import annotations

import ast
import copy
import itertools
from typing import Any

__all__ = [
    "FIELD_FLAGS",
    "MARKER",
    "VALIDATORS_MODULE",
    "admits_null",
    "apply_field_checks",
    "mark_fields",
]

MARKER = "x-chinwag-validators"
FIELD_FLAGS: tuple[str, ...] = ("--field-extra-keys", MARKER)
VALIDATORS_MODULE = "_validators"
"""The module (in the generated package) that holds the validators."""

_NOT_SCHEMAS = ("examples", "example", "default", "const", "enum")
# validator name → the pydantic wrapper that runs it
_WRAPPERS = {"reject_null": "BeforeValidator", "unique_items": "AfterValidator"}


def admits_null(schema: Any) -> bool:
    """True when ``null`` is valid against ``schema`` (refs point at object models: never null)."""
    if not isinstance(schema, dict):
        return schema is not False
    if "$ref" in schema:
        return False
    if "const" in schema:
        return schema["const"] is None
    if "enum" in schema:
        return None in schema["enum"]
    if schema.get("nullable") is True:
        return True
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if "null" not in types:
            return False
    if any(not admits_null(part) for part in schema.get("allOf", [])):
        return False
    branches = [*schema.get("anyOf", []), *schema.get("oneOf", [])]
    return not branches or any(admits_null(branch) for branch in branches)


def _has_unique(node: Any) -> bool:
    """True for a ``uniqueItems`` array in ``node`` outside nested models' own properties."""
    if isinstance(node, list):
        return any(_has_unique(item) for item in node)
    if not isinstance(node, dict):
        return False
    return node.get("uniqueItems") is True or any(
        _has_unique(v) for k, v in node.items() if k not in ("properties", *_NOT_SCHEMAS)
    )


def _unique(schema: dict[str, Any], where: str) -> bool:
    """True when the property (or a branch of it: a nullable array) is a ``uniqueItems`` array.

    ``uniqueItems`` deeper down (items of items) has no validator here: fail rather than ignore it.
    """
    branches = [
        b for b in [*schema.get("anyOf", []), *schema.get("oneOf", [])] if isinstance(b, dict)
    ]
    for node in (schema, *branches):
        deeper = {k: v for k, v in node.items() if k not in ("uniqueItems", "anyOf", "oneOf")}
        deeper.pop("properties", None)
        if _has_unique(deeper):
            raise ValueError(f"{where}: uniqueItems below the property itself is not enforced")
    return any(node.get("uniqueItems") is True for node in (schema, *branches))


def _mark(node: Any, where: str) -> None:
    if isinstance(node, list):
        for item in node:
            _mark(item, where)
        return
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    if isinstance(properties, dict):
        required = set(node.get("required", []))
        for name, prop in properties.items():
            if not isinstance(prop, dict):
                continue
            checks = []
            if name not in required and not admits_null(prop):
                checks.append("reject_null")
            if _unique(prop, f"{where}.{name}"):
                checks.append("unique_items")
            if checks:
                prop[MARKER] = checks
    for key, value in node.items():
        if key not in _NOT_SCHEMAS:
            _mark(value, f"{where}.{key}" if key != "properties" else where)


def mark_fields(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of the generator input with :data:`MARKER` on every property needing a validator."""
    marked = copy.deepcopy(document)
    for name, schema in marked.get("components", {}).get("schemas", {}).items():
        _mark(schema, name)
    return marked


def _segment(code: str, node: ast.AST) -> str:
    return ast.get_source_segment(code, node) or ast.unparse(node)


def _untagged_field(call: ast.Call, code: str) -> tuple[str | None, list[str] | None]:
    """``Field(...)`` without the tag (``None`` when nothing is left) and the tagged checks."""
    kept = [_segment(code, arg) for arg in call.args]
    checks = None
    for keyword in call.keywords:
        extra = keyword.value
        if keyword.arg == "json_schema_extra" and isinstance(extra, ast.Dict):
            tagged = [
                i
                for i, k in enumerate(extra.keys)
                if isinstance(k, ast.Constant) and k.value == MARKER
            ]
            if tagged:
                checks = ast.literal_eval(extra.values[tagged[0]])
                rest = ast.Dict(
                    keys=[k for i, k in enumerate(extra.keys) if i not in tagged],
                    values=[v for i, v in enumerate(extra.values) if i not in tagged],
                )
                if rest.keys:
                    kept.append(f"json_schema_extra={ast.unparse(rest)}")
                continue
        kept.append(_segment(code, keyword))
    return (f"Field({', '.join(kept)})" if kept else None), checks


def _rewrite(annotation: ast.expr, code: str) -> str | None:
    """The new source of an ``Annotated[T, Field(...)]`` annotation whose Field is tagged."""
    if not (
        isinstance(annotation, ast.Subscript)
        and isinstance(annotation.value, ast.Name)
        and annotation.value.id == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
    ):
        return None
    parts = list(annotation.slice.elts)
    for index, part in enumerate(parts):
        if not (
            isinstance(part, ast.Call)
            and isinstance(part.func, ast.Name)
            and part.func.id == "Field"
        ):
            continue
        field, checks = _untagged_field(part, code)
        if checks is None:
            return None
        kept = [_segment(code, p) for p in parts[:index]]
        kept += [field] if field else []
        kept += [f"{_WRAPPERS[name]}({name})" for name in checks]
        kept += [_segment(code, p) for p in parts[index + 1 :]]
        return "Annotated[" + ", ".join(kept) + "]"
    return None


def apply_field_checks(code: str, package: str) -> str:
    """Replace every :data:`MARKER` tag in generated model source with its validators.

    The validators are imported from ``<package>.<VALIDATORS_MODULE>``.
    """
    tree = ast.parse(code)
    # ast offsets count UTF-8 bytes: splice the encoded text
    lines = code.encode("utf-8").splitlines(keepends=True)
    starts = [0, *itertools.accumulate(len(line) for line in lines)]
    edits: list[tuple[int, int, str]] = []
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign):
            new = _rewrite(node.annotation, code)
            if new is None:
                continue
            ann = node.annotation
            assert ann.end_lineno is not None and ann.end_col_offset is not None
            start = starts[ann.lineno - 1] + ann.col_offset
            end = starts[ann.end_lineno - 1] + ann.end_col_offset
            edits.append((start, end, new))
            used.update(name for name in _WRAPPERS if f"({name})" in new)
    data = code.encode("utf-8")
    for start, end, new in sorted(edits, reverse=True):
        data = data[:start] + new.encode("utf-8") + data[end:]
    code = data.decode("utf-8")
    if MARKER in code:
        raise RuntimeError(f"a {MARKER} tag was left in the generated source")
    return _add_imports(code, used, package) if used else code


def _add_imports(code: str, used: set[str], package: str) -> str:
    """Add the wrappers to the generator's ``from pydantic import`` line, then import the checks."""
    wrappers = {_WRAPPERS[name] for name in used}
    lines = code.splitlines(keepends=True)
    tree = ast.parse(code)
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    if not imports:
        raise RuntimeError("generated model source without imports")
    own = f"from {package}.{VALIDATORS_MODULE} import {', '.join(sorted(used))}\n"
    after = imports[-1].end_lineno or imports[-1].lineno
    lines.insert(after, own)
    for node in imports:
        if isinstance(node, ast.ImportFrom) and node.module == "pydantic" and not node.level:
            names = sorted({alias.name for alias in node.names} | wrappers)
            lines[node.lineno - 1 : node.end_lineno] = [
                f"from pydantic import {', '.join(names)}\n"
            ]
            return "".join(lines)
    lines.insert(after, f"from pydantic import {', '.join(sorted(wrappers))}\n")
    return "".join(lines)
