"""orjson behind the ``json`` module interface python-socketio and engine.io expect."""

from __future__ import annotations

from typing import Any

import orjson


class OrjsonModule:
    """A drop-in for the stdlib ``json`` module's ``dumps``/``loads`` (keyword args ignored).

    orjson is several times faster than the stdlib encoder on chinwag's payloads, and its
    recursion limit bounds how deep a decoded frame can nest.
    """

    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        """Encode to a compact JSON string."""
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(data: str | bytes, **_: Any) -> Any:
        """Decode a JSON document."""
        return orjson.loads(data)


orjson_module = OrjsonModule()
