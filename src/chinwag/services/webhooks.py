"""Webhook administration for backend services: list deliveries, replay one."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from chinwag.domain.access import may_manage
from chinwag.domain.principal import Principal
from chinwag.domain.webhook import Delivery, DeliveryStatus
from chinwag.errors import Forbidden, InvalidPayload, NotFound


class WebhookStore(Protocol):
    """A store whose sessions have a ``webhooks`` repository (``chinwag.storage.Database``)."""

    def read(self) -> AbstractAsyncContextManager[Any]: ...

    def write(self) -> AbstractAsyncContextManager[Any]: ...


STATUSES: tuple[DeliveryStatus, ...] = ("pending", "delivered", "dead")


class WebhookAdmin:
    """The outbox seen by the service role."""

    def __init__(self, store: WebhookStore) -> None:
        self._store = store

    async def list(self, principal: Principal, status: str | None = None) -> Sequence[Delivery]:
        """Deliveries, oldest first, optionally only those in ``status``."""
        if not may_manage(principal):
            raise Forbidden("This operation needs the service role")
        if status is not None and status not in STATUSES:
            raise InvalidPayload(
                "status must be pending, delivered or dead",
                details=[{"loc": ["query", "status"], "msg": "unknown status", "type": "enum"}],
            )
        async with self._store.read() as session:
            found: Sequence[Delivery] = await session.webhooks.list(status)
        return found

    async def replay(self, principal: Principal, delivery_id: str) -> Delivery:
        """Queue the delivery again (pending, attempts reset, due now)."""
        if not may_manage(principal):
            raise Forbidden("This operation needs the service role")
        async with self._store.write() as session:
            delivery: Delivery | None = await session.webhooks.replay(delivery_id)
        if delivery is None:
            raise NotFound("Delivery not found")
        return delivery
