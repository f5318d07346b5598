"""Render ``operations.py``: the table of every operation, inbound events and outbound models."""

from __future__ import annotations

from codegen.contract import Contract, snake

__all__ = ["render_operations"]

_PREAMBLE = '''
"""The contract's operations as data: what the transport dispatches on and validates with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from chinwag_contract import models

Direction = Literal["client_to_server", "server_to_client"]


@dataclass(frozen=True)
class Operation:
    """One operation of asyncapi.yaml.

    ``event`` is the wire event name; ``channel`` the channel key and ``channel_address`` its
    address; ``reply_events`` every declared reply, ``success_reply`` the one that is not an error
    and ``error_reply`` the one the contract marks ``x-chinwag-error-reply`` (``chat:error`` or
    ``auth_error``); ``error_codes`` the codes that reply may carry (``x-chinwag-error-codes``).
    ``handler_method`` names the ``ChinwagHandlers`` method of a client→server operation.
    """

    operation_id: str
    event: str
    direction: Direction
    message_key: str
    payload_model: type[BaseModel]
    channel: str
    channel_address: str
    reply_events: tuple[str, ...]
    success_reply: str | None
    error_reply: str | None
    extension: bool
    handler_method: str | None
    error_codes: tuple[str, ...]

'''


def render_operations(contract: Contract) -> str:
    """Python source of ``operations.py``."""
    out = [_PREAMBLE, "OPERATIONS: tuple[Operation, ...] = ("]
    for op in contract.operations:
        message = contract.messages[op.message_key]
        replies = [contract.messages[key].event for key in op.reply_keys]
        success = [m.event for k in op.reply_keys if not (m := contract.messages[k]).error_reply]
        errors = [m.event for k in op.reply_keys if (m := contract.messages[k]).error_reply]
        inbound = op.direction == "client_to_server"
        out.append(
            "    Operation("
            f"operation_id={op.operation_id!r}, event={message.event!r}, "
            f"direction={op.direction!r}, message_key={op.message_key!r}, "
            f"payload_model=models.{message.model}, channel={op.channel!r}, "
            f"channel_address={contract.channels[op.channel].address!r}, "
            f"reply_events={tuple(replies)!r}, "
            f"success_reply={success[0] if success else None!r}, "
            f"error_reply={errors[0] if errors else None!r}, "
            f"extension={op.extension or message.extension!r}, "
            f"handler_method={'on_' + snake(message.event) if inbound else None!r}, "
            f"error_codes={op.error_codes!r}),"
        )
    out.append(")")
    out.append('"""Every operation, in contract order."""\n')
    out.append("INBOUND: dict[str, Operation] = {")
    out.append("    op.event: op for op in OPERATIONS if op.direction == 'client_to_server'")
    out.append("}")
    out.append('"""Client→server operations by wire event name."""\n')
    out.append("OUTBOUND_MODELS: dict[str, type[BaseModel]] = {")
    for message in contract.messages.values():
        if message.direction == "server_to_client":
            out.append(f"    {message.event!r}: models.{message.model},")
    out.append("}")
    out.append('"""Server→client event name → payload model (replies and broadcasts)."""\n')
    out.append(f"ERROR_CODES: tuple[str, ...] = {contract.error_codes!r}")
    out.append('"""The contract\'s error codes (ErrorCode), in contract order."""\n')
    out.append("EXAMPLES: dict[str, list[dict[str, Any]]] = {")
    for message in contract.messages.values():
        out.append(f"    {message.key!r}: {list(message.examples)!r},")
    out.append("}")
    out.append('"""The contract\'s example payloads by message key."""')
    return "\n".join(out) + "\n"
