"""What a run measured (one server, one scenario), and a compared row (chinwag vs the baseline)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks.verify import Verification


@dataclass
class Run:
    """One server's figures for one scenario."""

    server: str
    value: float | None
    cpu_us_per_msg: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    verification: Verification = field(default_factory=Verification)
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Measured and verified."""
        return self.error is None and self.value is not None and self.verification.ok

    def to_json(self) -> dict[str, Any]:
        """The form stored in results.json."""
        data = asdict(self)
        data["verification"] = self.verification.to_json()
        data["ok"] = self.ok
        return data


@dataclass
class Target:
    """A ratio chinwag/baseline to reach: ``≥ minimum`` (or ``≤`` when lower is better)."""

    minimum: float
    aim: float | None = None
    higher_is_better: bool = True

    def met(self, ratio: float | None) -> bool | None:
        """True/False, or None when there is no ratio."""
        if ratio is None:
            return None
        return ratio >= self.minimum if self.higher_is_better else ratio <= self.minimum

    def describe(self) -> str:
        """``≥ 0.5 (aim 0.7)`` or ``≤ 1.5``."""
        sign = "≥" if self.higher_is_better else "≤"
        aim = f" (aim {self.aim:g})" if self.aim is not None else ""
        return f"{sign} {self.minimum:g}{aim}"


@dataclass
class Row:
    """One line of the table: a scenario, both servers' runs, their ratio."""

    id: str
    title: str
    metric: str
    chinwag: Run | None = None
    baseline: Run | None = None
    target: Target | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """chinwag / baseline of the headline figure."""
        if self.chinwag is None or self.baseline is None:
            return None
        a, b = self.chinwag.value, self.baseline.value
        if a is None or b is None or b == 0:
            return None
        return a / b

    @property
    def verified(self) -> bool:
        """Both runs measured and verified."""
        return all(r is not None and r.ok for r in (self.chinwag, self.baseline))

    def to_json(self) -> dict[str, Any]:
        """The form stored in results.json."""
        ratio = self.ratio
        return {
            "id": self.id,
            "title": self.title,
            "metric": self.metric,
            "chinwag": None if self.chinwag is None else self.chinwag.to_json(),
            "baseline": None if self.baseline is None else self.baseline.to_json(),
            "ratio": ratio,
            "target": None if self.target is None else asdict(self.target),
            "target_met": None if self.target is None else self.target.met(ratio),
            "verified": self.verified,
            "notes": self.notes,
        }
