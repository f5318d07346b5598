"""Lint rules on examples: every message has one, each is valid, and they tell one story.

CW001 every message has a ``name`` and an example; CW002 every example is valid against its payload;
CW003 a reply example echoes the ids of its request's examples; CW004 examples that show the same
message agree (one id, one ``(conversation, seq)``, a prompt answered as it was asked).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from codegen.lint_model import Finding, LintInput, rule
from codegen.schema_checks import example_errors

__all__: list[str] = []

_ECHOED = ("tempId", "clientNonce", "conversationId", "campaignId")


def _messages(data: LintInput) -> dict[str, Any]:
    messages: dict[str, Any] = data.asyncapi.get("components", {}).get("messages", {})
    return messages


def _where(key: str, index: int | None = None) -> str:
    base = f"asyncapi.yaml: components/messages/{key}"
    return base if index is None else f"{base}/examples/{index}/payload"


@rule("CW001", "every message has a name and at least one example")
def named_with_example(data: LintInput) -> Iterator[Finding]:
    for key, message in _messages(data).items():
        if not message.get("name"):
            yield Finding(_where(key), "CW001", "message has no `name` (the wire event name)")
        if not [e for e in message.get("examples") or [] if "payload" in e]:
            yield Finding(_where(key), "CW001", "message has no example with a payload")


@rule("CW002", "every example is valid against its payload schema")
def valid_examples(data: LintInput) -> Iterator[Finding]:
    for key, message in _messages(data).items():
        for index, example in enumerate(message.get("examples") or []):
            if "payload" not in example or "payload" not in message:
                continue
            for error in example_errors(data.asyncapi, message["payload"], example["payload"]):
                yield Finding(_where(key, index), "CW002", error)


def _key(ref: Any) -> str:
    return str(ref.get("$ref", "")).rsplit("/", 1)[-1] if isinstance(ref, dict) else ""


def _message_key(data: LintInput, ref: Any) -> str:
    """Component key behind a ``#/channels/<c>/messages/<m>`` ref."""
    node = data.asyncapi
    for token in str(ref.get("$ref", "#")).lstrip("#/").split("/") if isinstance(ref, dict) else []:
        node = node.get(token, {}) if isinstance(node, dict) else {}
    return _key(node) or _key(ref)


@rule("CW003", "a reply example echoes ids that its request's examples carry")
def echoed_ids(data: LintInput) -> Iterator[Finding]:
    messages = _messages(data)
    for op_id, op in data.asyncapi.get("operations", {}).items():
        if op.get("action") != "receive" or not op.get("reply"):
            continue
        request_key = _message_key(data, (op.get("messages") or [{}])[0])
        request = messages.get(request_key, {})
        sent: dict[str, set[Any]] = {}
        for example in request.get("examples") or []:
            for name in _ECHOED:
                if isinstance(example.get("payload"), dict) and name in example["payload"]:
                    sent.setdefault(name, set()).add(example["payload"][name])
        for ref in op["reply"].get("messages") or []:
            key = _message_key(data, ref)
            for index, example in enumerate(messages.get(key, {}).get("examples") or []):
                payload = example.get("payload")
                if not isinstance(payload, dict):
                    continue
                if "event" in payload and payload["event"] != request.get("name"):
                    continue  # an error example about another request
                for name, values in sent.items():
                    if name in payload and payload[name] not in values:
                        yield Finding(
                            _where(key, index),
                            "CW003",
                            f"`{name}` {payload[name]!r} is not one a `{request.get('name')}` "
                            f"example sends (operations/{op_id}: {sorted(values)})",
                        )


def _stored_messages(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object in an example that looks like a stored Message (id, conversation_id, seq)."""
    if isinstance(node, dict):
        if {"id", "conversation_id", "seq"} <= set(node):
            yield where, node
        for key, value in node.items():
            yield from _stored_messages(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _stored_messages(item, f"{where}/{index}")


@rule("CW004", "examples that show the same message agree with each other")
def consistent_messages(data: LintInput) -> Iterator[Finding]:
    by_id: dict[Any, tuple[str, dict[str, Any]]] = {}
    by_seq: dict[tuple[Any, Any], tuple[str, Any]] = {}
    for key, message in _messages(data).items():
        for index, example in enumerate(message.get("examples") or []):
            for where, stored in _stored_messages(example.get("payload"), _where(key, index)):
                first = by_id.setdefault(stored["id"], (where, stored))
                if first[1] != stored:
                    yield Finding(where, "CW004", f"message {stored['id']} differs from {first[0]}")
                slot = (stored["conversation_id"], stored["seq"])
                other = by_seq.setdefault(slot, (where, stored["id"]))
                if other[1] != stored["id"]:
                    seq = stored["seq"]
                    yield Finding(
                        where, "CW004", f"seq {seq} is also message {other[1]} ({other[0]})"
                    )
    for key, message in _messages(data).items():
        for index, example in enumerate(message.get("examples") or []):
            payload = example.get("payload")
            if not isinstance(payload, dict) or "promptId" not in payload:
                continue
            prompt = by_id.get(payload.get("messageId"), ("", {}))[1].get("action_data")
            if not isinstance(prompt, dict):
                continue
            if payload["promptId"] != prompt.get("prompt_id"):
                yield Finding(
                    _where(key, index),
                    "CW004",
                    f"promptId {payload['promptId']!r} is not the prompt_id "
                    f"{prompt.get('prompt_id')!r} of message {payload['messageId']}",
                )
            buttons = [b.get("id") for b in prompt.get("buttons", [])]
            if "actionId" in payload and payload["actionId"] not in buttons:
                yield Finding(
                    _where(key, index),
                    "CW004",
                    f"actionId {payload['actionId']!r} is not a button of that prompt ({buttons})",
                )
