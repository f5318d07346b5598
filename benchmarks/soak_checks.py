"""The soak's end-of-run checks: flat resources, and stored rows against what the clients saw."""

from __future__ import annotations

import math
from typing import Any

import httpx

from benchmarks.soak_counters import Counters
from benchmarks.verify import Verification

RSS_GROWTH_LIMIT = 0.20
FD_GROWTH_ABS, FD_GROWTH_REL = 10, 0.05
PAGE = 200


def judge_flatness(rows: list[dict[str, Any]], verification: Verification) -> None:
    """RSS and open fds: the last 20 % of samples against the 20 % after the warm-up."""
    n = len(rows)
    if n < 3:
        verification.check("enough samples to judge flatness (≥ 3)", False, n)
        return
    size = max(1, math.floor(n * 0.2))
    start = min(size, n - 2)
    baseline, tail = rows[start : start + size], rows[n - size :]

    def mean(key: str, part: list[dict[str, Any]]) -> float:
        return sum(float(r[key]) for r in part) / len(part)

    rss_base, rss_tail = mean("rss_kb", baseline), mean("rss_kb", tail)
    fd_base, fd_tail = mean("open_fds", baseline), mean("open_fds", tail)
    growth = rss_tail / rss_base - 1
    verification.check(
        f"RSS flat (last 20% ≤ +{RSS_GROWTH_LIMIT:.0%} over post-warm-up)",
        growth <= RSS_GROWTH_LIMIT,
        f"{rss_base / 1024:.1f} → {rss_tail / 1024:.1f} MiB ({growth:+.1%})",
    )
    fd_limit = FD_GROWTH_ABS + FD_GROWTH_REL * fd_base
    verification.check(
        f"open fds flat (last 20% ≤ +{FD_GROWTH_ABS} + {FD_GROWTH_REL:.0%})",
        fd_tail - fd_base <= fd_limit,
        f"{fd_base:.1f} → {fd_tail:.1f} (limit +{fd_limit:.1f})",
    )


async def stored_messages(http: httpx.AsyncClient, cid: str, expected: int) -> list[dict[str, Any]]:
    """Every message of a conversation through REST, paging with after_seq (bounded)."""
    items: list[dict[str, Any]] = []
    for _ in range(expected // PAGE + 3):
        after = items[-1]["seq"] if items else 0
        response = await http.get(
            f"/api/conversations/{cid}/messages", params={"after_seq": after, "limit": PAGE}
        )
        response.raise_for_status()
        page = response.json()["items"]
        items.extend(page)
        if len(page) < PAGE:
            break
    return items


async def verify_storage(
    url: str, token: str, conversations: list[str], counters: Counters, verification: Verification
) -> None:
    """Stored rows == acks (same ids), automated rows == posts, seq 1..N without gaps."""
    mismatched: dict[str, Any] = {}
    gaps: dict[str, Any] = {}
    stored_total = 0
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60, trust_env=False
    ) as http:
        for cid in conversations:
            acked = counters.acked_ids.get(cid, set())
            posted = counters.automated_ids.get(cid, set())
            items = await stored_messages(http, cid, len(acked) + len(posted))
            stored_total += len(items)
            users = {m["id"] for m in items if m["kind"] == "user"}
            automated = {m["id"] for m in items if m["kind"] == "automated"}
            if users != acked or automated != posted:
                mismatched[cid] = {
                    "stored_user": len(users),
                    "acked": len(acked),
                    "stored_automated": len(automated),
                    "posted": len(posted),
                }
            seqs = [m["seq"] for m in items]
            if seqs != list(range(1, len(items) + 1)):
                gaps[cid] = {"rows": len(seqs), "max_seq": max(seqs, default=0)}
    acked_total = sum(len(s) for s in counters.acked_ids.values())
    posted_total = sum(len(s) for s in counters.automated_ids.values())
    verification.check(
        "stored rows == acked sends + posted automated (same ids)",
        not mismatched and counters.lost == 0,
        {
            "stored": stored_total,
            "acked": acked_total,
            "automated": posted_total,
            "lost_sends": counters.lost,
            "mismatched": dict(list(mismatched.items())[:5]),
        },
    )
    verification.check("seq gap-free (1..N)", not gaps, dict(list(gaps.items())[:5]))
