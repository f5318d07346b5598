"""UTC time at millisecond precision, the only precision the protocol carries."""

from __future__ import annotations

from datetime import UTC, datetime


def truncate_ms(dt: datetime) -> datetime:
    """Return ``dt`` in UTC with microseconds cut down to whole milliseconds."""
    if dt.tzinfo is not UTC:
        if dt.tzinfo is None:
            raise ValueError("naive datetime: chinwag timestamps are always timezone-aware")
        dt = dt.astimezone(UTC)
    if dt.microsecond % 1000:
        dt = dt.replace(microsecond=dt.microsecond - dt.microsecond % 1000)
    return dt


def utc_now() -> datetime:
    """The current time, aware UTC, truncated to milliseconds."""
    return truncate_ms(datetime.now(UTC))


def format_timestamp(dt: datetime) -> str:
    """Format as ISO 8601 UTC with exactly three fraction digits and ``Z``."""
    if dt.tzinfo is not UTC:
        if dt.tzinfo is None:
            raise ValueError("naive datetime: chinwag timestamps are always timezone-aware")
        dt = dt.astimezone(UTC)
    if dt.year < 1000:  # isoformat pads the year to four digits, strftime's %Y does not
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    # isoformat truncates to milliseconds (as truncate_ms does) and is many times faster
    # than strftime: every message on the wire and every SQLite row carries a timestamp.
    return dt.isoformat(timespec="milliseconds")[:-6] + "Z"


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 timestamp (``Z`` or offset) into aware UTC at ms precision."""
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return truncate_ms(dt)
