"""The soak's service client: the backend, posting automated messages while it listens."""

from __future__ import annotations

import asyncio
import contextlib
import random
from typing import Any

import httpx
import socketio

from benchmarks.soak_counters import Counters
from benchmarks.soak_user import REQUEST_TIMEOUT_S


class ServiceClient:
    """The backend: a service-role socket listening in every room, posting automated messages."""

    def __init__(
        self,
        url: str,
        token: str,
        conversation_ids: list[str],
        counters: Counters,
        seed: int,
    ) -> None:
        self.url = url
        self.token = token
        self.conversation_ids = conversation_ids
        self.counters = counters
        self.rng = random.Random(seed)
        self.received = 0

    def _on_event(self, event: str, *args: Any) -> None:
        self.received += 1

    async def run(self, stop: asyncio.Event, period_s: float, max_posts: int) -> None:
        """Listen on a socket and POST an automated message every ``period_s`` until ``stop``."""
        sio = socketio.AsyncClient(reconnection=False)
        sio.on("*", self._on_event)
        headers = {"Authorization": f"Bearer {self.token}"}
        # trust_env=False: a developer's proxy settings must not capture 127.0.0.1.
        async with httpx.AsyncClient(
            base_url=self.url, headers=headers, timeout=REQUEST_TIMEOUT_S, trust_env=False
        ) as http:
            try:
                await sio.connect(self.url, auth={"token": self.token}, transports=["websocket"])
                for cid in self.conversation_ids:
                    await sio.call("chat:join", {"conversationId": cid}, timeout=REQUEST_TIMEOUT_S)
                for _ in range(max_posts):
                    if stop.is_set():
                        break
                    await self._post(http)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), period_s)
            except Exception as exc:
                self.counters.error(f"service: {type(exc).__name__}: {exc}")
            finally:
                if sio.connected:
                    await sio.disconnect()

    async def _post(self, http: httpx.AsyncClient) -> None:
        cid = self.rng.choice(self.conversation_ids)
        body = {"text": "soak automated", "reason": "soak"}
        try:
            response = await http.post(f"/api/conversations/{cid}/automated-messages", json=body)
        except httpx.HTTPError as exc:
            self.counters.error(f"automated POST: {type(exc).__name__}: {exc}")
            return
        if response.status_code != 201:
            self.counters.error(f"automated POST → {response.status_code}: {response.text}")
            return
        self.counters.automated += 1
        self.counters.automated_ids.setdefault(cid, set()).add(response.json()["id"])
