"""Field validators for checks the generated models cannot express with ``Field()`` alone.

This module is copied verbatim into ``generated/chinwag_contract/_validators.py``;
``codegen.field_checks`` decides from the schemas which field uses which.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticCustomError

__all__ = ["reject_null"]


def reject_null(value: Any) -> Any:
    """Refuse an explicit ``null`` for an optional field whose schema does not allow null.

    The generated type stays ``X | None`` because an absent key defaults to ``None``; defaults are
    not validated, so only a ``null`` sent on the wire reaches this check.
    """
    if value is None:
        raise PydanticCustomError("null_forbidden", "Input should not be null")
    return value
