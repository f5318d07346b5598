"""CW060: every server→client operation says who receives it, and room joins are declared.

``x-chinwag-recipients`` on a ``send`` operation: ``room`` or ``room-except-sender`` on a room
channel (one with parameters); ``socket`` or ``every-socket`` on the connection channel.
``x-chinwag-joins`` / ``x-chinwag-leaves`` on a ``receive`` operation name the room channel its
success puts the socket in or takes it out of. The harness checks both sides of each declaration.
"""

from __future__ import annotations

from collections.abc import Iterator

from codegen.lint_model import Finding, LintInput, rule

__all__ = ["RECIPIENTS"]

RECIPIENTS = {
    "room": True,
    "room-except-sender": True,
    "socket": False,
    "every-socket": False,
}
"""Allowed values → whether the operation's channel must be a room (have parameters)."""


def _channel(data: LintInput, op: dict[str, object]) -> tuple[str, dict[str, object]]:
    ref = op.get("channel")
    key = str(ref.get("$ref", "")).rsplit("/", 1)[-1] if isinstance(ref, dict) else ""
    channel = data.asyncapi.get("channels", {}).get(key, {})
    return key, channel if isinstance(channel, dict) else {}


@rule("CW060", "every server→client operation declares its recipients; room joins are declared")
def recipients_declared(data: LintInput) -> Iterator[Finding]:
    channels = data.asyncapi.get("channels", {})
    for op_id, op in data.asyncapi.get("operations", {}).items():
        where = f"asyncapi.yaml: operations/{op_id}"
        for mark in ("x-chinwag-joins", "x-chinwag-leaves"):
            if mark not in op:
                continue
            room = channels.get(op[mark], {})
            if op.get("action") != "receive" or not room.get("parameters"):
                yield Finding(f"{where}/{mark}", "CW060", f"{op[mark]!r} is not a room channel")
        if op.get("action") != "send":
            continue
        value = op.get("x-chinwag-recipients")
        if value not in RECIPIENTS:
            yield Finding(
                f"{where}/x-chinwag-recipients",
                "CW060",
                f"{value!r}: declare one of {', '.join(RECIPIENTS)}",
            )
            continue
        key, channel = _channel(data, op)
        if RECIPIENTS[value] != bool(channel.get("parameters")):
            kind = "a room channel" if RECIPIENTS[value] else "the connection channel"
            yield Finding(
                f"{where}/x-chinwag-recipients", "CW060", f"{value!r} needs {kind}, not {key!r}"
            )
