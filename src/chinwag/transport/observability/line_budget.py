"""At most a few log lines per socket per window; the rest are counted and reported later."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(slots=True)
class LineBudget:
    """``lines`` log lines per ``window_s`` for one socket; :meth:`take` says whether to log."""

    lines: int
    window_s: float
    _window_start: float = 0.0
    _used: int = 0
    #: Lines withheld since the last one written (reported as ``suppressed`` on the next).
    suppressed: int = 0

    def take(self, now: float | None = None) -> bool:
        """Whether one more line may be written now (else it is counted as suppressed)."""
        now = time.monotonic() if now is None else now
        if now - self._window_start >= self.window_s:
            self._window_start, self._used = now, 0
        if self._used < self.lines:
            self._used += 1
            return True
        self.suppressed += 1
        return False

    def drain_suppressed(self) -> int:
        """The suppressed count, reset to zero."""
        count, self.suppressed = self.suppressed, 0
        return count
