"""A ``chat:synced`` page stops at about :data:`SYNC_PAGE_BYTES` of messages, not only at 200.

Every socket's outbound buffer is bounded (``CHINWAG_MAX_SOCKET_BUFFER``, 2 MiB by default, see
PROTOCOL.md "Slow readers"); 200 messages of 10,000 characters would be ~2-4 MB in one reply
and trip it. A page cut here has ``hasMore: true`` and the client asks for the next one.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["SYNC_PAGE_BYTES", "cut_page"]

SYNC_PAGE_BYTES = 512 * 1024
"""Bytes of messages (as JSON on the wire) after which a ``chat:synced`` page stops."""


def cut_page(
    messages: list[dict[str, Any]], has_more: bool, budget: int = SYNC_PAGE_BYTES
) -> tuple[list[dict[str, Any]], bool]:
    """The leading messages whose JSON fits in ``budget`` bytes (at least one), and whether
    more follow: ``True`` when the page was cut, else ``has_more``."""
    size = 0
    for index, message in enumerate(messages):
        size += len(orjson.dumps(message))
        if size > budget and index > 0:
            return messages[:index], True
    return messages, has_more
