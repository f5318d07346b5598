"""The contract as a validator: server→client events, acknowledgements and REST bodies are checked
against ``asyncapi.yaml`` / ``openapi.yaml`` (and ``schemas.yaml``) with jsonschema, and against
the generated pydantic models when they are importable.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

REPO = Path(__file__).resolve().parents[2]


def _replies() -> dict[str, tuple[str, ...]]:
    from chinwag_contract.operations import INBOUND

    return {
        event: tuple(r for r in (op.success_reply, op.error_reply) if r is not None)
        for event, op in INBOUND.items()
    }


#: The declared replies of each client→server event (success first, then the error event),
#: from the generated operation table: a new event needs no edit here.
REPLIES: dict[str, tuple[str, ...]] = _replies()

Json = Any
Payload = dict[str, Any]


class Contract:
    """Validators for the contract's server→client events, acks and REST bodies."""

    def __init__(self) -> None:
        self.asyncapi_uri = (REPO / "asyncapi.yaml").as_uri()
        self.openapi_uri = (REPO / "openapi.yaml").as_uri()
        self.schemas_uri = (REPO / "schemas.yaml").as_uri()
        asyncapi = _load_yaml(REPO / "asyncapi.yaml")
        self.documents: dict[str, Any] = {
            self.asyncapi_uri: asyncapi,
            self.openapi_uri: _load_yaml(REPO / "openapi.yaml"),
            self.schemas_uri: _load_yaml(REPO / "schemas.yaml"),
        }
        self.outbound: dict[str, str] = _outbound_payload_refs(asyncapi)
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        self.models = _generated_outbound_models()

    def _validator(self, ref: str) -> jsonschema.protocols.Validator:
        # Refs are inlined once up front: following them on every validation through a
        # registry made one Message check take ~20 ms, which a 1,500-ack test cannot afford.
        if ref not in self._validators:
            cls = jsonschema.Draft202012Validator
            schema = self._inline({"$ref": ref}, ref)
            cls.check_schema(schema)
            self._validators[ref] = cls(schema, format_checker=cls.FORMAT_CHECKER)
        return self._validators[ref]

    def _inline(self, node: Any, base: str) -> Any:
        """``node`` with every ``$ref`` replaced by its target (the contract has no cycles)."""
        if isinstance(node, list):
            return [self._inline(item, base) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            target = urllib.parse.urljoin(base, node["$ref"])
            document_uri, _, pointer = target.partition("#")
            resolved: Any = self.documents[document_uri]
            for part in filter(None, pointer.split("/")):
                resolved = resolved[part.replace("~1", "/").replace("~0", "~")]
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            return self._inline(resolved, target) | self._inline(siblings, base)
        return {key: self._inline(value, base) for key, value in node.items()}

    def errors(self, ref: str, data: Json) -> list[str]:
        """Every way ``data`` breaks the schema at ``ref`` (an absolute URI with a fragment)."""
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in self._validator(ref).iter_errors(data)
        ]

    def event_errors(self, event: str, args: Sequence[Json]) -> list[str]:
        """Violations of one received event: undeclared name, not one argument, bad payload."""
        ref = self.outbound.get(event)
        if ref is None:
            return [f"undeclared server→client event {event!r}"]
        if len(args) != 1:
            return [f"{event}: expected exactly one argument, got {len(args)}"]
        problems = [f"{event}: {msg}" for msg in self.errors(ref, args[0])]
        model = self.models.get(event)
        if model is not None and not problems:
            try:
                model.model_validate(args[0])
            except Exception as exc:  # pydantic's ValidationError; any failure is a violation
                problems.append(f"{event}: generated model rejects payload: {exc}")
        return problems

    def ack_errors(self, event: str, args: Sequence[Json]) -> list[str]:
        """Violations of an acknowledgement to ``event``: success payload or ErrorBody."""
        if len(args) != 1:
            return [f"ack of {event}: expected one argument, got {len(args)}"]
        data = args[0]
        if isinstance(data, dict) and set(data) == {"error"}:
            ref = f"{self.asyncapi_uri}#/components/schemas/ErrorBody"
        elif event in REPLIES:
            ref = self.outbound[REPLIES[event][0]]
        else:
            return [f"ack of undeclared {event!r} is not an ErrorBody: {data!r}"]
        return [f"ack of {event}: {msg}" for msg in self.errors(ref, data)]

    def rest_ref(self, name: str) -> str:
        """URI of a REST schema: ``Conversation`` (shared) or ``ConversationList`` (openapi)."""
        if name in self.documents[self.schemas_uri]["$defs"]:
            return f"{self.schemas_uri}#/$defs/{name}"
        return f"{self.openapi_uri}#/components/schemas/{name}"


def _load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _outbound_payload_refs(asyncapi: dict[str, Any]) -> dict[str, str]:
    """Wire event name → payload schema URI of every server→client message.

    Server→client messages are those of ``send`` operations and the replies of ``receive`` ones.
    """
    uri = (REPO / "asyncapi.yaml").as_uri()
    messages = asyncapi["components"]["messages"]
    refs: dict[str, str] = {}
    for operation in asyncapi["operations"].values():
        if operation["action"] == "send":
            keys = operation["messages"]
        else:
            keys = operation.get("reply", {}).get("messages", [])
        for key_ref in keys:
            message = messages[key_ref["$ref"].rsplit("/", 1)[-1]]
            payload_ref = f"{uri}{message['payload']['$ref']}"
            previous = refs.setdefault(message["name"], payload_ref)
            assert previous == payload_ref, f"two outbound schemas for {message['name']}"
    return refs


def _generated_outbound_models() -> dict[str, Any]:
    try:
        from chinwag_contract.operations import OUTBOUND_MODELS
    except ImportError:
        return {}
    return dict(OUTBOUND_MODELS)


@cache
def contract() -> Contract:
    """The contract, loaded once per process."""
    return Contract()
