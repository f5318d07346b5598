"""Render TypeScript declarations of every event (``docs/chinwag-events.d.ts``).

The output declares one type per schema and the two event maps socket.io-client's typed socket
takes, ``Socket<ServerToClientEvents, ClientToServerEvents>``. Optional fields get ``?``, nullable
ones ``| null``, enums become string literal unions; ``any`` is never emitted.
"""

from __future__ import annotations

import json
from typing import Any

from codegen.docs_model import DocModel, Event, build_model
from codegen.docs_schema import Field, SchemaDef, TypeExpr

__all__ = ["render"]

_PRIMS = {"string": "string", "integer": "number", "number": "number", "boolean": "boolean"}
_PRIMS["null"] = "null"
_CLOSE, _CLOSE_SAFE = "*/", "*\\/"
_IDENT_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


def render(doc: dict[str, Any]) -> str:
    """Render the bundled AsyncAPI document ``doc`` as a TypeScript declaration file."""
    model = build_model(doc)
    parts = [_header(model)]
    parts.extend(_schema(model, s) for s in model.schemas)
    parts.append(
        "/** The acknowledgement callback of a client → server event: the success payload, or\n"
        f" * {model.ack_error} when the request failed (the reply event is emitted as well). */\n"
        f"export type Ack<T> = (response: T | {model.ack_error}) => void;"
    )
    parts.append(_event_map(model, "ServerToClientEvents", "server_to_client"))
    parts.append(_event_map(model, "ClientToServerEvents", "client_to_server"))
    parts.append(_names(model))
    return "\n\n".join(parts) + "\n"


def _header(model: DocModel) -> str:
    return (
        f"/**\n * {model.title} {model.version}: TypeScript declarations of every Socket.IO "
        "event.\n"
        " *\n * Generated from asyncapi.yaml by `python -m codegen`; do not edit by hand.\n"
        " * Usage (socket.io-client v4):\n"
        ' *   import { io, Socket } from "socket.io-client";\n'
        " *   const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url);\n */"
    )


def _doc(text: str, indent: str = "", extra: tuple[str, ...] = ()) -> str:
    """A JSDoc comment (or nothing), with ``*/`` defused."""
    lines = [" ".join(text.split())] if text.strip() else []
    lines += list(extra)
    if not lines:
        return ""
    body = "\n".join(f"{indent} * {line.replace(_CLOSE, _CLOSE_SAFE)}" for line in lines)
    return f"{indent}/**\n{body}\n{indent} */\n"


def ts_type(expr: TypeExpr) -> str:
    """The TypeScript spelling of ``expr``."""
    return expr.render(
        ref=str,
        prim=lambda p: _PRIMS[p],
        obj="{ [key: string]: unknown }",
        mapping=lambda v: f"{{ [key: string]: {v} }}",
    )


def _key(name: str) -> str:
    return name if name and set(name) <= _IDENT_SAFE and not name[0].isdigit() else json.dumps(name)


def _constraints(constraints: tuple[str, ...]) -> tuple[str, ...]:
    text = "; ".join(c.replace("`", "") for c in constraints)
    return (f"Constraints: {text}.",) if text else ()


def _field(field: Field) -> str:
    extra = _constraints(field.constraints)
    extra += ("chinwag extension.",) if field.extension else ()
    optional = "" if field.required else "?"
    return (
        _doc(field.description, "  ", extra)
        + f"  {_key(field.name)}{optional}: {ts_type(field.type)};"
    )


def _schema(model: DocModel, schema: SchemaDef) -> str:
    extra: tuple[str, ...] = ("chinwag extension.",) if schema.extension else ()
    if schema.alias is None:
        fields = "\n".join(_field(f) for f in schema.fields)
        body = f"export interface {schema.name} {{\n{fields}\n}}"
    elif schema.one_of and all(i.kind == "ref" for i in schema.alias.items):
        body = (
            f"export type {schema.name} =\n"
            + "\n".join(
                f"  | {_closed_variant(model, i.name, schema.alias.items)}"
                for i in schema.alias.items
            )
            + ";"
        )
    else:
        extra += _constraints(schema.constraints)
        body = f"export type {schema.name} = {ts_type(schema.alias)};"
    return _doc(schema.description, "", extra) + body


def _closed_variant(model: DocModel, name: str, siblings: tuple[TypeExpr, ...]) -> str:
    """A ``oneOf`` variant that forbids its siblings' fields, so the union stays exclusive."""
    own = {f.name for f in model.schema(name).fields}
    others = sorted(
        {f.name for s in siblings for f in model.schema(s.name).fields} - own,
    )
    if not others:
        return name
    forbidden = "; ".join(f"{_key(n)}?: never" for n in others)
    return f"({name} & {{ {forbidden} }})"


def _event_map(model: DocModel, name: str, direction: str) -> str:
    lines = []
    for event in model.events:
        if event.direction != direction:
            continue
        lines.append(
            _doc(event.summary, "  ", _event_notes(model, event)) + _event_sig(model, event)
        )
    what = "the server emits" if direction == "server_to_client" else "the client emits"
    return (
        f"/** Every event {what}, by wire name. */\nexport interface {name} {{\n"
        + "\n".join(lines)
        + "\n}"
    )


def _event_notes(model: DocModel, event: Event) -> tuple[str, ...]:
    channels = ", ".join(model.channel(c).address for c in event.channels)
    notes: tuple[str, ...] = (f"Channel: {channels}.",)
    if event.replies:
        notes += ("Replies: " + ", ".join(model.event(r).name for r in event.replies) + ".",)
    return notes + (("chinwag extension.",) if event.extension else ())


def _event_sig(model: DocModel, event: Event) -> str:
    sig = f"  {json.dumps(event.name)}: (payload: {event.payload}"
    if event.direction == "client_to_server" and event.replies:
        success = [
            model.event(r).payload
            for r in event.replies
            if not model.is_error_event(model.event(r))
        ]
        sig += f", ack?: Ack<{' | '.join(success) or 'never'}>"
    return sig + ") => void;"


def _names(model: DocModel) -> str:
    out = []
    for alias, direction in (
        ("ServerToClientEventName", "server_to_client"),
        ("ClientToServerEventName", "client_to_server"),
    ):
        names = sorted({json.dumps(e.name) for e in model.events if e.direction == direction})
        out.append(f"export type {alias} =\n" + "\n".join(f"  | {n}" for n in names) + ";")
    return "\n\n".join(out)
