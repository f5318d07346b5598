"""Render the protocol reference as one self-contained HTML page (``docs/protocol.html``).

Everything is inline (CSS, a few lines of JS, the SVG session diagram), so the page works offline
and from ``file://``; it has no external URL anywhere.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from codegen.docs_model import (
    DIRECTION_LABELS,
    DIRECTIONS,
    DocModel,
    Event,
    Field,
    SchemaDef,
    TypeExpr,
    anchor,
    build_model,
)
from codegen.docs_svg import sequence_svg

__all__ = ["render"]

_EXT = '<span class="ext" title="chinwag extension beyond the seed protocol">ext</span>'

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:#1d232b;background:#fff}
nav{position:fixed;top:0;left:0;bottom:0;width:270px;overflow-y:auto;padding:16px;background:#f4f6f9;
border-right:1px solid #dde2ea;font-size:14px}
nav input{width:100%;padding:6px 8px;margin-bottom:10px;border:1px solid #c5ccd6;border-radius:4px}
nav ul{list-style:none;margin:0;padding-left:0}nav ul ul{padding-left:14px}
nav a{display:block;padding:2px 4px;color:#2a4d7a;text-decoration:none;border-radius:3px}
nav a:hover,nav a.active{background:#dde7f5}
main{margin-left:270px;padding:24px 40px;max-width:1200px}
h1{margin-top:0}h2{border-bottom:2px solid #dde2ea;padding-bottom:4px;margin-top:48px}
h3{margin-top:36px}section.event{border-top:1px solid #eef0f4;padding-top:4px}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f0f2f5;
padding:1px 4px;border-radius:3px}
pre{background:#f6f8fa;border:1px solid #e1e5eb;border-radius:4px;padding:10px;overflow-x:auto}
pre code{background:none;padding:0}
table{border-collapse:collapse;margin:10px 0;font-size:14px}
th,td{border:1px solid #dde2ea;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f6f9}
.meta{color:#4a5563}.dir{font-weight:600}
.ext{display:inline-block;font-size:11px;font-weight:700;color:#7a3e00;background:#ffe8cc;
border-radius:3px;padding:0 5px;margin-left:4px;vertical-align:middle}
.seq{max-width:100%;height:auto}
.diagram{overflow-x:auto;border:1px solid #e1e5eb;border-radius:4px;padding:8px;background:#fcfcfd}
.seq text{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:#1d232b}
.seq .seq-name{font-weight:700}
.seq-box{fill:#e6eefb;stroke:#2a4d7a}.seq-life{stroke:#9aa5b4;stroke-dasharray:4 4}
.seq-call{stroke:#1d232b;stroke-width:1.4}
.seq-reply{stroke:#2a6d3a;stroke-width:1.4;stroke-dasharray:6 3}
.seq-head{fill:#1d232b}.seq-note{fill:#fff7d6;stroke:#c9a227}
"""

# Filters the sidebar and marks the section in view. No comments: the page must not contain "//".
_JS = """
(function () {
  var box = document.getElementById("filter");
  var items = Array.prototype.slice.call(document.querySelectorAll("nav li"));
  box.addEventListener("input", function () {
    var q = box.value.toLowerCase();
    items.forEach(function (li) {
      li.style.display = li.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
    });
  });
  var links = {};
  document.querySelectorAll("nav a").forEach(function (a) {
    links[a.getAttribute("href").slice(1)] = a;
  });
  var spy = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      var a = links[e.target.id];
      if (a && e.isIntersecting) {
        document.querySelectorAll("nav a.active").forEach(function (x) {
          x.classList.remove("active");
        });
        a.classList.add("active");
      }
    });
  }, {rootMargin: "0px 0px -70% 0px"});
  document.querySelectorAll("main [id]").forEach(function (el) { spy.observe(el); });
})();
"""


