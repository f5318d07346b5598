"""A typed view of the bundled AsyncAPI document, shared by the docs and TypeScript renderers.

The renderers (``docs_markdown``, ``docs_html``, ``typescript``) read events, channels, schemas
and error codes from a :class:`DocModel` instead of each walking the raw dict, so they cannot
disagree on what the contract says. :func:`build_model` expects the output of ``codegen.bundle``
(every schema in ``components/schemas``; channels, messages and replies as internal ``$ref`` s).
The schemas' own types (:class:`~codegen.docs_schema.SchemaDef` and its parts) are in
:mod:`codegen.docs_schema`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from codegen.docs_schema import Example, SchemaDef, TypeExpr
from codegen.docs_session import SESSION_PARTICIPANTS, SESSION_STEPS, Step

__all__ = [
    "DIRECTIONS",
    "DIRECTION_LABELS",
    "RESOURCE_NAMES",
    "Channel",
    "Direction",
    "DocModel",
    "ErrorCode",
    "Event",
    "ModelError",
    "Step",
    "anchor",
    "build_model",
    "load_docs_document",
]

#: The shared resources the docs describe in their own section, in this order.
RESOURCE_NAMES = (
    "Message",
    "Conversation",
    "Campaign",
    "Attachment",
    "ActionData",
    "Error",
)

Direction = Literal["client_to_server", "server_to_client"]
#: Both directions with their section titles, in the order the docs list them.
DIRECTIONS: tuple[tuple[Direction, str], ...] = (
    ("client_to_server", "Client → server events"),
    ("server_to_client", "Server → client events"),
)
#: How the docs name each direction.
DIRECTION_LABELS: dict[Direction, str] = {
    "client_to_server": "client → server",
    "server_to_client": "server → client",
}


class ModelError(ValueError):
    """The bundled document does not have the shape the renderers rely on."""


@dataclass(frozen=True)
class Channel:
    """A channel: the socket itself or a server-side room."""

    key: str
    address: str
    title: str
    description: str
    parameters: tuple[tuple[str, str], ...]
    extension: bool


@dataclass(frozen=True)
class Event:
    """One message of ``components/messages``: a wire event in one direction."""

    key: str
    name: str
    title: str
    direction: Direction
    summary: str
    notes: tuple[str, ...]
    channels: tuple[str, ...]
    payload: str
    extension: bool
    examples: tuple[Example, ...]
    replies: tuple[str, ...]
    reply_to: tuple[str, ...]


@dataclass(frozen=True)
class ErrorCode:
    """A stable error code and what it means."""

    code: str
    meaning: str


@dataclass(frozen=True)
class DocModel:
    """Everything the renderers print, in contract order."""

    title: str
    version: str
    description: str
    events: tuple[Event, ...]
    channels: tuple[Channel, ...]
    schemas: tuple[SchemaDef, ...]
    error_codes: tuple[ErrorCode, ...]
    ack_error: str
    participants: tuple[tuple[str, str], ...] = SESSION_PARTICIPANTS
    session: tuple[Step, ...] = SESSION_STEPS

    def event(self, key: str) -> Event:
        """The event whose message key is ``key``."""
        return next(e for e in self.events if e.key == key)

    def schema(self, name: str) -> SchemaDef:
        """The schema named ``name``."""
        return next(s for s in self.schemas if s.name == name)

    def channel(self, key: str) -> Channel:
        """The channel whose key is ``key``."""
        return next(c for c in self.channels if c.key == key)

    def by_direction(self, direction: Direction) -> tuple[Event, ...]:
        """The events travelling in ``direction``."""
        return tuple(e for e in self.events if e.direction == direction)

    @property
    def resources(self) -> tuple[SchemaDef, ...]:
        """The shared resource schemas present in the document, in :data:`RESOURCE_NAMES` order."""
        names = {s.name for s in self.schemas}
        return tuple(self.schema(n) for n in RESOURCE_NAMES if n in names)

    def payload_homes(self) -> dict[str, str]:
        """Payload schema name → key of the first event that documents it (and a union's variants).

        The docs print a payload's table once, in that event's section; other events link to it.
        """
        homes: dict[str, str] = {}
        for event in self.events:
            schema = self.schema(event.payload)
            homes.setdefault(schema.name, event.key)
            if schema.alias is not None and schema.alias.kind == "union":
                for item in schema.alias.items:
                    if item.kind == "ref":
                        homes.setdefault(item.name, event.key)
        return homes

    def is_error_event(self, event: Event) -> bool:
        """True when the event reports a failure (its payload has a field typed ``ErrorCode``)."""
        schema = self.schema(event.payload)
        return any(f.type == TypeExpr("ref", "ErrorCode") for f in schema.fields)


def anchor(kind: str, name: str) -> str:
    """A stable HTML id for a section, e.g. ``anchor("event", "chatSend") == "event-chatsend"``."""
    return f"{kind}-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def load_docs_document(asyncapi_path: Path) -> dict[str, Any]:
    """Bundle ``asyncapi_path`` with every shared definition, used or not, for the docs.

    The plain bundle copies only the definitions the protocol uses; the docs also describe the REST
    resources (Conversation, Campaign), so every ``$defs`` entry is added as an alias first.
    """
    from codegen.bundle import bundle_document, load_yaml

    doc = load_yaml(asyncapi_path)
    shared = load_yaml(asyncapi_path.parent / "schemas.yaml").get("$defs", {})
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in shared:
        schemas.setdefault(name, {"$ref": f"./schemas.yaml#/$defs/{name}"})
    from codegen.wrapped_refs import unwrap_single_allof

    bundled: dict[str, Any] = unwrap_single_allof(bundle_document(doc, asyncapi_path.parent))
    return bundled


def build_model(doc: dict[str, Any]) -> DocModel:
    """Build the :class:`DocModel` of a bundled AsyncAPI document."""
    from codegen.docs_walk import ModelBuilder

    return ModelBuilder(doc).build()
