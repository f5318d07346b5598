"""Lint rules on operations: replies declared, error codes declared, nothing unused.

CW020 every client→server operation declares a reply with one success message and one error
reply (a message marked ``x-chinwag-error-reply`` whose payload requires ``code``); CW021 every such
operation lists the error codes it may answer with (``x-chinwag-error-codes``), each one in
``ErrorCode``, including the ones every request can get and every code its error examples show,
and the connect_error codes are error codes too; CW030 no component schema or message is unused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from codegen.contract import ERROR_CODES_MARK, ERROR_REPLY_MARK
from codegen.json_refs import unused_problems
from codegen.lint_model import Finding, LintInput, rule

__all__ = ["ALWAYS_POSSIBLE"]

ALWAYS_POSSIBLE = ("rate_limited", "invalid_payload", "too_large", "unavailable", "internal")
"""Codes any request may get from the transport itself, whatever its handler does."""


def _component(data: LintInput, ref: Any) -> tuple[str, dict[str, Any]]:
    """Component key and message behind a ``#/channels/<c>/messages/<m>`` ref."""
    node: Any = data.resolve(ref)
    messages = data.asyncapi.get("components", {}).get("messages", {})
    for key, message in messages.items():
        if message is node:
            return key, message
    return "?", node if isinstance(node, dict) else {}


def _error_codes(data: LintInput) -> list[str]:
    schema = data.asyncapi.get("components", {}).get("schemas", {}).get("ErrorCode", {})
    return list(schema.get("enum", []))


def _receives(data: LintInput) -> Iterator[tuple[str, dict[str, Any]]]:
    for op_id, op in data.asyncapi.get("operations", {}).items():
        if op.get("action") == "receive":
            yield op_id, op


@rule("CW020", "every request declares a success reply and exactly one error reply")
def replies_declared(data: LintInput) -> Iterator[Finding]:
    for op_id, op in _receives(data):
        where = f"asyncapi.yaml: operations/{op_id}/reply"
        replies = [_component(data, ref) for ref in (op.get("reply") or {}).get("messages") or []]
        errors = [(key, m) for key, m in replies if m.get(ERROR_REPLY_MARK) is True]
        if len(replies) - len(errors) < 1:
            yield Finding(where, "CW020", "no success reply declared")
        if len(errors) != 1:
            yield Finding(
                where, "CW020", f"{len(errors)} replies marked {ERROR_REPLY_MARK}, expected one"
            )
        for key, message in errors:
            payload = data.resolve(message.get("payload"))
            if "code" not in (payload.get("required") or []):
                yield Finding(
                    f"asyncapi.yaml: components/messages/{key}/payload",
                    "CW020",
                    "an error reply's payload must require `code`",
                )


@rule("CW021", "every request lists the error codes it may answer with")
def error_codes_declared(data: LintInput) -> Iterator[Finding]:
    known = _error_codes(data)
    for op_id, op in _receives(data):
        where = f"asyncapi.yaml: operations/{op_id}/{ERROR_CODES_MARK}"
        declared = op.get(ERROR_CODES_MARK)
        if not isinstance(declared, list) or not declared:
            yield Finding(where, "CW021", "missing: list the codes this operation may answer with")
            continue
        for code in declared:
            if code not in known:
                yield Finding(where, "CW021", f"{code!r} is not an ErrorCode")
        for code in ALWAYS_POSSIBLE:
            if code not in declared:
                yield Finding(where, "CW021", f"{code!r} can answer any request: declare it")
        request = _component(data, (op.get("messages") or [{}])[0])[1]
        for ref in (op.get("reply") or {}).get("messages") or []:
            key, message = _component(data, ref)
            if message.get(ERROR_REPLY_MARK) is not True:
                continue
            for example in message.get("examples") or []:
                payload = example.get("payload") or {}
                if payload.get("event", request.get("name")) != request.get("name"):
                    continue
                if payload.get("code") not in declared:
                    yield Finding(
                        where,
                        "CW021",
                        f"example {example.get('name')!r} of {key} shows {payload.get('code')!r}",
                    )
    connect = data.resolve(data.asyncapi.get("x-chinwag-connect-error", {}).get("payload"))
    data_schema = data.resolve((connect or {}).get("properties", {}).get("data"))
    for code in (data_schema or {}).get("properties", {}).get("code", {}).get("enum", []):
        if code not in known:
            yield Finding(
                "asyncapi.yaml: x-chinwag-connect-error", "CW021", f"{code!r} is not an ErrorCode"
            )


@rule("CW030", "no component schema or message is unused")
def nothing_unused(data: LintInput) -> Iterator[Finding]:
    for problem in unused_problems(data.asyncapi, ("schemas", "messages")):
        yield Finding(f"asyncapi.yaml: {problem.removesuffix(' is not used')}", "CW030", "unused")
    if data.openapi:
        for problem in unused_problems(data.openapi, ("schemas", "responses", "parameters")):
            yield Finding(
                f"openapi.yaml: {problem.removesuffix(' is not used')}", "CW030", "unused"
            )
