"""Identifier rules: server-made ids are lower-case hyphenated UUIDs (the contract's Uuid)."""

from __future__ import annotations

import re

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def is_uuid(value: object) -> bool:
    """True when ``value`` is a string in the contract's Uuid form."""
    return isinstance(value, str) and _UUID.match(value) is not None
