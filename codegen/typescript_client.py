"""Render ``clients/typescript/src/events.ts``: the client package's copy of the event types.

It is the text of ``docs/chinwag-events.d.ts`` (one renderer, one source) under a header that
names the package, plus the wire names as runtime constants, which a declaration file cannot hold.
"""

from __future__ import annotations

import json
from typing import Any

from codegen import typescript
from codegen.docs_model import build_model

__all__ = ["render"]

_HEADER = """/**
 * {title} {version}: the event types of @chinwag/client.
 *
 * Generated from asyncapi.yaml by `python -m codegen` (the same renderer as
 * docs/chinwag-events.d.ts); do not edit by hand.
 */"""


def render(doc: dict[str, Any]) -> str:
    """Render the bundled AsyncAPI document ``doc`` as the client package's ``events.ts``."""
    model = build_model(doc)
    declarations = typescript.render(doc)
    # The declarations open with their own usage comment; the package gets its own header.
    body = declarations.split(" */\n", 1)[1]
    parts = [_HEADER.format(title=model.title, version=model.version) + "\n" + body.rstrip("\n")]
    for const, alias, direction in (
        ("CLIENT_TO_SERVER_EVENTS", "ClientToServerEventName", "client_to_server"),
        ("SERVER_TO_CLIENT_EVENTS", "ServerToClientEventName", "server_to_client"),
    ):
        names = sorted({json.dumps(e.name) for e in model.events if e.direction == direction})
        parts.append(
            f"/** Every {alias.removesuffix('Name')} wire name, at run time. */\n"
            f"export const {const}: readonly {alias}[] = [{', '.join(names)}];"
        )
    return "\n\n".join(parts) + "\n"
