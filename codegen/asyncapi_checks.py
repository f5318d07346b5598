"""The AsyncAPI-only checks: operations use messages of their channels, messages have examples.

Both follow internal refs, which the official schema does not: run them once refs resolve.
"""

from __future__ import annotations

from typing import Any

from codegen.schema_checks import example_errors

__all__ = ["message_problems", "operation_problems"]


def message_problems(doc: dict[str, Any]) -> list[str]:
    """Every component message has a payload and examples, and each example's payload is valid."""
    problems = []
    for key, message in doc.get("components", {}).get("messages", {}).items():
        examples = message.get("examples") or []
        if not examples:
            problems.append(f"components/messages/{key} has no example")
        payload = message.get("payload")
        if payload is None:
            problems.append(f"components/messages/{key} has no payload")
            continue
        for index, example in enumerate(examples):
            label = example.get("name", index)
            if "payload" not in example:
                problems.append(f"components/messages/{key} example {label!r} has no payload")
                continue
            for error in example_errors(doc, payload, example["payload"]):
                problems.append(f"components/messages/{key} example {label!r}: {error}")
    return problems


def _channel_key(ref: Any) -> str | None:
    if isinstance(ref, dict) and isinstance(ref.get("$ref"), str):
        prefix = "#/channels/"
        value: str = ref["$ref"]
        if value.startswith(prefix) and "/" not in value[len(prefix) :]:
            return value[len(prefix) :]
    return None


def operation_problems(doc: dict[str, Any]) -> list[str]:
    """Every operation (and its reply) names a channel and lists only that channel's messages."""
    problems = []
    channels = doc.get("channels", {})
    for op_id, operation in doc.get("operations", {}).items():
        parts = [("channel", operation.get("channel"), operation.get("messages"))]
        reply = operation.get("reply")
        if reply is not None:
            parts.append(
                (
                    "reply",
                    reply.get("channel", operation.get("channel")),
                    reply.get("messages"),
                )
            )
        for label, channel_ref, messages in parts:
            key = _channel_key(channel_ref)
            if key is None or key not in channels:
                problems.append(
                    f"operations/{op_id} {label}: channel {channel_ref!r} is not a channel"
                )
                continue
            if not messages:
                problems.append(f"operations/{op_id} {label}: lists no message")
            for message in messages or []:
                ref = message.get("$ref", "") if isinstance(message, dict) else ""
                name = ref.removeprefix(f"#/channels/{key}/messages/")
                if name == ref or name not in channels[key].get("messages", {}):
                    problems.append(
                        f"operations/{op_id} {label}: message {ref!r} "
                        f"is not a message of channel {key!r}"
                    )
    return problems
