"""What one test client received: every event in arrival order, contract-checked and awaitable.

An undeclared event or an invalid payload is recorded as a violation; the next wait fails with it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.support.contract import contract

#: An event the contract does not declare: the server answers it with ``chat:error``
#: (unknown_event), which makes it a side-effect-free round trip for ``ChatClient.barrier``.
BARRIER_EVENT = "test:barrier"
DEFAULT_TIMEOUT = 10.0


@dataclass
class Received:
    """One event the client received, in arrival order."""

    event: str
    payload: Any
    consumed: bool = False


@dataclass
class Inbox:
    """The received-event log of a client: recording, contract checks and waiting for events."""

    name: str = "client"
    log: list[Received] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    # -- recording: plain functions, so arrival order is recording order ----------------------

    def _on_any(self, event: str, *args: Any) -> None:
        self.violations.extend(f"[{self.name}] {v}" for v in contract().event_errors(event, args))
        self.log.append(Received(event, args[0] if len(args) == 1 else list(args)))
        self._wake()

    def _wake(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    def check(self) -> None:
        """Fail when anything received so far broke the contract."""
        assert not self.violations, "contract violations:\n" + "\n".join(self.violations)

    # -- reading what arrived -----------------------------------------------------------------

    def _visible(self, item: Received) -> bool:
        return not (
            item.event == "chat:error"
            and isinstance(item.payload, dict)
            and item.payload.get("event") == BARRIER_EVENT
        )

    @property
    def events(self) -> list[tuple[str, Any]]:
        """Every (event, payload) received, in order (barrier replies left out)."""
        return [(item.event, item.payload) for item in self.log if self._visible(item)]

    def received(self, event: str) -> list[Any]:
        """The payloads of every ``event`` received so far, in order."""
        return [payload for name, payload in self.events if name == event]

    def clear(self) -> None:
        """Forget everything received so far."""
        self.log.clear()

    async def wait_for(
        self,
        event: str | Sequence[str],
        predicate: Callable[[Any], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> Any:
        """The first not yet consumed ``event`` (at log index ≥ ``since``) matching ``predicate``.

        Consumes it, so waiting twice returns two different events. Returns the payload.
        """
        _name, payload = await self._wait(event, predicate, timeout, since)
        return payload

    async def _wait(
        self,
        event: str | Sequence[str],
        predicate: Callable[[Any], bool] | None,
        timeout: float,  # noqa: ASYNC109
        since: int,
    ) -> tuple[str, Any]:
        names = {event} if isinstance(event, str) else set(event)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            self.check()
            for item in self.log[since:]:
                if item.consumed or item.event not in names:
                    continue
                if predicate is None or predicate(item.payload):
                    item.consumed = True
                    return item.event, item.payload
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(
                    f"[{self.name}] no {sorted(names)} within {timeout} s; "
                    f"received: {self.events!r}"[:4000]
                )
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.add(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)
