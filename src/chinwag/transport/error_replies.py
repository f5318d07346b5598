"""Errors → the contract's error payloads, in one place (chat:error, auth_error, ErrorBody)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from chinwag.domain.ids import is_uuid
from chinwag.errors import ChinwagError, InvalidPayload, TooLarge

# pydantic error types that mean "over a contract limit" rather than "malformed".
TOO_LARGE_TYPES = frozenset({"string_too_long", "too_long"})
MAX_DETAILS = 100


def from_validation_error(exc: ValidationError) -> ChinwagError:
    """A pydantic failure as ``invalid_payload`` (or ``too_large``) with field details."""
    details: list[dict[str, Any]] = []
    for error in exc.errors(include_url=False, include_input=False)[:MAX_DETAILS]:
        loc = [part if isinstance(part, int) else str(part)[:256] for part in error["loc"]][:32]
        details.append({"loc": loc, "msg": str(error["msg"])[:1000], "type": error["type"][:100]})
    if any(d["type"] in TOO_LARGE_TYPES for d in details):
        return TooLarge("A value is over a contract limit", details=details)
    return InvalidPayload("Invalid payload", details=details)


def error_object(err: ChinwagError) -> dict[str, Any]:
    """The contract's Error: {code, message, details?, retryAfter?}."""
    body: dict[str, Any] = {"code": err.code, "message": err.message[:1000]}
    if err.details:
        body["details"] = err.details
    if err.retry_after is not None:
        body["retryAfter"] = err.retry_after
    return body


def error_body(err: ChinwagError) -> dict[str, Any]:
    """The contract's ErrorBody (REST bodies and failed acknowledgements)."""
    return {"error": error_object(err)}


def auth_error_payload(err: ChinwagError) -> dict[str, Any]:
    """The ``auth_error`` payload: always a ``code``; ``retryAfter`` with ``rate_limited``."""
    payload: dict[str, Any] = {"message": err.message[:1000], "code": err.code}
    if err.retry_after is not None:
        payload["retryAfter"] = err.retry_after
    return payload


def chat_error_payload(err: ChinwagError, event: str, request: object) -> dict[str, Any]:
    """The ``chat:error`` payload, echoing the request's ids when they are well-formed."""
    payload = error_object(err)
    payload["event"] = event[:256] or "?"
    if isinstance(request, dict):
        temp_id = request.get("tempId")
        if isinstance(temp_id, str) and 1 <= len(temp_id) <= 128:
            payload["tempId"] = temp_id
        for key in ("conversationId", "campaignId"):
            value = request.get(key)
            if is_uuid(value):
                payload[key] = value
    return payload
