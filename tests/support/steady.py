"""Clients that keep going through a dependency outage, the way the protocol tells clients to.

``SteadySender`` keeps ``chat:send`` going on one socket, one request in flight: ``unavailable``
and ``rate_limited`` are honoured by waiting ``retryAfter`` and resending the same payload (same
tempId, clientNonce and text); any other error fails the test. ``GapFiller`` is a room member
that follows the guide's "Gaps after an outage" rule: a ``chat:new`` whose ``seq`` is more than
one past the last one seen means missed messages, fetched with ``chat:sync``.

``Progress`` lets a test await "enough happened" without sleeping: every ack, error and
delivery wakes its waiters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.chat_client import ChatClient

#: Error codes a client answers by waiting ``retryAfter`` ms and resending the same payload.
RETRYABLE = ("unavailable", "rate_limited")


class Progress:
    """Something happened: wakes everyone waiting in :meth:`until`."""

    def __init__(self) -> None:
        self._changed = asyncio.Event()
        #: What failed in a client task; :meth:`until` raises the first at once.
        self.failures: list[BaseException] = []

    def tick(self) -> None:
        """Record that something happened."""
        self._changed.set()

    def fail(self, error: BaseException) -> None:
        """Record a client's failure (it ends every wait)."""
        self.failures.append(error)
        self.tick()

    async def until(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:  # noqa: ASYNC109
        """Return once ``predicate()`` holds; fail with ``what`` after ``timeout`` seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            if self.failures:
                raise self.failures[0]
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                continue


async def cancel_all(tasks: list[asyncio.Task[None]], timeout: float = 30.0) -> None:  # noqa: ASYNC109
    """Cancel ``tasks`` and wait until they are done.

    Cancelling again until they end: on Python 3.11, ``asyncio.wait_for`` loses a cancellation
    that arrives as its inner future completes (a client's wait, here), and the task goes on.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    while not all(task.done() for task in tasks):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("client tasks did not end after cancellation")
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks, timeout=0.5)


@dataclass
class SteadySender:
    """One socket sending into one conversation until told to stop."""

    client: ChatClient
    conversation_id: str
    progress: Progress
    #: clientNonce → the message id its ack reported (a retry must report the same one).
    acked: dict[str, str] = field(default_factory=dict)
    #: Every retryable ``chat:error`` received, in order.
    retried: list[dict[str, Any]] = field(default_factory=list)
    #: (loop time the send left, loop time its ack arrived) per acked send, retries included.
    timings: list[tuple[float, float]] = field(default_factory=list)
    sent: int = 0

    async def send_one(self, text: str) -> dict[str, Any]:
        """Send until acked (retrying as told); returns the acked message."""
        self.sent += 1
        nonce = f"{self.client.name}-n{self.sent}"
        payload = {
            "tempId": f"t-{self.sent}",
            "conversationId": self.conversation_id,
            "clientNonce": nonce,
            "text": text,
        }
        started = asyncio.get_running_loop().time()
        while True:
            name, reply = await self.client.request("chat:send", payload)
            if name == "chat:ack":
                message: dict[str, Any] = reply["message"]
                assert self.acked.setdefault(nonce, message["id"]) == message["id"], reply
                self.timings.append((started, asyncio.get_running_loop().time()))
                self.progress.tick()
                return message
            assert reply["code"] in RETRYABLE, f"[{self.client.name}] chat:send → {reply!r}"
            assert reply["tempId"] == payload["tempId"] and reply["retryAfter"] > 0, reply
            self.retried.append(reply)
            self.progress.tick()
            await asyncio.sleep(reply["retryAfter"] / 1000)  # as the server asked

    async def run(self, stop: asyncio.Event) -> None:
        """Send one message after another until ``stop`` is set (the last one is acked)."""
        try:
            while not stop.is_set():
                await self.send_one(f"{self.client.name} says #{self.sent + 1}")
        except BaseException as exc:
            self.progress.fail(exc)
            raise


@dataclass
class GapFiller:
    """A room member that repairs gaps in ``seq`` with ``chat:sync``, as the guide says."""

    client: ChatClient
    conversation_id: str
    progress: Progress
    #: The highest seq seen, and every message by seq (from chat:new and chat:sync alike).
    last_seq: int = 0
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: (after_seq, first seq of the chat:new that revealed the gap) per gap found.
    gaps: list[tuple[int, int]] = field(default_factory=list)
    #: (loop time it was handled, message) per ``chat:new``: what came live, not by sync.
    live: list[tuple[float, dict[str, Any]]] = field(default_factory=list)

    async def follow(self) -> None:
        """Handle ``chat:new`` events in arrival order for ever (cancel to stop)."""
        try:
            await self._follow()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            self.progress.fail(exc)
            raise

    async def _follow(self) -> None:
        while True:
            payload = await self.client.wait_for(
                "chat:new",
                lambda p: p["message"]["conversation_id"] == self.conversation_id,
                timeout=3600,
            )
            message = payload["message"]
            self.live.append((asyncio.get_running_loop().time(), message))
            if message["seq"] > self.last_seq + 1:
                self.gaps.append((self.last_seq, message["seq"]))
                await self.sync_after(self.last_seq)
            self._keep(message)
            self.progress.tick()

    async def sync_after(self, after_seq: int) -> None:
        """Fetch every message after ``after_seq`` with ``chat:sync`` pages."""
        while True:
            page = await self.client.ok(
                "chat:sync", {"conversationId": self.conversation_id, "afterSeq": after_seq}
            )
            for message in page["messages"]:
                self._keep(message)
                after_seq = message["seq"]
            if not page["hasMore"]:
                return

    def _keep(self, message: dict[str, Any]) -> None:
        self.messages[message["seq"]] = message
        self.last_seq = max(self.last_seq, message["seq"])
