"""Membership changes: who left and who joined a campaign's members or a conversation."""

from __future__ import annotations

from collections.abc import Sequence


def membership_change(
    before: Sequence[str], after: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ids removed and the ids added, each sorted so events list them stably."""
    removed = tuple(sorted(set(before) - set(after)))
    added = tuple(sorted(set(after) - set(before)))
    return removed, added
