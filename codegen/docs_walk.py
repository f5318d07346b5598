"""Walk a bundled AsyncAPI document into a :class:`codegen.docs_model.DocModel`."""

from __future__ import annotations

import re
from typing import Any

from codegen.docs_model import (
    Channel,
    Direction,
    DocModel,
    ErrorCode,
    Event,
    Example,
    Field,
    ModelError,
    SchemaDef,
    TypeExpr,
)

__all__ = ["ModelBuilder", "constraints_of", "type_of"]

_MESSAGE_PREFIX = "#/components/messages/"
_SCHEMA_PREFIX = "#/components/schemas/"
_EXTENSION = "x-chinwag-extension"
_PRIMS = ("string", "integer", "number", "boolean", "null")
# "`code`: meaning" or "`a`, `b`: shared meaning" inside the ErrorCode description.
_CODE_LABEL = re.compile(r"((?:`[a-z_]+`,\s*)*`[a-z_]+`):\s")


def _schema_name(ref: str) -> str:
    if not ref.startswith(_SCHEMA_PREFIX):
        raise ModelError(f"schema ref {ref!r} is not bundled into components/schemas")
    return ref[len(_SCHEMA_PREFIX) :]


def type_of(schema: dict[str, Any]) -> TypeExpr:
    """The :class:`TypeExpr` of an inline schema (refs stay names)."""
    if "$ref" in schema:
        return TypeExpr("ref", _schema_name(schema["$ref"]))
    for keyword in ("oneOf", "anyOf"):
        if keyword in schema:
            return _union([type_of(option) for option in schema[keyword]])
    if "enum" in schema:
        return TypeExpr("enum", values=tuple(str(v) for v in schema["enum"]))
    declared = schema.get("type")
    if isinstance(declared, list):
        return _union([type_of({**schema, "type": t}) for t in declared])
    if declared == "array":
        return TypeExpr("array", items=(type_of(schema.get("items", {})),))
    if declared in _PRIMS:
        return TypeExpr("prim", str(declared))
    return TypeExpr("object")


def _union(options: list[TypeExpr]) -> TypeExpr:
    flat: list[TypeExpr] = []
    for option in options:
        for item in option.items if option.kind == "union" else (option,):
            if item not in flat:
                flat.append(item)
    return flat[0] if len(flat) == 1 else TypeExpr("union", items=tuple(flat))


def constraints_of(schema: dict[str, Any]) -> tuple[str, ...]:
    """Human-readable constraints of one schema level (not following refs)."""
    out: list[str] = []
    if "format" in schema:
        out.append(f"format {schema['format']}")
    if schema.get("minLength") is not None and schema.get("minLength") == schema.get("maxLength"):
        out.append(f"exactly {schema['minLength']} chars")
    else:
        if "minLength" in schema:
            out.append(f"min {schema['minLength']} chars")
        if "maxLength" in schema:
            out.append(f"max {schema['maxLength']} chars")
    if "minimum" in schema:
        out.append(f"≥ {schema['minimum']}")
    if "maximum" in schema:
        out.append(f"≤ {schema['maximum']}")
    if "minItems" in schema:
        out.append(f"min {schema['minItems']} items")
    if "maxItems" in schema:
        out.append(f"max {schema['maxItems']} items")
    if schema.get("uniqueItems"):
        out.append("unique items")
    if "pattern" in schema:
        out.append(f"pattern `{schema['pattern']}`")
    if "default" in schema:
        out.append(f"default {schema['default']!r}")
    return tuple(out)


