"""Render the protocol reference as one self-contained HTML page (``docs/protocol.html``).

Everything is inline (CSS, a few lines of JS, the SVG session diagram), so the page works offline
and from ``file://``; it has no external URL anywhere.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from codegen.docs_html_assets import CSS, JS
from codegen.docs_html_schema import EXT, inline, json_block, schema_link, schema_section
from codegen.docs_model import (
    DIRECTION_LABELS,
    DIRECTIONS,
    DocModel,
    Event,
    anchor,
    build_model,
)
from codegen.docs_svg import sequence_svg

__all__ = ["render"]


def render(doc: dict[str, Any]) -> str:
    """Render the bundled AsyncAPI document ``doc`` as one self-contained HTML page."""
    model = build_model(doc)
    homes = model.payload_homes()
    main = [
        f"<h1>{escape(model.title)} {escape(model.version)}</h1>",
        '<p class="meta">Generated from <code>asyncapi.yaml</code> by '
        f"<code>python -m codegen</code>; do not edit by hand. {EXT} marks chinwag "
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
    main.extend(schema_section(s, "h3") for s in model.resources)
    main.append('<h2 id="section-types">Other types</h2>')
    shown = set(homes) | {s.name for s in model.resources}
    main.extend(schema_section(s, "h3") for s in model.schemas if s.name not in shown)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(model.title)} {escape(model.version)}</title>\n"
        f"<style>{CSS}</style>\n</head>\n"
        f"<body>\n{_nav(model)}\n<main>\n" + "\n".join(main) + f"\n</main>\n<script>{JS}</script>\n"
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
                f"<code>{escape(e.name)}</code>" + (EXT if e.extension else ""),
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


def _prose(text: str) -> str:
    return "\n".join(f"<p>{inline(p)}</p>" for p in re.split(r"\n\s*\n", text) if p.strip())


def _channels(model: DocModel) -> str:
    rows = []
    for c in model.channels:
        events = ", ".join(_event_link(model, e.key) for e in model.events if c.key in e.channels)
        params = "".join(f" <code>{escape(n)}</code>: {inline(d)}" for n, d in c.parameters)
        ext = EXT if c.extension else ""
        rows.append(
            f"<tr><td>{escape(c.title)}{ext}</td><td><code>{escape(c.address)}</code></td>"
            f"<td>{events}</td><td>{inline(c.description)}{params}</td></tr>"
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
        f"<h3>{heading}{EXT if event.extension else ''}</h3>",
        f'<p class="meta"><span class="dir">{DIRECTION_LABELS[event.direction]}</span>'
        f" · channel: {channels}</p>",
        f"<p>{inline(event.summary)}</p>",
        *(f"<p>{inline(n)}</p>" for n in event.notes),
    ]
    if event.replies:
        replies = " or ".join(_event_link(model, r) for r in event.replies)
        success = [
            model.event(r).payload
            for r in event.replies
            if not model.is_error_event(model.event(r))
        ]
        ack = " | ".join(schema_link(n) for n in [*success, model.ack_error])
        parts.append(f"<p><strong>Replies:</strong> {replies}.</p>")
        parts.append(f"<p><strong>Acknowledgement callback argument:</strong> {ack}.</p>")
    if event.reply_to:
        asked = ", ".join(_event_link(model, r) for r in event.reply_to)
        parts.append(f"<p><strong>Reply to:</strong> {asked}.</p>")
    payload = model.schema(event.payload)
    parts.append(f"<p><strong>Payload:</strong> {schema_link(payload.name)}</p>")
    if homes.get(payload.name) == event.key:
        parts.append(schema_section(payload, "h4"))
        if payload.alias is not None and payload.alias.kind == "union":
            parts.extend(
                schema_section(model.schema(i.name), "h4")
                for i in payload.alias.items
                if i.kind == "ref"
            )
    for example in event.examples:
        parts.append(f"<p>Example <em>{escape(example.name)}</em>:</p>{json_block(example.value)}")
    parts.append("</section>")
    return "\n".join(parts)


def _error_codes(model: DocModel) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(c.code)}</code></td><td>{inline(c.meaning)}</td></tr>"
        for c in model.error_codes
    )
    intro = (
        "<p>Every failure carries one of these stable codes: in <code>chat:error</code>, "
        f"<code>auth_error</code>, the acknowledgement callback's {schema_link(model.ack_error)} "
        "and REST error bodies.</p>"
    )
    table = f"<table><tr><th>Code</th><th>Meaning</th></tr>{rows}</table>"
    return f'<h2 id="section-errors">Error codes</h2>\n{intro}\n{table}'
