"""The soak clients' counts: per sampling window, and the acknowledged ids the checks compare."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Counters:
    """Client-side counts: per sampling window, plus what verification needs for the whole run."""

    sent: int = 0
    acked: int = 0
    errors: int = 0
    reconnects: int = 0
    automated: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    acked_total: int = 0
    #: Acknowledged message ids per conversation (a retry's ack repeats the original id).
    acked_ids: dict[str, set[str]] = field(default_factory=dict)
    #: Automated message ids the service posted (201), per conversation.
    automated_ids: dict[str, set[str]] = field(default_factory=dict)
    #: Sends that stayed unacknowledged after every attempt.
    lost: int = 0
    error_samples: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        """Count an error and keep the first few for the report."""
        self.errors += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(what[:300])

    def take_window(self) -> dict[str, float]:
        """This window's counts and ack latency percentiles; the window starts over."""
        lat = sorted(self.latencies_ms)

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 1) if lat else 0.0

        window = {
            "sent": self.sent,
            "acked": self.acked,
            "errors": self.errors,
            "reconnects": self.reconnects,
            "automated": self.automated,
            "p50_ack_ms": pct(0.50),
            "p99_ack_ms": pct(0.99),
            "acked_total": self.acked_total,
        }
        self.sent = self.acked = self.errors = self.reconnects = self.automated = 0
        self.latencies_ms = []
        return window
