"""A typed view of the bundled AsyncAPI document: messages, channels and operations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "ERROR_CODES_MARK",
    "ERROR_REPLY_MARK",
    "Channel",
    "Contract",
    "MessageInfo",
    "OperationInfo",
    "read_contract",
    "snake",
]

Direction = Literal["client_to_server", "server_to_client"]
ERROR_REPLY_MARK = "x-chinwag-error-reply"
"""Set to ``true`` on a message that, as a reply, means the request failed."""
ERROR_CODES_MARK = "x-chinwag-error-codes"
"""On a client→server operation: every error code its error reply may carry."""


def snake(name: str) -> str:
    """``chatReadReceipt`` → ``chat_read_receipt``; ``chat:join`` → ``chat_join``."""
    name = re.sub(r"[^0-9a-zA-Z]+", "_", name)
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower().strip("_")


def pascal(name: str) -> str:
    """``conversationRoom`` → ``ConversationRoom``."""
    return "".join(part[:1].upper() + part[1:] for part in snake(name).split("_"))


@dataclass(frozen=True)
class Channel:
    """A channel: the socket itself (no parameters) or a room kind."""

    key: str
    address: str
    parameters: tuple[str, ...]
    message_keys: tuple[str, ...]
    target_class: str


@dataclass(frozen=True)
class MessageInfo:
    """A message of the contract."""

    key: str
    event: str
    model: str
    direction: Direction
    channels: tuple[str, ...]
    extension: bool
    summary: str
    examples: tuple[Any, ...]
    error_reply: bool = False


@dataclass(frozen=True)
class OperationInfo:
    """An operation of the contract."""

    operation_id: str
    direction: Direction
    channel: str
    message_key: str
    reply_keys: tuple[str, ...]
    extension: bool
    title: str
    summary: str
    description: str
    error_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contract:
    """Everything the Python renderers need, in contract order."""

    channels: dict[str, Channel]
    messages: dict[str, MessageInfo]
    operations: tuple[OperationInfo, ...]
    error_codes: tuple[str, ...]


def _last(ref: Any) -> str:
    if not isinstance(ref, dict) or not isinstance(ref.get("$ref"), str):
        raise ValueError(f"expected a $ref, got {ref!r}")
    value: str = ref["$ref"]
    return value.rsplit("/", 1)[-1]


def _message_key(doc: dict[str, Any], channel: str, ref: Any) -> str:
    """Component key of a ``#/channels/<c>/messages/<m>`` ref."""
    return _last(doc["channels"][channel]["messages"][_last(ref)])


def read_contract(doc: dict[str, Any]) -> Contract:
    """Read a bundled, validated AsyncAPI document."""
    operations = []
    inbound: set[str] = set()
    for op_id, op in doc["operations"].items():
        channel = _last(op["channel"])
        direction: Direction = (
            "client_to_server" if op["action"] == "receive" else "server_to_client"
        )
        (message_key,) = [_message_key(doc, channel, m) for m in op["messages"]]
        reply = op.get("reply") or {}
        reply_channel = _last(reply["channel"]) if "channel" in reply else channel
        replies = tuple(_message_key(doc, reply_channel, m) for m in reply.get("messages", []))
        if direction == "client_to_server":
            inbound.add(message_key)
        operations.append(
            OperationInfo(
                operation_id=op_id,
                direction=direction,
                channel=channel,
                message_key=message_key,
                reply_keys=replies,
                extension=bool(op.get("x-chinwag-extension", False)),
                title=op.get("title", op_id),
                summary=op.get("summary", ""),
                description=op.get("description", ""),
                error_codes=tuple(op.get(ERROR_CODES_MARK, ())),
            )
        )
    channels = {}
    on_channels: dict[str, list[str]] = {}
    for key, channel_doc in doc["channels"].items():
        keys = tuple(_last(ref) for ref in channel_doc.get("messages", {}).values())
        for message_key in keys:
            on_channels.setdefault(message_key, []).append(key)
        channels[key] = Channel(
            key=key,
            address=channel_doc["address"],
            parameters=tuple(channel_doc.get("parameters", {})),
            message_keys=keys,
            target_class="Socket" if not channel_doc.get("parameters") else pascal(key),
        )
    messages = {}
    for key, message in doc["components"]["messages"].items():
        messages[key] = MessageInfo(
            key=key,
            event=message["name"],
            model=_last(message["payload"]),
            direction="client_to_server" if key in inbound else "server_to_client",
            channels=tuple(on_channels.get(key, ())),
            extension=bool(message.get("x-chinwag-extension", False)),
            summary=message.get("summary", ""),
            examples=tuple(example["payload"] for example in message.get("examples", [])),
            error_reply=message.get(ERROR_REPLY_MARK) is True,
        )
    codes = tuple(doc["components"]["schemas"]["ErrorCode"]["enum"])
    return Contract(channels, messages, tuple(operations), codes)
