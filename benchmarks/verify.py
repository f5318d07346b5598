"""Self-checks: each run proves its own figures (stored rows, acks and deliveries agree)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

KIND_SQL = "SELECT conversation_id, kind, count(*) FROM messages GROUP BY conversation_id, kind"
SEQ_SQL = (
    "SELECT conversation_id, count(*), count(DISTINCT seq), coalesce(max(seq), 0) "
    "FROM messages GROUP BY conversation_id"
)


@dataclass
class RowCounts:
    """Stored messages: rows per (conversation, kind), and (rows, distinct seqs, max seq) per
    conversation."""

    by_kind: dict[tuple[str, str], int]
    seqs: dict[str, tuple[int, int, int]]


@dataclass
class Verification:
    """Named checks; the run is verified when all pass."""

    checks: list[dict[str, Any]] = field(default_factory=list)

    def check(self, name: str, ok: bool, detail: Any = None) -> None:
        """Record one check."""
        self.checks.append({"name": name, "ok": bool(ok), "detail": detail})

    @property
    def ok(self) -> bool:
        """True when every check passed (and there was at least one)."""
        return bool(self.checks) and all(c["ok"] for c in self.checks)

    def failures(self) -> list[str]:
        """Names and details of the failed checks."""
        return [f"{c['name']}: {c['detail']}" for c in self.checks if not c["ok"]]

    def to_json(self) -> dict[str, Any]:
        """The form stored in results.json."""
        return {"ok": self.ok, "checks": self.checks}


def sqlite_counter(path: str) -> Callable[[], RowCounts]:
    """Row counts read straight from a SQLite file (WAL allows it while the server runs)."""

    def count() -> RowCounts:
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as db:
            kinds = db.execute(KIND_SQL).fetchall()
            seqs = db.execute(SEQ_SQL).fetchall()
        return RowCounts(
            {(r[0], r[1]): int(r[2]) for r in kinds},
            {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in seqs},
        )

    return count


def psql_counter(run_psql: Callable[[str], str]) -> Callable[[], RowCounts]:
    """Row counts through ``psql`` (unaligned, '|'-separated output)."""

    def rows(sql: str) -> list[list[str]]:
        return [line.split("|") for line in run_psql(sql).splitlines() if line.strip()]

    def count() -> RowCounts:
        return RowCounts(
            {(r[0], r[1]): int(r[2]) for r in rows(KIND_SQL)},
            {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in rows(SEQ_SQL)},
        )

    return count


def check_send(
    verification: Verification,
    result: Mapping[str, Any],
    expected_connections: int,
) -> None:
    """Checks every send run gets, from the load generator's own counts."""
    totals = result["totals"]
    expected = result["expected"]
    verification.check(
        "all sockets connected and joined",
        result["connected"] == expected_connections and result["failed"] == 0,
        f"{result['connected']}/{expected_connections}",
    )
    verification.check(
        "no chat:error, no stray acks",
        totals["errors"] == 0 and totals["unexpectedAcks"] == 0,
        {
            "errors": totals["errors"],
            "unexpected_acks": totals["unexpectedAcks"],
            "samples": result.get("errorSamples"),
        },
    )
    verification.check("every send acked", bool(result["drained"]), totals["acks"])
    verification.check(
        "chat:new deliveries == expected",
        totals["news"] == expected["news"],
        f"{totals['news']} / {expected['news']}",
    )
    verification.check(
        "conversation_list_updated deliveries == expected",
        totals["lists"] == expected["lists"],
        f"{totals['lists']} / {expected['lists']}",
    )


def check_rows(
    verification: Verification,
    counts: RowCounts,
    kind: str,
    expected_per_conversation: Mapping[str, int],
    conversations: Iterable[str],
) -> None:
    """Stored rows of ``kind`` == acknowledged sends, per conversation; seq gap-free."""
    mismatched: dict[str, tuple[int, int]] = {}
    gaps: dict[str, tuple[int, int, int]] = {}
    stored_total = acked_total = 0
    for cid in conversations:
        stored = counts.by_kind.get((cid, kind), 0)
        acked = int(expected_per_conversation.get(cid, 0))
        stored_total += stored
        acked_total += acked
        if stored != acked:
            mismatched[cid] = (stored, acked)
        rows, distinct, top = counts.seqs.get(cid, (0, 0, 0))
        if not rows == distinct == top:
            gaps[cid] = (rows, distinct, top)
    verification.check(
        f"stored {kind} rows == acks",
        not mismatched,
        {
            "stored": stored_total,
            "acked": acked_total,
            "mismatched": dict(list(mismatched.items())[:5]),
        },
    )
    verification.check(
        "seq gap-free (rows == distinct seqs == max seq)", not gaps, dict(list(gaps.items())[:5])
    )