def render(doc: dict[str, Any]) -> str:
    """Render the bundled AsyncAPI document ``doc`` as one self-contained HTML page."""
    model = build_model(doc)
    homes = model.payload_homes()
    main = [
        f"<h1>{escape(model.title)} {escape(model.version)}</h1>",
        '<p class="meta">Generated from <code>asyncapi.yaml</code> by '
        f"<code>python -m codegen</code>; do not edit by hand. {_EXT} marks chinwag "
        "extensions beyond the seed protocol.</p>",
        _prose(model.description),
        '<h2 id="section-session">Session flow</h2>',
        f'<div class="diagram">{sequence_svg(model)}</div>',
        _channels(model),
    ]
    for direction, title in DIRECTIONS:
        main.append(f'<h2 id="{anchor("section", direction)}">{escape(title)}</h2>')
        main.extend(_event(model, e, homes) for e in model.by_direction(direction))
    main.append(_error_codes(model))
    main.append('<h2 id="section-resources">Resources</h2>')
    main.extend(_schema(s, "h3") for s in model.resources)
    main.append('<h2 id="section-types">Other types</h2>')
    shown = set(homes) | {s.name for s in model.resources}
    main.extend(_schema(s, "h3") for s in model.schemas if s.name not in shown)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(model.title)} {escape(model.version)}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{_nav(model)}\n<main>\n"
        + "\n".join(main)
        + f"\n</main>\n<script>{_JS}</script>\n"
        "</body>\n</html>\n"
    )


def _nav(model: DocModel) -> str:
    def link(target: str, label: str, children: list[str] | None = None) -> str:
        sub = f"<ul>{''.join(children)}</ul>" if children else ""
        return f'<li><a href="#{target}">{label}</a>{sub}</li>'

    entries = [
        link("section-session", "Session flow"),
        link("section-channels", "Channels and rooms"),
    ]
    for direction, title in DIRECTIONS:
        events = [
            link(
                anchor("event", e.key),
                f"<code>{escape(e.name)}</code>" + (_EXT if e.extension else ""),
            )
            for e in model.by_direction(direction)
        ]
        entries.append(link(anchor("section", direction), escape(title), events))
    entries.append(link("section-errors", "Error codes"))
    resources = [link(anchor("schema", s.name), escape(s.name)) for s in model.resources]
    entries.append(link("section-resources", "Resources", resources))
    entries.append(link("section-types", "Other types"))
    return (
        '<nav aria-label="Contents">\n<input id="filter" type="search" placeholder="Filter…" '
        f'aria-label="Filter the contents">\n<ul>{"".join(entries)}</ul>\n</nav>'
    )


def _inline(text: str) -> str:
    """Escape ``text``, then render its inline Markdown: ``code`` and **bold**."""
    out = escape(" ".join(text.split()))
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)


def _prose(text: str) -> str:
    return "\n".join(f"<p>{_inline(p)}</p>" for p in re.split(r"\n\s*\n", text) if p.strip())


def _channels(model: DocModel) -> str:
    rows = []
    for c in model.channels:
        events = ", ".join(_event_link(model, e.key) for e in model.events if c.key in e.channels)
        params = "".join(f" <code>{escape(n)}</code>: {_inline(d)}" for n, d in c.parameters)
        ext = _EXT if c.extension else ""
        rows.append(
            f"<tr><td>{escape(c.title)}{ext}</td><td><code>{escape(c.address)}</code></td>"
            f"<td>{events}</td><td>{_inline(c.description)}{params}</td></tr>"
        )
    head = "<tr><th>Channel</th><th>Address</th><th>Events</th><th>Description</th></tr>"
    return (
        f'<h2 id="section-channels">Channels and rooms</h2>\n<table>{head}{"".join(rows)}</table>'
    )


def _event_link(model: DocModel, key: str) -> str:
    return f'<a href="#{anchor("event", key)}"><code>{escape(model.event(key).name)}</code></a>'


