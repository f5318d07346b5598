"""The webhook outbox repository: the triggers' switch, claiming due rows, recording outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.domain.webhook import Delivery, DeliveryStatus
from chinwag.storage.webhook_schema import webhook_config, webhook_outbox

COLUMNS = (
    webhook_outbox.c.id,
    webhook_outbox.c.event,
    webhook_outbox.c.conversation_id,
    webhook_outbox.c.message_id,
    webhook_outbox.c.chat_status,
    webhook_outbox.c.occurred_at,
    webhook_outbox.c.status,
    webhook_outbox.c.attempts,
    webhook_outbox.c.next_attempt_at,
    webhook_outbox.c.last_error,
)


def _delivery(row: Any) -> Delivery:
    return Delivery(*row)


class WebhookRepository:
    """Outbox rows on one connection (one transaction when writing)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def set_enabled(self, enabled: bool) -> None:
        """Turn the triggers on or off for the whole database."""
        changed = await self._conn.execute(
            update(webhook_config).where(webhook_config.c.id == 1).values(enabled=enabled)
        )
        if changed.rowcount == 0:
            await self._conn.execute(webhook_config.insert().values(id=1, enabled=enabled))

    async def claim_due(self, now: float, lease_s: float, limit: int) -> list[Delivery]:
        """Pending rows due at ``now``, oldest first, leased for ``lease_s`` to this caller.

        The lease (``next_attempt_at`` moved forward) keeps other processes off them while they
        are being sent; a process that dies mid-send leaves them due again when it ends.
        """
        query = (
            select(*COLUMNS)
            .where(webhook_outbox.c.status == "pending", webhook_outbox.c.next_attempt_at <= now)
            .order_by(webhook_outbox.c.seq)
            .limit(limit)
        )
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = [_delivery(r) for r in (await self._conn.execute(query)).all()]
        if rows:
            await self._conn.execute(
                update(webhook_outbox)
                .where(webhook_outbox.c.id.in_([r.id for r in rows]))
                .values(next_attempt_at=now + lease_s)
            )
        return rows

    async def record(
        self,
        delivery_id: str,
        status: DeliveryStatus,
        attempts: int,
        next_attempt_at: float,
        error: str | None,
    ) -> None:
        """Store the outcome of an attempt."""
        await self._conn.execute(
            update(webhook_outbox)
            .where(webhook_outbox.c.id == delivery_id)
            .values(
                status=status,
                attempts=attempts,
                next_attempt_at=next_attempt_at,
                last_error=error,
            )
        )

    async def replay(self, delivery_id: str) -> Delivery | None:
        """Make a delivery (typically dead) pending and due now, attempts reset; None if unknown."""
        changed = await self._conn.execute(
            update(webhook_outbox)
            .where(webhook_outbox.c.id == delivery_id)
            .values(status="pending", attempts=0, next_attempt_at=0.0, last_error=None)
        )
        return await self.get(delivery_id) if changed.rowcount else None

    async def get(self, delivery_id: str) -> Delivery | None:
        """One delivery by id."""
        row = (
            await self._conn.execute(select(*COLUMNS).where(webhook_outbox.c.id == delivery_id))
        ).first()
        return None if row is None else _delivery(row)

    async def list(self, status: DeliveryStatus | None = None) -> Sequence[Delivery]:
        """Deliveries (with ``status``), oldest first."""
        query = select(*COLUMNS).order_by(webhook_outbox.c.seq)
        if status is not None:
            query = query.where(webhook_outbox.c.status == status)
        return [_delivery(r) for r in (await self._conn.execute(query)).all()]
