"""The contract as the harness sees it: operations, their messages and declared replies.

Everything the harness does is derived from these objects, so a new operation with an example in
asyncapi.yaml is exercised without new harness code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.deref import RefError, Resolver

__all__ = ["Contract", "MessageSpec", "OperationSpec", "load_contract"]

_MESSAGES = "#/components/messages/"


@dataclass(frozen=True)
class MessageSpec:
    """One message: its component key, wire event name, inlined payload schema and examples."""

    key: str
    name: str
    schema: dict[str, Any]
    examples: tuple[tuple[str, Any], ...] = ()
    is_error: bool = False


@dataclass(frozen=True)
class OperationSpec:
    """One AsyncAPI operation; ``receive`` operations are client→server requests."""

    key: str
    action: str
    channel: str
    messages: tuple[MessageSpec, ...]
    replies: tuple[MessageSpec, ...] = ()
    #: ``x-chinwag-recipients`` of a send operation (room, room-except-sender, socket, …).
    recipients: str | None = None
    #: Room channel a request's success puts the socket in (``x-chinwag-joins``) or takes it out of.
    joins: str | None = None
    leaves: str | None = None
    #: ``x-chinwag-error-codes``: the codes the operation's error reply may carry.
    error_codes: tuple[str, ...] = ()

    @property
    def request(self) -> MessageSpec:
        """The request message (a receive operation has exactly one)."""
        return self.messages[0]

    @property
    def success_replies(self) -> tuple[MessageSpec, ...]:
        """Declared replies that are not errors."""
        return tuple(m for m in self.replies if not m.is_error)

    @property
    def error_replies(self) -> tuple[MessageSpec, ...]:
        """Declared replies carrying an error code."""
        return tuple(m for m in self.replies if m.is_error)


@dataclass
class Contract:
    """Operations and the server→client message catalogue of one asyncapi.yaml."""

    path: Path
    requests: dict[str, OperationSpec]
    broadcasts: dict[str, OperationSpec]
    error_codes: tuple[str, ...]
    ack_error_schema: dict[str, Any]
    #: Room channel key → its parameter names (``conversationRoom`` → ``("conversationId",)``).
    rooms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    outbound: dict[str, list[MessageSpec]] = field(default_factory=dict)

    def outbound_names(self) -> set[str]:
        """Every event name the server may send."""
        return set(self.outbound)


def _message_key(resolver: Resolver, ref: str, base: Path) -> str:
    """Follow a chain of message refs to ``#/components/messages/<key>`` and return the key."""
    seen: set[str] = set()
    while not ref.startswith(_MESSAGES):
        if ref in seen:
            raise RefError(f"message reference cycle at {ref!r}")
        seen.add(ref)
        node, base = resolver.lookup(ref, base)
        if not isinstance(node, dict) or "$ref" not in node:
            raise RefError(f"{ref!r} is not a reference to a components message")
        ref = node["$ref"]
    return ref[len(_MESSAGES) :]


def _error_codes(ack_schema: dict[str, Any]) -> tuple[str, ...]:
    code = ack_schema.get("properties", {}).get("error", {}).get("properties", {}).get("code", {})
    enum = code.get("enum")
    if not isinstance(enum, list) or not enum:
        raise RefError("x-chinwag-ack-error payload does not declare error.code as an enum")
    return tuple(str(c) for c in enum)


def load_contract(path: Path) -> Contract:
    """Load ``asyncapi.yaml`` (and the files it refs) into a :class:`Contract`."""
    path = path.resolve()
    resolver = Resolver(path)
    doc = resolver.document(path)
    ack_schema = resolver.inline(doc["x-chinwag-ack-error"]["payload"], path)
    codes = _error_codes(ack_schema)
    cache: dict[str, MessageSpec] = {}

    def message(ref: str) -> MessageSpec:
        key = _message_key(resolver, ref, path)
        if key not in cache:
            raw = doc["components"]["messages"][key]
            inlined = resolver.inline(raw, path)
            schema = inlined.get("payload", {})
            examples = tuple(
                (str(ex.get("name", f"example{i}")), ex["payload"])
                for i, ex in enumerate(inlined.get("examples", []))
                if "payload" in ex
            )
            # The contract declares which replies are errors (x-chinwag-error-reply).
            is_error = raw.get("x-chinwag-error-reply") is True
            cache[key] = MessageSpec(key, inlined["name"], schema, examples, is_error)
        return cache[key]

    requests: dict[str, OperationSpec] = {}
    broadcasts: dict[str, OperationSpec] = {}
    for key, op in doc.get("operations", {}).items():
        channel = op["channel"]["$ref"].rsplit("/", 1)[-1]
        messages = tuple(message(m["$ref"]) for m in op.get("messages", []))
        replies = tuple(message(m["$ref"]) for m in op.get("reply", {}).get("messages", []))
        spec = OperationSpec(
            key,
            op["action"],
            channel,
            messages,
            replies,
            recipients=op.get("x-chinwag-recipients"),
            joins=op.get("x-chinwag-joins"),
            leaves=op.get("x-chinwag-leaves"),
            error_codes=tuple(op.get("x-chinwag-error-codes") or ()),
        )
        (requests if op["action"] == "receive" else broadcasts)[key] = spec
    rooms = {
        key: tuple(channel.get("parameters") or ())
        for key, channel in doc.get("channels", {}).items()
        if channel.get("parameters")
    }
    contract = Contract(path, requests, broadcasts, codes, ack_schema, rooms)
    for op in [*requests.values(), *broadcasts.values()]:
        for msg in op.replies if op.action == "receive" else op.messages:
            specs = contract.outbound.setdefault(msg.name, [])
            if msg not in specs:
                specs.append(msg)
    return contract
