"""Walk a bundled AsyncAPI document into a :class:`codegen.docs_model.DocModel`.

Events, channels and error codes are read here; each schema is read by
:mod:`codegen.docs_schema_walk`.
"""

from __future__ import annotations

import re
from typing import Any

from codegen.docs_model import Channel, Direction, DocModel, ErrorCode, Event, ModelError
from codegen.docs_schema_walk import EXTENSION, examples, schema_def, schema_name

__all__ = ["ModelBuilder"]

# "`code`: meaning" or "`a`, `b`: shared meaning" inside the ErrorCode description.
_CODE_LABEL = re.compile(r"((?:`[a-z_]+`,\s*)*`[a-z_]+`):\s")


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
            schemas=tuple(schema_def(k, v, self.raw_schemas) for k, v in self.raw_schemas.items()),
            error_codes=self._error_codes(),
            ack_error=schema_name(ack) if ack else "ErrorBody",
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
            extension=bool(raw.get(EXTENSION)),
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
                if op.get(EXTENSION):
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
            payload = schema_name(message.get("payload", {}).get("$ref", ""))
            direction: Direction = "client_to_server" if key in inbound else "server_to_client"
            extension = bool(
                message.get(EXTENSION)
                or key in ext_ops
                or self.raw_schemas.get(payload, {}).get(EXTENSION)
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
                    examples=examples(message.get("examples", []), payload=True),
                    replies=tuple(replies.get(key, ())),
                    reply_to=tuple(reply_to.get(key, ())),
                )
            )
        order = {"client_to_server": 0, "server_to_client": 1}
        return tuple(sorted(events, key=lambda e: order[e.direction]))

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
