"""orjson for the baseline: the Socket.IO JSON module and the Starlette response."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


class OrjsonModule:
    """orjson behind the ``json`` module interface, as chinwag's ``transport.jsonlib`` does.

    A copy rather than an import, so the baseline does not move when chinwag's transport does.
    """

    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        """Encode to a compact JSON string."""
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(data: str | bytes, **_: Any) -> Any:
        """Decode a JSON document."""
        return orjson.loads(data)


class JSONResponse(Response):
    """A Starlette response rendered with orjson."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Encode ``content`` with orjson."""
        return orjson.dumps(content)
