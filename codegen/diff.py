"""``python -m codegen diff OLD NEW``: every change between two contracts, classified by direction.

What a change breaks depends on who reads the payload. Client→server payloads are read by the
server: a new required field, a removed field (objects are closed), a narrowed type, enum, length
or range, or a removed event breaks the clients that send them; an optional field or a wider range
does not. Server→client payloads and replies are read by clients: a removed field, a field made
optional or nullable, a widened type or enum, a new or removed reply, a new error code or a removed
event breaks them; a new optional field or a narrower range does not (clients ignore fields they
do not know). New events never break anyone. The same rules apply to REST: request bodies are
client→server, responses server→client.

OLD and NEW are a folder holding ``asyncapi.yaml`` (and ``schemas.yaml``, ``openapi.yaml``), a path
to ``asyncapi.yaml``, a git revision, or ``@released`` (the newest folder under
``contract/released/``). Exit status 1 when a change is breaking and ``info.version`` did not raise
its major part (for ``0.y.z`` versions, semver's rule: ``y`` is the major part); 0 otherwise; 2 when
a side cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from codegen.diff_schema import compare_schemas
from codegen.diff_source import ContractSource, load_source, version_key
from codegen.json_refs import resolve_pointer

__all__ = ["BREAKING", "Change", "diff_sources", "main", "major_raised"]

Direction = Literal["client_to_server", "server_to_client"]

BREAKING: dict[str, frozenset[str]] = {
    "client_to_server": frozenset(
        {
            "event-removed",
            "route-removed",
            "field-added-required",
            "field-removed",
            "field-made-required",
            "type-narrowed",
            "enum-narrowed",
            "bound-narrowed",
            "made-non-nullable",
            "pattern-changed",
            "closed",
        }
    ),
    "server_to_client": frozenset(
        {
            "event-removed",
            "route-removed",
            "field-removed",
            "field-made-optional",
            "type-widened",
            "enum-widened",
            "made-nullable",
            "pattern-changed",
            "opened",
            "reply-added",
            "reply-removed",
            "error-code-added",
            "status-removed",
        }
    ),
}
"""Change kinds that break clients, by the direction of the payload they occur in."""


@dataclass(frozen=True)
class Change:
    """One classified change."""

    kind: str
    direction: Direction
    where: str
    detail: str
    breaking: bool


def _change(kind: str, direction: Direction, where: str, detail: str) -> Change:
    return Change(kind, direction, where, detail, kind in BREAKING[direction])


def _message(doc: dict[str, Any], ref: Any) -> dict[str, Any]:
    node: Any = ref
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        node = resolve_pointer(doc, node["$ref"])
    return node if isinstance(node, dict) else {}


def _events(doc: dict[str, Any]) -> dict[tuple[Direction, str], Any]:
    """``(direction, wire name)`` → payload schema, for every message an operation uses."""
    events: dict[tuple[Direction, str], Any] = {}
    for op in doc.get("operations", {}).values():
        inbound = op.get("action") == "receive"
        for ref in op.get("messages") or []:
            message = _message(doc, ref)
            direction: Direction = "client_to_server" if inbound else "server_to_client"
            events.setdefault((direction, message.get("name", "?")), message.get("payload"))
        for ref in (op.get("reply") or {}).get("messages") or []:
            message = _message(doc, ref)
            events.setdefault(
                ("server_to_client", message.get("name", "?")), message.get("payload")
            )
    return events


def _requests(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Request event name → its replies and declared error codes."""
    out: dict[str, dict[str, Any]] = {}
    for op in doc.get("operations", {}).values():
        if op.get("action") != "receive":
            continue
        name = _message(doc, (op.get("messages") or [{}])[0]).get("name", "?")
        replies = [
            _message(doc, r).get("name") for r in (op.get("reply") or {}).get("messages") or []
        ]
        out[name] = {"replies": set(replies), "codes": op.get("x-chinwag-error-codes")}
    return out