def _event(model: DocModel, event: Event, homes: dict[str, str]) -> str:
    channels = ", ".join(
        f"<code>{escape(model.channel(c).address)}</code> ({escape(model.channel(c).title)})"
        for c in event.channels
    )
    variant = event.title.split("(")[-1].rstrip(")") if "(" in event.title else ""
    heading = f"<code>{escape(event.name)}</code>" + (f" ({escape(variant)})" if variant else "")
    parts = [
        f'<section class="event" id="{anchor("event", event.key)}">',
        f"<h3>{heading}{_EXT if event.extension else ''}</h3>",
        f'<p class="meta"><span class="dir">{DIRECTION_LABELS[event.direction]}</span>'
        f" · channel: {channels}</p>",
        f"<p>{_inline(event.summary)}</p>",
        *(f"<p>{_inline(n)}</p>" for n in event.notes),
    ]
    if event.replies:
        replies = " or ".join(_event_link(model, r) for r in event.replies)
        success = [
            model.event(r).payload
            for r in event.replies
            if not model.is_error_event(model.event(r))
        ]
        ack = " | ".join(_link(n) for n in [*success, model.ack_error])
        parts.append(f"<p><strong>Replies:</strong> {replies}.</p>")
        parts.append(f"<p><strong>Acknowledgement callback argument:</strong> {ack}.</p>")
    if event.reply_to:
        asked = ", ".join(_event_link(model, r) for r in event.reply_to)
        parts.append(f"<p><strong>Reply to:</strong> {asked}.</p>")
    payload = model.schema(event.payload)
    parts.append(f"<p><strong>Payload:</strong> {_link(payload.name)}</p>")
    if homes.get(payload.name) == event.key:
        parts.append(_schema(payload, "h4"))
        if payload.alias is not None and payload.alias.kind == "union":
            parts.extend(
                _schema(model.schema(i.name), "h4") for i in payload.alias.items if i.kind == "ref"
            )
    for example in event.examples:
        parts.append(f"<p>Example <em>{escape(example.name)}</em>:</p>{_json(example.value)}")
    parts.append("</section>")
    return "\n".join(parts)


def _schema(schema: SchemaDef, tag: str) -> str:
    ext = _EXT if schema.extension else ""
    parts = [f'<{tag} id="{anchor("schema", schema.name)}">{escape(schema.name)}{ext}</{tag}>']
    parts.append(f"<p>{_inline(schema.description)}</p>")
    if schema.alias is not None:
        kind = "Exactly one of" if schema.one_of else "Type"
        parts.append(f"<p>{kind}: {_type(schema.alias)}</p>")
        if schema.constraints:
            parts.append(f"<p>Constraints: {_inline('; '.join(schema.constraints))}</p>")
    if schema.fields:
        parts.append(_fields(schema.fields))
        if schema.closed:
            parts.append("<p>No other fields are allowed.</p>")
    parts.extend(f"<p>Example:</p>{_json(e.value)}" for e in schema.examples)
    return "\n".join(parts)


def _fields(fields: tuple[Field, ...]) -> str:
    head = (
        "<tr><th>Field</th><th>Type</th><th>Required</th><th>Constraints</th>"
        "<th>Description</th><th>Ext</th></tr>"
    )
    rows = [
        f"<tr><td><code>{escape(f.name)}</code></td><td>{_type(f.type)}</td>"
        f"<td>{'yes' if f.required else 'no'}</td><td>{_inline('; '.join(f.constraints))}</td>"
        f"<td>{_inline(f.description)}</td><td>{_EXT if f.extension else ''}</td></tr>"
        for f in fields
    ]
    return f"<table>{head}{''.join(rows)}</table>"


def _error_codes(model: DocModel) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(c.code)}</code></td><td>{_inline(c.meaning)}</td></tr>"
        for c in model.error_codes
    )
    intro = (
        "<p>Every failure carries one of these stable codes: in <code>chat:error</code>, "
        f"<code>auth_error</code>, the acknowledgement callback's {_link(model.ack_error)} "
        "and REST error bodies.</p>"
    )
    table = f"<table><tr><th>Code</th><th>Meaning</th></tr>{rows}</table>"
    return f'<h2 id="section-errors">Error codes</h2>\n{intro}\n{table}'


def _type(expr: TypeExpr) -> str:
    return expr.render(ref=_link, literal=lambda v: f"<code>{escape(json.dumps(v))}</code>")


def _link(name: str) -> str:
    return f'<a href="#{anchor("schema", name)}"><code>{escape(name)}</code></a>'


def _json(value: Any) -> str:
    return f"<pre><code>{escape(json.dumps(value, indent=2, ensure_ascii=False))}</code></pre>"
