"""Token buckets for per-socket and per-user event rates."""

from __future__ import annotations

import math
import time


class TokenBucket:
    """``rate`` events per second with a burst of ``burst``; ``rate <= 0`` never limits."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.burst = burst if burst is not None else 2 * rate
        self.tokens = self.burst
        self.stamp = time.monotonic()

    def take(self) -> int:
        """Take one token: 0 when allowed, else the milliseconds until one is available."""
        if self.rate <= 0:
            return 0
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0
        return max(1, math.ceil((1 - self.tokens) / self.rate * 1000))