def _socket_changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = _events(old), _events(new)
    for (direction, name), payload in before.items():
        if (direction, name) not in after:
            yield _change("event-removed", direction, f"event {name}", "removed")
            continue
        for change in compare_schemas(payload, after[(direction, name)], old, new):
            yield _change(change.kind, direction, f"event {name}: {change.where}", change.detail)
    for direction, name in after:
        if (direction, name) not in before:
            yield _change("event-added", direction, f"event {name}", "added")
    old_requests, new_requests = _requests(old), _requests(new)
    for name, was in old_requests.items():
        now = new_requests.get(name)
        if now is None:
            continue
        for reply in sorted(now["replies"] - was["replies"]):
            yield _change("reply-added", "server_to_client", f"event {name}: reply", reply)
        for reply in sorted(was["replies"] - now["replies"]):
            yield _change("reply-removed", "server_to_client", f"event {name}: reply", reply)
        if was["codes"] is None or now["codes"] is None:
            if was["codes"] != now["codes"]:
                yield _change("error-codes-declared", "server_to_client", f"event {name}", "")
            continue
        for code in [c for c in now["codes"] if c not in was["codes"]]:
            yield _change("error-code-added", "server_to_client", f"event {name}: errors", code)
        for code in [c for c in was["codes"] if c not in now["codes"]]:
            yield _change("error-code-removed", "server_to_client", f"event {name}: errors", code)


_METHODS = ("get", "put", "post", "patch", "delete")


def _routes(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    routes = {}
    for path, item in doc.get("paths", {}).items():
        for method in _METHODS:
            if method in item:
                routes[f"{method.upper()} {path}"] = item[method]
    return routes


def _body(node: Any) -> Any:
    return (node or {}).get("content", {}).get("application/json", {}).get("schema")


def _rest_changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before, after = _routes(old), _routes(new)
    for route, op in before.items():
        if route not in after:
            yield _change("route-removed", "client_to_server", route, "removed")
            continue
        now = after[route]
        if _body(op.get("requestBody")) is not None and _body(now.get("requestBody")) is not None:
            for c in compare_schemas(_body(op["requestBody"]), _body(now["requestBody"]), old, new):
                yield _change(c.kind, "client_to_server", f"{route} body: {c.where}", c.detail)
        old_responses, new_responses = op.get("responses", {}), now.get("responses", {})
        for status, response in old_responses.items():
            if status not in new_responses:
                yield _change("status-removed", "server_to_client", f"{route} {status}", "")
                continue
            a = _body(_message(old, response))
            b = _body(_message(new, new_responses[status]))
            if a is not None and b is not None:
                for c in compare_schemas(a, b, old, new):
                    where = f"{route} {status}: {c.where}"
                    yield _change(c.kind, "server_to_client", where, c.detail)
        for status in new_responses:
            if status not in old_responses:
                yield _change("status-added", "server_to_client", f"{route} {status}", "")
    for route in after:
        if route not in before:
            yield _change("route-added", "client_to_server", route, "added")


def diff_sources(old: ContractSource, new: ContractSource) -> list[Change]:
    """Every classified change from ``old`` to ``new`` (socket events, then REST routes)."""
    changes = list(_socket_changes(old.asyncapi, new.asyncapi))
    if old.openapi and new.openapi:
        changes += _rest_changes(old.openapi, new.openapi)
    return changes


def major_raised(old: str, new: str) -> bool:
    """True when ``new``'s major part is above ``old``'s (``y`` is the major part of ``0.y.z``)."""
    a, b = (*version_key(old), 0, 0), (*version_key(new), 0, 0)
    major_a, major_b = (a[0],) if a[0] else (0, a[1]), (b[0],) if b[0] else (0, b[1])
    return major_b > major_a


def _table(changes: list[Change]) -> str:
    rows = [("", "direction", "change", "where", "detail")]
    arrows = {"client_to_server": "client→server", "server_to_client": "server→client"}
    for c in changes:
        mark = "BREAKING" if c.breaking else "ok"
        rows.append((mark, arrows[c.direction], c.kind, c.where, c.detail))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(row)).rstrip()
        for row in rows
    )


def main(argv: list[str] | None = None) -> int:
    """Print the classified changes; see the module docstring for the exit status."""
    parser = argparse.ArgumentParser(prog="python -m codegen diff", description=__doc__)
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    try:
        old, new = load_source(args.old, args.root), load_source(args.new, args.root)
    except (OSError, ValueError) as error:
        print(f"codegen diff: {error}", file=sys.stderr)
        return 2
    changes = diff_sources(old, new)
    breaking = [c for c in changes if c.breaking]
    raised = major_raised(old.version, new.version)
    if args.format == "json":
        report = {
            "old": {"source": old.label, "version": old.version},
            "new": {"source": new.label, "version": new.version},
            "breaking": len(breaking),
            "majorRaised": raised,
            "changes": [asdict(c) for c in changes],
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(_table(changes) if changes else "no changes")
        print(
            f"{old.label} ({old.version}) → {new.label} ({new.version}): {len(changes)} change(s), "
            f"{len(breaking)} breaking" + (" (major version raised)" if breaking and raised else "")
        )
    return 1 if breaking and not raised else 0
