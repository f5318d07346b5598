"""Sockets this process closed on its own initiative, by reason (exported as metrics).

Plain integers, incremented where the decision is made (no metrics library on that path);
``chinwag_sockets_aborted_total{reason}`` reads them when scraped.
"""

from __future__ import annotations


class AbortStats:
    """Sockets aborted by this process since it started, one counter per reason."""

    __slots__ = ("garbage", "slow_consumer")

    def __init__(self) -> None:
        #: Outbound buffer over ``CHINWAG_MAX_SOCKET_BUFFER`` (PROTOCOL.md, "Slow readers").
        self.slow_consumer = 0
        #: Kept sending malformed frames or polling bodies (``CHINWAG_GARBAGE_LIMIT``).
        self.garbage = 0

    def as_dict(self) -> dict[str, int]:
        """``{reason: count}`` for every reason."""
        return {name: getattr(self, name) for name in self.__slots__}


stats = AbortStats()
"""The process-wide counters."""
