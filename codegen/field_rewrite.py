"""Step 2 of :mod:`codegen.field_checks`: swap each tag in the generated source for validators.

The generator carried each :data:`~codegen.field_checks.MARKER` tag into its field's
``Field(json_schema_extra=...)``; the tag is taken out again here and the validators it names are
appended after ``Field()`` as pydantic wrappers, imported from the generated package's
:data:`~codegen.field_checks.VALIDATORS_MODULE`. The source is edited in place (not re-printed from
the ast) so that everything else the generator wrote stays byte for byte.
"""

from __future__ import annotations

import ast
import itertools

from codegen.field_checks import MARKER, VALIDATORS_MODULE

__all__ = ["apply_field_checks"]

# validator name → the pydantic wrapper that runs it
_WRAPPERS = {
    "date_time": "AfterValidator",
    "integral": "BeforeValidator",
    "reject_null": "BeforeValidator",
    "unique_items": "AfterValidator",
}


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
