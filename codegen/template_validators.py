"""Field validators for checks the generated models cannot express with ``Field()`` alone.

This module is copied verbatim into ``generated/chinwag_contract/_validators.py``;
``codegen.field_checks`` decides from the schemas which field uses which.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic_core import PydanticCustomError

__all__ = ["date_time", "integral", "reject_null", "unique_items"]


def reject_null(value: Any) -> Any:
    """Refuse an explicit ``null`` for an optional field whose schema does not allow null.

    The generated type stays ``X | None`` because an absent key defaults to ``None``; defaults are
    not validated, so only a ``null`` sent on the wire reaches this check.
    """
    if value is None:
        raise PydanticCustomError("null_forbidden", "Input should not be null")
    return value


def date_time(value: Any) -> Any:
    """Refuse a string that has the shape of an RFC 3339 instant but no such instant exists.

    The contract's pattern fixes the shape (``2026-02-30T10:00:00.000Z`` matches it); JSON Schema's
    ``format: date-time`` also refuses impossible dates and times, and so does this check.
    """
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise PydanticCustomError(
                "date_time", "Input should be a valid RFC 3339 date-time"
            ) from None
    return value


def integral(value: Any) -> Any:
    """Accept an integer-valued JSON number written with a fraction (``1.0``) as an integer.

    JSON Schema's ``integer`` is any number with a zero fractional part, so the contract's schema
    accepts ``1.0``; a strict ``int`` would not. ``True``/``False`` stay refused by the strict type.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def unique_items(value: Any) -> Any:
    """Refuse a list with a repeated item (JSON Schema ``uniqueItems: true``)."""
    if not isinstance(value, list):
        return value
    seen: set[Any] = set()
    for index, item in enumerate(value):
        try:
            repeated = item in seen
            seen.add(item)
        except TypeError:  # unhashable (a model or a dict): compare with the earlier items
            repeated = item in value[:index]
        if repeated:
            raise PydanticCustomError(
                "unique_items",
                "List should have unique items; item {index} repeats an earlier one",
                {"index": index},
            )
    return value
