"""Webhooks out: POSTs to the host for every committed ``message.created`` and
``conversation.status_changed``, from the durable outbox (see ``storage/webhook_schema.py``).

Each delivery is signed (``X-Chinwag-Signature: sha256=<hex>``, an HMAC-SHA256 of
``"<X-Chinwag-Timestamp>." + body`` with the shared secret), retried with doubling backoff on
any answer but 2xx (or no answer), and dead-lettered after ``max_attempts``; a dead delivery is
replayed with ``POST /api/webhooks/deliveries/{id}/replay``. Delivery is at least once (a process
that dies mid-POST leaves the row to be sent again when its lease ends): receivers dedupe on
``X-Chinwag-Delivery``. Order is oldest-first but not guaranteed across retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import httpx
import orjson

from chinwag.domain.time import format_timestamp
from chinwag.domain.webhook import Delivery, backoff_s
from chinwag.handlers.presenters import message_to_wire

log = logging.getLogger("chinwag.webhooks")

LEASE_S = 60.0
BATCH = 50


class WebhookStore(Protocol):
    """The database: sessions with ``webhooks`` and ``messages`` repositories."""

    def read(self) -> AbstractAsyncContextManager[Any]: ...

    def write(self) -> AbstractAsyncContextManager[Any]: ...


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Chinwag-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class WebhookDispatcher:
    """Sends due outbox rows to ``url``; one loop per process (rows are leased, not shared)."""

    def __init__(
        self,
        store: WebhookStore,
        url: str | None,
        secret: str | None,
        *,
        max_attempts: int = 8,
        first_backoff_s: float = 1.0,
        poll_s: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if url and not secret:
            raise ValueError("CHINWAG_WEBHOOK_URL needs CHINWAG_WEBHOOK_SECRET (to sign)")
        self.store = store
        self.url = url
        self.secret = secret or ""
        self.max_attempts = max_attempts
        self.first_backoff_s = first_backoff_s
        self.poll_s = poll_s
        self._clock = clock
        self._http: httpx.AsyncClient | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Switch the outbox triggers to match the configuration; start sending when on."""
        async with self.store.write() as session:
            await session.webhooks.set_enabled(bool(self.url))
        if self.url:
            self._http = httpx.AsyncClient(timeout=10)
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop sending (rows in flight stay leased and are sent again later)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._http is not None:
            await self._http.aclose()

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.run_once()
            except Exception:  # a database hiccup must not end the loop
                log.exception("webhook round failed")
                sent = 0
            if sent == 0:
                await asyncio.sleep(self.poll_s)

    async def run_once(self) -> int:
        """Send every due delivery (up to a batch); returns how many were attempted."""
        now = self._clock()
        async with self.store.write() as session:
            due: list[Delivery] = await session.webhooks.claim_due(now, LEASE_S, BATCH)
        for delivery in due:
            await self._attempt(delivery)
        return len(due)

    async def _attempt(self, delivery: Delivery) -> None:
        attempts = delivery.attempts + 1
        error = await self._post(delivery)
        if error is None:
            status, next_at = "delivered", 0.0
        elif attempts >= self.max_attempts:
            status, next_at = "dead", 0.0
            log.warning("webhook %s dead after %d attempts: %s", delivery.id, attempts, error)
        else:
            status, next_at = "pending", self._clock() + backoff_s(self.first_backoff_s, attempts)
        async with self.store.write() as session:
            await session.webhooks.record(delivery.id, status, attempts, next_at, error)

    async def _post(self, delivery: Delivery) -> str | None:
        """POST one delivery; None on a 2xx answer, else what went wrong."""
        assert self._http is not None and self.url is not None
        body = orjson.dumps(await self._body(delivery))
        timestamp = str(int(self._clock()))
        headers = {
            "Content-Type": "application/json",
            "X-Chinwag-Event": delivery.event,
            "X-Chinwag-Delivery": delivery.id,
            "X-Chinwag-Timestamp": timestamp,
            "X-Chinwag-Signature": sign(self.secret, timestamp, body),
        }
        try:
            response = await self._http.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"[:1000]
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"

    async def _body(self, delivery: Delivery) -> dict[str, Any]:
        data: dict[str, Any]
        if delivery.event == "message.created" and delivery.message_id is not None:
            async with self.store.read() as session:
                message = await session.messages.get(delivery.message_id)
            data = {"message": None if message is None else message_to_wire(message)}
        else:
            data = {
                "conversation_id": delivery.conversation_id,
                "chat_status": delivery.chat_status,
            }
        return {
            "id": delivery.id,
            "event": delivery.event,
            "occurred_at": format_timestamp(delivery.occurred_at),
            "data": data,
        }
