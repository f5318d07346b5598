"""How ``docs/protocol.md`` prints a schema: its section, field table, types and examples.

Also the links, table-cell escaping and extension marks the rest of the page uses, so that a schema
looks the same wherever it is printed.
"""

from __future__ import annotations

import json
from typing import Any

from codegen.docs_model import DocModel, anchor
from codegen.docs_schema import Field, SchemaDef, TypeExpr

__all__ = ["EXT", "cell", "json_block", "mark", "schema_link", "schema_section"]

#: How the page marks a chinwag extension beyond the seed protocol.
EXT = "ext"


def schema_section(model: DocModel, schema: SchemaDef, level: int) -> str:
    """The section of ``schema`` at heading ``level``: type or fields, constraints, examples."""
    hashes = "#" * level
    lines = [
        f'<a id="{anchor("schema", schema.name)}"></a>',
        "",
        f"{hashes} {schema.name}{mark(schema.extension)}",
        "",
    ]
    lines.append(schema.description)
    if schema.alias is not None:
        kind = "Exactly one of" if schema.one_of else "Type"
        lines += ["", f"{kind}: {_type(schema.alias)}"]
        if schema.constraints:
            lines += ["", "Constraints: " + cell("; ".join(schema.constraints))]
    if schema.fields:
        lines += ["", _fields(schema.fields)]
        if schema.closed:
            lines += ["", "No other fields are allowed."]
    for example in schema.examples:
        lines += ["", "Example:", "", json_block(example.value)]
    return "\n".join(lines)


def _fields(fields: tuple[Field, ...]) -> str:
    rows = [
        "| Field | Type | Required | Constraints | Description | Ext |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for f in fields:
        rows.append(
            f"| `{f.name}` | {_type(f.type)} | {'yes' if f.required else 'no'} | "
            f"{cell('; '.join(f.constraints))} | {cell(f.description)} "
            f"| {EXT if f.extension else ''} |"
        )
    return "\n".join(rows)


def _type(expr: TypeExpr) -> str:
    return str(expr.render(ref=schema_link, literal=lambda v: f"`{json.dumps(v)}`", sep=" \\| "))


def schema_link(name: str) -> str:
    """A link to the section of the schema ``name``."""
    return f"[`{name}`](#{anchor('schema', name)})"


def mark(extension: bool, *, bold: bool = False) -> str:
    """The extension mark to append to a heading or label (empty when ``extension`` is false)."""
    if not extension:
        return ""
    return f" · **{EXT}**" if bold else f" ({EXT})"


def cell(text: str) -> str:
    """Make text safe for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def json_block(value: Any) -> str:
    """``value`` as a fenced, indented JSON block."""
    return "```json\n" + json.dumps(value, indent=2, ensure_ascii=False) + "\n```"
