"""REST responses: orjson bodies, and the one place error codes map to HTTP statuses."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from chinwag.errors import ChinwagError
from chinwag.transport.error_replies import error_body

STATUS_BY_CODE = {
    "unauthenticated": 401,
    "invalid_token": 401,
    "token_expired": 401,
    "forbidden": 403,
    "not_found": 404,
    "invalid_payload": 422,
    "too_large": 422,
    "idempotency_conflict": 409,
    "rate_limited": 429,
    "unavailable": 503,
}


class JSON(Response):
    """A JSON response encoded with orjson."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def error_response(err: ChinwagError, status: int | None = None) -> JSON:
    """The contract's ErrorBody with the status its code maps to."""
    return JSON(error_body(err), status_code=status or STATUS_BY_CODE.get(err.code, 500))