class ModelBuilder:
    """Reads one bundled document; :meth:`build` returns its model."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        components = doc.get("components", {})
        self.messages: dict[str, Any] = components.get("messages", {})
        self.raw_schemas: dict[str, Any] = components.get("schemas", {})
        self.operations: dict[str, Any] = doc.get("operations", {})
        self.raw_channels: dict[str, Any] = doc.get("channels", {})

    def resolve(self, ref: str) -> Any:
        """Follow an internal ``#/...`` pointer (and a ``$ref`` found there)."""
        if not ref.startswith("#/"):
            raise ModelError(f"not an internal ref: {ref!r}")
        node: Any = self.doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        if isinstance(node, dict) and set(node) == {"$ref"}:
            return self.resolve(node["$ref"])
        return node

    def message_key(self, ref: str) -> str:
        """The ``components/messages`` key that a channel or operation message ref points at."""
        target = self.resolve(ref)
        for key, message in self.messages.items():
            if message is target:
                return key
        raise ModelError(f"{ref!r} does not lead to a component message")

    def build(self) -> DocModel:
        """Build the whole model."""
        info = self.doc.get("info", {})
        ack = self.doc.get("x-chinwag-ack-error", {}).get("payload", {}).get("$ref", "")
        model = DocModel(
            title=str(info.get("title", "")),
            version=str(info.get("version", "")),
            description=str(info.get("description", "")).strip(),
            events=self._events(),
            channels=tuple(self._channel(k, v) for k, v in self.raw_channels.items()),
            schemas=tuple(self._schema(k, v) for k, v in self.raw_schemas.items()),
            error_codes=self._error_codes(),
            ack_error=_schema_name(ack) if ack else "ErrorBody",
        )
        keys = {e.key for e in model.events}
        for step in model.session:
            if step.event_key and step.event_key not in keys:
                raise ModelError(f"session flow uses unknown message {step.event_key!r}")
        return model

    def _channel(self, key: str, raw: dict[str, Any]) -> Channel:
        params = raw.get("parameters", {})
        return Channel(
            key=key,
            address=str(raw.get("address", key)),
            title=str(raw.get("title", key)),
            description=str(raw.get("description", "")).strip(),
            parameters=tuple((n, str(p.get("description", ""))) for n, p in params.items()),
            extension=bool(raw.get(_EXTENSION)),
        )

    def _events(self) -> tuple[Event, ...]:
        inbound: dict[str, list[str]] = {}
        notes: dict[str, list[str]] = {}
        replies: dict[str, list[str]] = {}
        reply_to: dict[str, list[str]] = {}
        ext_ops: set[str] = set()
        for op in self.operations.values():
            keys = [self.message_key(m["$ref"]) for m in op.get("messages", [])]
            text = str(op.get("description") or op.get("summary") or "").strip()
            for key in keys:
                if op.get("action") == "receive":
                    inbound.setdefault(key, [])
                if text and text not in notes.setdefault(key, []):
                    notes[key].append(text)
                if op.get(_EXTENSION):
                    ext_ops.add(key)
            for reply in op.get("reply", {}).get("messages", []):
                reply_key = self.message_key(reply["$ref"])
                for key in keys:
                    replies.setdefault(key, []).append(reply_key)
                    reply_to.setdefault(reply_key, []).append(key)
        channels: dict[str, list[str]] = {}
        for channel_key, channel in self.raw_channels.items():
            for ref in channel.get("messages", {}).values():
                channels.setdefault(self.message_key(ref["$ref"]), []).append(channel_key)
        events = []
        for key, message in self.messages.items():
            payload = _schema_name(message.get("payload", {}).get("$ref", ""))
            direction: Direction = "client_to_server" if key in inbound else "server_to_client"
            extension = bool(
                message.get(_EXTENSION)
                or key in ext_ops
                or self.raw_schemas.get(payload, {}).get(_EXTENSION)
            )
            events.append(
                Event(
                    key=key,
                    name=str(message["name"]),
                    title=str(message.get("title", message["name"])),
                    direction=direction,
                    summary=str(message.get("summary", "")).strip(),
                    notes=tuple(notes.get(key, ())),
                    channels=tuple(channels.get(key, ())),
                    payload=payload,
                    extension=extension,
                    examples=_examples(message.get("examples", []), payload=True),
                    replies=tuple(replies.get(key, ())),
                    reply_to=tuple(reply_to.get(key, ())),
                )
            )
        order = {"client_to_server": 0, "server_to_client": 1}
        return tuple(sorted(events, key=lambda e: order[e.direction]))

    def _target(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The named schema a property refers to, or ``{}`` for an inline one."""
        if "$ref" in schema:
            target: dict[str, Any] = self.raw_schemas.get(_schema_name(schema["$ref"]), {})
            return target
        return {}

    def _field(self, name: str, raw: dict[str, Any], required: bool) -> Field:
        target = self._target(raw)
        inherited = constraints_of(target) if target.get("type") != "object" else ()
        if "format" in target:  # the format says it; the alias's own section shows the pattern
            inherited = tuple(c for c in inherited if not c.startswith("pattern"))
        own = constraints_of(raw)
        items = raw.get("items", {})
        if isinstance(items, dict):
            own += tuple(f"items: {c}" for c in constraints_of(self._target(items) or items))
        return Field(
            name=name,
            type=type_of(raw),
            required=required,
            description=str(raw.get("description") or target.get("description") or "").strip(),
            constraints=tuple(dict.fromkeys(inherited + own)),
            extension=bool(raw.get(_EXTENSION)),
        )

    def _schema(self, name: str, raw: dict[str, Any]) -> SchemaDef:
        properties: dict[str, Any] = raw.get("properties", {})
        required = set(raw.get("required", []))
        is_object = raw.get("type") == "object" or bool(properties)
        return SchemaDef(
            name=name,
            kind="object" if is_object else "alias",
            description=str(raw.get("description", "")).strip(),
            fields=tuple(self._field(k, v, k in required) for k, v in properties.items()),
            alias=None if is_object else type_of(raw),
            constraints=() if is_object else constraints_of(raw),
            closed=raw.get("additionalProperties") is False,
            one_of="oneOf" in raw,
            extension=bool(raw.get(_EXTENSION)),
            examples=_examples(raw.get("examples", []), payload=False),
        )

    def _error_codes(self) -> tuple[ErrorCode, ...]:
        raw = self.raw_schemas.get("ErrorCode")
        if raw is None:
            raise ModelError("components/schemas/ErrorCode is missing")
        text = " ".join(str(raw.get("description", "")).split())
        meanings: dict[str, str] = {}
        labels = list(_CODE_LABEL.finditer(text))
        for index, match in enumerate(labels):
            end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
            for code in re.findall(r"`([a-z_]+)`", match.group(1)):
                meanings[code] = text[match.end() : end].strip()
        return tuple(ErrorCode(str(c), meanings.get(str(c), "")) for c in raw.get("enum", []))


def _examples(raw: list[Any], *, payload: bool) -> tuple[Example, ...]:
    """Message examples are ``{name, payload}``; schema examples are bare values."""
    if payload:
        return tuple(Example(str(e.get("name", "")), e.get("payload")) for e in raw)
    return tuple(Example("", e) for e in raw)
