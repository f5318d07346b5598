"""Render the protocol reference as Markdown (``docs/protocol.md``)."""

from __future__ import annotations

from typing import Any

from codegen.docs_markdown_schema import (
    EXT,
    cell,
    json_block,
    mark,
    schema_link,
    schema_section,
)
from codegen.docs_model import (
    DIRECTION_LABELS,
    DIRECTIONS,
    DocModel,
    Event,
    anchor,
    build_model,
)

__all__ = ["render"]


def render(doc: dict[str, Any]) -> str:
    """Render the bundled AsyncAPI document ``doc`` as one Markdown page."""
    model = build_model(doc)
    parts = [
        f"# {model.title} {model.version}",
        "> Generated from `asyncapi.yaml` by `python -m codegen`; do not edit by hand. "
        f"Fields and events marked **{EXT}** are chinwag extensions beyond the seed protocol.",
        model.description,
        _contents(model),
        _session(model),
        _channels(model),
    ]
    homes = model.payload_homes()
    for direction, title in DIRECTIONS:
        parts.append(f'<a id="{anchor("section", direction)}"></a>\n\n## {title}')
        parts.extend(_event(model, e, homes) for e in model.by_direction(direction))
    parts.append(_error_codes(model))
    parts.append('<a id="section-resources"></a>\n\n## Resources')
    parts.extend(schema_section(model, s, level=3) for s in model.resources)
    parts.append('<a id="section-types"></a>\n\n## Other types')
    shown = set(homes) | {s.name for s in model.resources}
    parts.extend(schema_section(model, s, level=3) for s in model.schemas if s.name not in shown)
    return "\n\n".join(p.strip() for p in parts if p.strip()) + "\n"


def _contents(model: DocModel) -> str:
    lines = [
        "## Contents",
        "",
        "- [Session flow](#section-session)",
        "- [Channels and rooms](#section-channels)",
    ]
    for direction, title in DIRECTIONS:
        lines.append(f"- [{title}](#{anchor('section', direction)})")
        for event in model.by_direction(direction):
            lines.append(
                f"  - [`{event.name}`](#{anchor('event', event.key)})" + mark(event.extension)
            )
    lines += ["- [Error codes](#section-errors)", "- [Resources](#section-resources)"]
    lines += [f"  - [{s.name}](#{anchor('schema', s.name)})" for s in model.resources]
    lines.append("- [Other types](#section-types)")
    return "\n".join(lines)


def _session(model: DocModel) -> str:
    lines = ["```mermaid", "sequenceDiagram"]
    lines += [f"    participant {pid} as {label}" for pid, label in model.participants]
    for step in model.session:
        if step.source == step.target:
            lines.append(f"    Note over {step.source}: {step.label}")
        else:
            lines.append(f"    {step.source}->>{step.target}: {step.label}")
    lines.append("```")
    intro = (
        '<a id="section-session"></a>\n\n## Session flow\n\n'
        "A typical session: authenticate, join, send, the server's fan-out, a read receipt, "
        "then an automated message after a flow takes over."
    )
    return intro + "\n\n" + "\n".join(lines)


def _channels(model: DocModel) -> str:
    rows = ["| Channel | Address | Events | Description |", "| --- | --- | --- | --- |"]
    for channel in model.channels:
        events = ", ".join(
            f"[`{e.name}`](#{anchor('event', e.key)})"
            for e in model.events
            if channel.key in e.channels
        )
        desc = channel.description + "".join(f" `{n}`: {d}" for n, d in channel.parameters)
        rows.append(
            f"| {cell(channel.title)}{mark(channel.extension)} | `{channel.address}` "
            f"| {events} | {cell(desc)} |"
        )
    return '<a id="section-channels"></a>\n\n## Channels and rooms\n\n' + "\n".join(rows)


def _event(model: DocModel, event: Event, homes: dict[str, str]) -> str:
    channels = ", ".join(
        f"`{model.channel(c).address}` ({model.channel(c).title})" for c in event.channels
    )
    lines = [
        f'<a id="{anchor("event", event.key)}"></a>',
        "",
        f"### `{event.name}`"
        + (f" ({event.title.split('(')[-1].rstrip(')')})" if "(" in event.title else ""),
        "",
        f"**Direction:** {DIRECTION_LABELS[event.direction]} · **Channel:** {channels}"
        + mark(event.extension, bold=True),
        "",
        event.summary,
    ]
    lines += ["", "\n\n".join(event.notes)] if event.notes else []
    if event.replies:
        replies = " or ".join(
            f"[`{model.event(r).name}`](#{anchor('event', r)})" for r in event.replies
        )
        lines += ["", f"**Replies:** {replies}."]
        success = [
            model.event(r).payload
            for r in event.replies
            if not model.is_error_event(model.event(r))
        ]
        ack = " \\| ".join(schema_link(n) for n in [*success, model.ack_error])
        lines += ["", f"**Acknowledgement callback argument:** {ack}."]
    if event.reply_to:
        asked = ", ".join(
            f"[`{model.event(r).name}`](#{anchor('event', r)})" for r in event.reply_to
        )
        lines += ["", f"**Reply to:** {asked}."]
    payload = model.schema(event.payload)
    lines += ["", f"**Payload:** {schema_link(payload.name)}"]
    if homes.get(payload.name) == event.key:
        lines += ["", schema_section(model, payload, level=4)]
        if payload.alias is not None and payload.alias.kind == "union":
            lines += [
                "",
                *(
                    schema_section(model, model.schema(i.name), level=4)
                    for i in payload.alias.items
                    if i.kind == "ref"
                ),
            ]
    for example in event.examples:
        lines += ["", f"Example *{example.name}*:", "", json_block(example.value)]
    return "\n".join(lines)


def _error_codes(model: DocModel) -> str:
    rows = ["| Code | Meaning |", "| --- | --- |"]
    rows += [f"| `{c.code}` | {cell(c.meaning)} |" for c in model.error_codes]
    intro = (
        "Every failure carries one of these stable codes: in `chat:error`, `auth_error`, the "
        f"acknowledgement callback's {schema_link(model.ack_error)} and REST error bodies."
    )
    return '<a id="section-errors"></a>\n\n## Error codes\n\n' + intro + "\n\n" + "\n".join(rows)
