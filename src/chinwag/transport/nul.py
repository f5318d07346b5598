"""Refuse U+0000 in client strings at the edge.

PostgreSQL's text and jsonb cannot hold U+0000, so such a string would fail at the database
as an internal error. The contract says so (info description), and both edges answer it as
a client mistake instead: ``invalid_payload`` naming the field.
"""

from __future__ import annotations

from typing import Any

from chinwag.errors import InvalidPayload

MAX_DEPTH = 64


def _has_nul(value: Any, depth: int = 0) -> bool:
    """Whether any string or key in ``value`` holds U+0000 (no allocation: the common case)."""
    if isinstance(value, str):
        return "\x00" in value
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, dict):
        for key, item in value.items():
            if (isinstance(key, str) and "\x00" in key) or _has_nul(item, depth + 1):
                return True
    elif isinstance(value, list):
        for item in value:
            if _has_nul(item, depth + 1):
                return True
    return False


def _find_nul(value: Any, loc: list[str | int], depth: int = 0) -> list[str | int] | None:
    if isinstance(value, str):
        return loc if "\x00" in value else None
    if depth >= MAX_DEPTH:  # deeper payloads fail schema validation anyway
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            here = [*loc, str(key)[:256]]
            if isinstance(key, str) and "\x00" in key:
                return here
            found = _find_nul(item, here, depth + 1)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_nul(item, [*loc, index], depth + 1)
            if found is not None:
                return found
    return None


def reject_nul(value: Any, prefix: tuple[str, ...] = ()) -> None:
    """Raise ``InvalidPayload`` when any string (or key) in ``value`` contains U+0000."""
    if not _has_nul(value):
        return
    loc = _find_nul(value, list(prefix))
    if loc is not None:
        raise InvalidPayload(
            "Strings must not contain U+0000",
            details=[{"loc": loc, "msg": "String contains U+0000", "type": "string_nul"}],
        )
