"""Reading REST requests: the JSON body, path ids and integer query parameters.

Each raises the contract's errors (``invalid_payload``, ``not_found``), so a bad request is
answered by :func:`~chinwag.transport.rest.guard.guard` like any other refusal.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel
from starlette.requests import Request

from chinwag.domain.ids import is_uuid
from chinwag.errors import InvalidPayload, NotFound
from chinwag.transport.nul import reject_nul


class BadJson(InvalidPayload):
    """Unparseable JSON: 400, not 422."""

    def __init__(self) -> None:
        super().__init__(
            "The body is not valid JSON",
            details=[{"loc": ["body"], "msg": "invalid JSON", "type": "json_invalid"}],
        )


async def read_body(request: Request, model: type[BaseModel]) -> Any:
    """The request body parsed as JSON and validated as ``model``."""
    raw = await request.body()
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadJson() from None
    reject_nul(data, ("body",))
    return model.model_validate(data)


def path_id(request: Request, name: str, what: str) -> str:
    """The path parameter ``name``; a value that is no UUID names nothing: ``what`` not found."""
    value = str(request.path_params[name])
    if not is_uuid(value):
        raise NotFound(f"{what} not found")
    return value


def int_param(request: Request, name: str, minimum: int, maximum: int) -> int | None:
    """The query parameter ``name`` as an integer in ``[minimum, maximum]``, or None if absent."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not minimum <= value <= maximum:
        raise InvalidPayload(
            f"{name} must be an integer from {minimum} to {maximum}",
            details=[{"loc": ["query", name], "msg": "invalid integer", "type": "int_parsing"}],
        )
    return value
