"""How ``docs/protocol.html`` prints a schema: its section, field table, types and examples.

Also the inline text, links and extension badge the rest of the page uses, so that a schema looks
the same wherever it is printed.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from codegen.docs_model import anchor
from codegen.docs_schema import Field, SchemaDef, TypeExpr

__all__ = ["EXT", "inline", "json_block", "schema_link", "schema_section"]

#: The badge that marks a chinwag extension beyond the seed protocol.
EXT = '<span class="ext" title="chinwag extension beyond the seed protocol">ext</span>'


def inline(text: str) -> str:
    """Escape ``text``, then render its inline Markdown: ``code`` and **bold**."""
    out = escape(" ".join(text.split()))
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)


def schema_section(schema: SchemaDef, tag: str) -> str:
    """The section of ``schema`` under a ``tag`` heading: type or fields, constraints, examples."""
    ext = EXT if schema.extension else ""
    parts = [f'<{tag} id="{anchor("schema", schema.name)}">{escape(schema.name)}{ext}</{tag}>']
    parts.append(f"<p>{inline(schema.description)}</p>")
    if schema.alias is not None:
        kind = "Exactly one of" if schema.one_of else "Type"
        parts.append(f"<p>{kind}: {_type(schema.alias)}</p>")
        if schema.constraints:
            parts.append(f"<p>Constraints: {inline('; '.join(schema.constraints))}</p>")
    if schema.fields:
        parts.append(_fields(schema.fields))
        if schema.closed:
            parts.append("<p>No other fields are allowed.</p>")
    parts.extend(f"<p>Example:</p>{json_block(e.value)}" for e in schema.examples)
    return "\n".join(parts)


def _fields(fields: tuple[Field, ...]) -> str:
    head = (
        "<tr><th>Field</th><th>Type</th><th>Required</th><th>Constraints</th>"
        "<th>Description</th><th>Ext</th></tr>"
    )
    rows = [
        f"<tr><td><code>{escape(f.name)}</code></td><td>{_type(f.type)}</td>"
        f"<td>{'yes' if f.required else 'no'}</td><td>{inline('; '.join(f.constraints))}</td>"
        f"<td>{inline(f.description)}</td><td>{EXT if f.extension else ''}</td></tr>"
        for f in fields
    ]
    return f"<table>{head}{''.join(rows)}</table>"


def _type(expr: TypeExpr) -> str:
    return expr.render(ref=schema_link, literal=lambda v: f"<code>{escape(json.dumps(v))}</code>")


def schema_link(name: str) -> str:
    """A link to the section of the schema ``name``."""
    return f'<a href="#{anchor("schema", name)}"><code>{escape(name)}</code></a>'


def json_block(value: Any) -> str:
    """``value`` as an indented JSON block."""
    return f"<pre><code>{escape(json.dumps(value, indent=2, ensure_ascii=False))}</code></pre>"
