"""Sockets this process closed for their garbage (exported as metrics).

A plain integer, incremented where the decision is made (no metrics library on that path);
``chinwag_sockets_aborted_total{reason="garbage"}`` reads it when scraped, and
``{reason="slow_consumer"}`` reads ``backpressure.stats.slow_consumer_aborts`` the same way.
"""

from __future__ import annotations


class AbortStats:
    """Sockets aborted by this process since it started for sending garbage."""

    __slots__ = ("garbage",)

    def __init__(self) -> None:
        #: Kept sending malformed frames or polling bodies (``CHINWAG_GARBAGE_LIMIT``).
        self.garbage = 0


stats = AbortStats()
"""The process-wide counters."""
