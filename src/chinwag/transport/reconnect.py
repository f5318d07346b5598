"""How chinwag's Redis subscribers come back after Redis went away: soon, and quietly.

Whatever a process publishes while another one is not subscribed is lost for that one's
sockets (clients repair it with ``chat:sync``, see docs/guide.md "Gaps after an outage"), so
every second of re-subscribing late costs messages. Attempts are cheap while Redis is down (a
refused connection), so they are retried at most :data:`MAX_S` apart instead of backing off to
a minute; and an outage is logged when it starts and when it ends, not once per attempt.
"""

from __future__ import annotations

import asyncio
import logging

#: The first wait after a failure; it doubles up to :data:`MAX_S`.
FIRST_S = 0.1
MAX_S = 1.0


class Reconnect:
    """The waits between a subscriber's attempts, and its log lines."""

    def __init__(self, log: logging.Logger, what: str) -> None:
        self.log = log
        self.what = what
        self.wait_s = FIRST_S
        self.failing = False

    async def failed(self, exc: BaseException) -> None:
        """An attempt failed: log it if it is the first, then wait before the next one."""
        if not self.failing:
            self.failing = True
            self.log.error(
                "%s: Redis connection lost (%s: %s); retrying every %g s at most",
                self.what,
                type(exc).__name__,
                exc,
                MAX_S,
            )
        await asyncio.sleep(self.wait_s)
        self.wait_s = min(self.wait_s * 2, MAX_S)

    def succeeded(self) -> None:
        """Subscribed again: log the end of the outage, and start the next one's waits afresh."""
        if self.failing:
            self.failing = False
            self.log.warning("%s: Redis answers again, subscribed", self.what)
        self.wait_s = FIRST_S
