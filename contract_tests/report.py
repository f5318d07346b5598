"""Coverage bookkeeping, the printed table and ``report.json``."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.spec import Contract

__all__ = ["MIN_SUCCESSES", "OperationStats", "Report"]

#: Generated valid payloads of an operation that must reach its success reply.
MIN_SUCCESSES = 5
#: Failures listed in the printed summary (all of them go to report.json).
PRINTED_FAILURES = 40


@dataclass
class OperationStats:
    """Counters of one client→server operation."""

    examples: int = 0
    valid: int = 0
    valid_successes: int = 0
    semantic: int = 0
    invalid: int = 0
    authorization: int = 0
    setups: int = 0
    retries: int = 0
    replies: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)


@dataclass
class Report:
    """Everything one run saw, and why it failed."""

    contract: Contract
    operations: dict[str, OperationStats] = field(default_factory=dict)
    broadcasts: Counter[str] = field(default_factory=Counter)
    messages: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    rest: dict[str, Any] | None = None
    timings: dict[str, float] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    not_applicable: set[str] = field(default_factory=set)

    def stats(self, operation: str) -> OperationStats:
        """Counters of ``operation`` (created on first use)."""
        return self.operations.setdefault(operation, OperationStats())

    def fail(self, message: str) -> None:
        """Record a failure."""
        self.failures.append(message)

    def coverage_gaps(self) -> list[str]:
        """Operations, declared replies and broadcasts the run never exercised."""
        gaps: list[str] = []
        for key, op in self.contract.requests.items():
            stats = self.stats(key)
            if stats.examples < len(op.request.examples):
                gaps.append(f"{key}: {stats.examples}/{len(op.request.examples)} examples replayed")
            for reply in op.replies:
                if not stats.replies[reply.key]:
                    gaps.append(f"{key}: declared reply {reply.name!r} ({reply.key}) never seen")
            if stats.valid_successes < MIN_SUCCESSES:
                gaps.append(
                    f"{key}: {stats.valid_successes} generated successes (< {MIN_SUCCESSES})"
                )
        for key, op in self.contract.broadcasts.items():
            if not self.broadcasts[key] and key not in self.not_applicable:
                names = ", ".join(m.name for m in op.messages)
                gaps.append(f"{key}: broadcast ({names}) never received")
        return gaps

    @property
    def ok(self) -> bool:
        """True when nothing failed and everything was exercised."""
        rest_ok = self.rest is None or bool(self.rest.get("ok"))
        return not self.failures and not self.coverage_gaps() and rest_ok

    def table(self) -> str:
        """The coverage table printed at the end of a run."""
        head = f"{'operation':<38}{'ex':>4}{'valid':>7}{'ok':>5}{'sem':>5}{'inval':>7}{'authz':>7}"
        lines = [head + "  replies seen / errors by code", "-" * 110]
        for key in self.contract.requests:
            s = self.stats(key)
            replies = ", ".join(f"{k}={v}" for k, v in sorted(s.replies.items()))
            errors = ", ".join(f"{k}={v}" for k, v in sorted(s.errors.items()))
            lines.append(
                f"{key:<38}{s.examples:>4}{s.valid:>7}{s.valid_successes:>5}{s.semantic:>5}"
                f"{s.invalid:>7}{s.authorization:>7}  {replies} / {errors}"
            )
        for key in self.contract.broadcasts:
            note = (
                " (not applicable: server not started here)" if key in self.not_applicable else ""
            )
            lines.append(f"{key:<38}{'':>35}  received={self.broadcasts[key]}{note}")
        total = len(self.contract.requests) + len(self.contract.broadcasts)
        gaps = self.coverage_gaps()
        gap_ops = {g.split(":", 1)[0] for g in gaps}
        lines.append("-" * 110)
        lines.append(f"operations fully exercised: {total - len(gap_ops)}/{total}")
        if self.rest is not None:
            lines.append(f"REST (schemathesis): {self.rest.get('summary', '')}")
        for gap in gaps:
            lines.append(f"NOT EXERCISED  {gap}")
        for failure in self.failures[:PRINTED_FAILURES]:
            lines.append(f"FAIL  {failure}")
        if len(self.failures) > PRINTED_FAILURES:
            lines.append(f"… and {len(self.failures) - PRINTED_FAILURES} more failures")
        lines.append("RESULT: " + ("PASS" if self.ok else "FAIL"))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The JSON form written to ``report.json``."""
        return {
            "ok": self.ok,
            "spec": str(self.contract.path),
            "settings": self.settings,
            "operations": {k: _stats_json(v) for k, v in self.operations.items()},
            "broadcasts": dict(self.broadcasts),
            "messages_received": dict(self.messages),
            "coverage_gaps": self.coverage_gaps(),
            "not_applicable": sorted(self.not_applicable),
            "failures": self.failures,
            "rest": self.rest,
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
        }

    def write(self, path: Path) -> None:
        """Write ``report.json``."""
        path.write_text(json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n")


def _stats_json(stats: OperationStats) -> dict[str, Any]:
    # dataclasses.asdict rebuilds a Counter from (key, value) pairs and counts the pairs.
    return {
        name: dict(value) if isinstance(value, Counter) else value
        for name, value in vars(stats).items()
    }
