"""Where committed domain events go; the transport layer implements it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from chinwag.domain.events import DomainEvent


class Publisher(Protocol):
    """Receives domain events after the transaction that produced them committed."""

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Deliver ``events`` (fan-out to rooms, etc.)."""
        ...


class CollectingPublisher:
    """A publisher that keeps every event in ``events``; for tests and scripts."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Append ``events``."""
        self.events.extend(events)
