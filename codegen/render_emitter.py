"""Render ``emitter.py``: typed room targets and a validating emitter over a Transport protocol."""

from __future__ import annotations

import re

from codegen.contract import Channel, Contract, snake
from codegen.render_handlers import docstring

__all__ = ["render_emitter"]

_PREAMBLE = '''
"""Typed, validating emitter for server→client events. Never imports socketio.

Every payload is validated against its contract model BEFORE the transport is called: a mapping
is validated with the model; a model instance is dumped and the dump validated again (instances
made with ``model_construct`` or mutated after validation are not trusted). The dump uses
``model_dump(mode="json", exclude_unset=True)``: optional fields never set are absent, a field
explicitly set to ``None`` (e.g. ``Message.sender_id``) is sent as null. Each emit calls
``Transport.emit`` once with every target room, so a socket in several rooms gets it once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from chinwag_contract import models
from chinwag_contract.operations import OUTBOUND_MODELS


class Transport(Protocol):
    """What the emitter needs from the Socket.IO layer (python-socketio's ``emit``, wrapped)."""

    async def emit(
        self, event: str, data: dict[str, Any], *, rooms: Sequence[str], skip_sid: str | None = None
    ) -> None:
        """Send ``event`` once to every socket in any of ``rooms``, except ``skip_sid``."""
        ...


def validated_dump(
    model: type[BaseModel], payload: BaseModel | Mapping[str, Any]
) -> dict[str, Any]:
    """Validate ``payload`` as ``model`` and return its JSON-ready dump (unset fields absent).

    Raises ``pydantic.ValidationError`` when it breaks the contract, ``TypeError`` for a payload
    that is neither a mapping nor a ``model`` instance.
    """
    if isinstance(payload, model):
        data = payload.model_dump(mode="json", exclude_unset=True)
        model.model_validate(data)
        return data
    if isinstance(payload, Mapping):
        return model.model_validate(payload).model_dump(mode="json", exclude_unset=True)
    raise TypeError(f"expected {model.__name__} or a mapping, got {type(payload).__name__}")


def dump_payload(event: str, payload: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    """Validate and dump the payload of server→client ``event`` (the transport's replies)."""
    try:
        model = OUTBOUND_MODELS[event]
    except KeyError:
        raise KeyError(f"{event!r} is not a server→client event of the contract") from None
    return validated_dump(model, payload)


def _rooms(targets: Sequence[Target]) -> list[str]:
    return list(dict.fromkeys(target.room for target in targets))

'''


def _address_fstring(channel: Channel) -> str:
    return "f" + repr(
        re.sub(r"\{(\w+)\}", lambda m: "{" + snake(m.group(1)) + "}", channel.address)
    )


def _render_targets(contract: Contract) -> list[str]:
    out = []
    for channel in contract.channels.values():
        if not channel.parameters:
            continue
        params = [snake(p) for p in channel.parameters]
        args = ", ".join(f"{p}: str" for p in params)
        out.append(f"\ndef {snake(channel.key)}({args}) -> str:\n")
        out.append(
            docstring(f"Room name of channel `{channel.key}` (`{channel.address}`).", "    ")
        )
        out.append(f"    return {_address_fstring(channel)}\n\n")
    for channel in contract.channels.values():
        out.append(f"\n@dataclass(frozen=True)\nclass {channel.target_class}:\n")
        if channel.parameters:
            params = [snake(p) for p in channel.parameters]
            out.append(docstring(f"Target: channel `{channel.key}` (`{channel.address}`).", "    "))
            out.extend(f"    {p}: str\n" for p in params)
            call = ", ".join(f"self.{p}" for p in params)
            room = f"{snake(channel.key)}({call})"
        else:
            out.append(
                docstring(
                    f"Target: one socket (channel `{channel.key}`); its own room is its sid.",
                    "    ",
                )
            )
            out.append("    sid: str\n")
            room = "self.sid"
        out.append("\n    @property\n    def room(self) -> str:\n")
        out.append('        """The Socket.IO room this target names."""\n')
        out.append(f"        return {room}\n\n")
    classes = " | ".join(channel.target_class for channel in contract.channels.values())
    out.append(f"\nTarget = {classes}\n")
    out.append('"""Any emit target."""\n')
    return out


def render_emitter(contract: Contract) -> str:
    """Python source of ``emitter.py``."""
    out = [_PREAMBLE, *_render_targets(contract)]
    out.append("\n\nclass Emitter:\n")
    out.append(
        docstring("One validating method per server→client message of the contract.", "    ")
    )
    out.append("\n    def __init__(self, transport: Transport) -> None:\n")
    out.append("        self.transport = transport\n")
    for message in contract.messages.values():
        if message.direction != "server_to_client":
            continue
        targets = " | ".join(contract.channels[c].target_class for c in message.channels)
        out.append(
            f"\n    async def {snake(message.key)}(\n"
            f"        self,\n        payload: models.{message.model} | Mapping[str, Any],\n"
            f"        *,\n        to: Sequence[{targets}],\n        skip_sid: str | None = None,\n"
            "    ) -> None:\n"
        )
        out.append(
            docstring(
                f"Emit `{message.event}`: {message.summary} No targets: nothing is sent.",
                "        ",
            )
        )
        out.append(f"        data = validated_dump(models.{message.model}, payload)\n")
        out.append("        rooms = _rooms(to)\n        if rooms:\n")
        out.append(
            f"            await self.transport.emit({message.event!r}, data, "
            "rooms=rooms, skip_sid=skip_sid)\n"
        )
    return "".join(out)
