"""The benchmarks check their own figures: these tests check that checking.

The unit tests feed the verification deliberately wrong counts; the slow test runs the smallest
send scenario (one pair of connections, well under a second of load) against a real chinwag server
on SQLite and requires it to verify itself: every send acked, rows stored == acks, deliveries as
expected.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from benchmarks import compare
from benchmarks import servers as srv
from benchmarks.loadgen import client_installed
from benchmarks.profiles import SMOKE
from benchmarks.scenario_flood import run_flood
from benchmarks.scenario_scale import run_scale
from benchmarks.scenario_send import run_send
from benchmarks.verify import RowCounts, Verification, check_rows, check_send, sqlite_counter


def _send_result(**overrides: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "connected": 2,
        "failed": 0,
        "drained": True,
        "totals": {"acks": 10, "news": 10, "lists": 20, "errors": 0, "unexpectedAcks": 0},
        "expected": {"news": 10, "lists": 20},
        "errorSamples": [],
    }
    result.update(overrides)
    return result


def _failed(verification: Verification) -> set[str]:
    return {c["name"] for c in verification.checks if not c["ok"]}


def test_send_checks_pass_when_counts_agree() -> None:
    verification = Verification()
    check_send(verification, _send_result(), expected_connections=2)
    assert verification.ok, verification.failures()


def test_send_checks_catch_lost_and_duplicate_deliveries() -> None:
    lost = Verification()
    totals = {"acks": 10, "news": 9, "lists": 21, "errors": 0, "unexpectedAcks": 0}
    check_send(lost, _send_result(totals=totals), expected_connections=2)
    assert _failed(lost) == {
        "chat:new deliveries == expected",
        "conversation_list_updated deliveries == expected",
    }


def test_send_checks_catch_unacked_sends_errors_and_missing_sockets() -> None:
    verification = Verification()
    totals = {"acks": 10, "news": 10, "lists": 20, "errors": 1, "unexpectedAcks": 0}
    check_send(
        verification,
        _send_result(drained=False, connected=1, totals=totals),
        expected_connections=2,
    )
    assert _failed(verification) == {
        "all sockets connected and joined",
        "no chat:error, no stray acks",
        "every send acked",
    }


def test_row_checks_catch_missing_rows_and_seq_gaps() -> None:
    counts = RowCounts(
        by_kind={("c1", "user"): 5, ("c2", "user"): 4},
        seqs={"c1": (5, 5, 5), "c2": (4, 4, 5)},
    )
    verification = Verification()
    check_rows(verification, counts, "user", {"c1": 5, "c2": 5}, ["c1", "c2"])
    failed = {c["name"]: c["detail"] for c in verification.checks if not c["ok"]}
    assert set(failed) == {
        "stored user rows == acks",
        "seq gap-free (rows == distinct seqs == max seq)",
    }
    assert failed["stored user rows == acks"]["mismatched"] == {"c2": (4, 5)}


def test_an_empty_verification_is_not_a_pass() -> None:
    assert not Verification().ok


@pytest.mark.slow
@pytest.mark.node
@pytest.mark.timeout(60)
def test_smallest_send_scenario_verifies_itself_against_chinwag(tmp_path: Path) -> None:
    if shutil.which("node") is None or not client_installed():
        pytest.skip("needs node and socket.io-client (npm ci --prefix benchmarks)")
    secret = srv.new_secret()
    db = tmp_path / "smoke.db"
    env = srv.server_env(secret, f"sqlite+aiosqlite:///{db}", None)
    with srv.running_server(srv.CHINWAG, env, tmp_path / "logs", core=None) as server:
        run = run_send([server], SMOKE, 2, secret, tmp_path, sqlite_counter(str(db)))
    assert run.ok, run.verification.failures()
    names = {c["name"] for c in run.verification.checks}
    assert "stored user rows == acks" in names
    totals = run.details["totals"]
    assert totals["acks"] >= 100, totals
    # One pair: each ack means one chat:new at the peer and two list updates (both users).
    assert totals["news"] == totals["acks"]
    assert totals["lists"] == 2 * totals["acks"]
    assert run.value is not None and run.value > 0
    assert run.cpu_us_per_msg is not None and run.p99_ms is not None


@pytest.mark.slow
@pytest.mark.node
@pytest.mark.timeout(120)
def test_smallest_scale_and_flood_scenarios_verify_themselves_against_chinwag(
    tmp_path: Path,
) -> None:
    if shutil.which("node") is None or not client_installed():
        pytest.skip("needs node and socket.io-client (npm ci --prefix benchmarks)")
    secret = srv.new_secret()
    db = tmp_path / "smoke.db"
    env = srv.server_env(secret, f"sqlite+aiosqlite:///{db}", None)
    env["CHINWAG_AUTH_DEADLINE_S"] = str(SMOKE.flood_deadline_s)
    with srv.running_server(srv.CHINWAG, env, tmp_path / "logs", core=None) as server:
        scale = run_scale(server, SMOKE, secret, tmp_path, SMOKE.scale_sockets)
        flood = run_flood(server, SMOKE, secret, tmp_path)
    assert scale.ok, scale.verification.failures()
    assert scale.details["idle_sockets"] == SMOKE.scale_sockets - 2
    assert scale.value is not None and scale.p99_ms is not None
    assert flood.ok, flood.verification.failures()
    assert flood.details["flood"]["closedByServer"] == SMOKE.flood_sockets
    assert flood.value is not None


def test_compare_alternates_the_checkouts_and_takes_medians() -> None:
    """``benchmarks.compare``: each side runs first in half the rounds; a row's figures are
    the medians of the verified runs, failed runs left out."""
    assert compare.order(3) == ["this", "other", "other", "this", "this", "other"]

    def run(value: float, cpu: float, ok: bool = True) -> list[dict[str, Any]]:
        chinwag = {"value": value, "cpu_us_per_msg": cpu, "ok": ok}
        bare = {"value": 10.0, "cpu_us_per_msg": 1.0, "ok": True}
        return [
            {"id": "a-1", "title": "(a)", "metric": "acks/s", "chinwag": chinwag, "baseline": bare}
        ]

    table = compare.summarise(
        {
            "this": [run(100, 400), run(120, 300), run(1, 9999, ok=False)],
            "other": [run(90, 500), run(80, 700), run(85, 600)],
        }
    )
    assert table[0]["this_chinwag"] == 110 and table[0]["this_chinwag_cpu"] == 350
    assert table[0]["other_chinwag"] == 85 and table[0]["other_chinwag_cpu"] == 600
    assert "1.29×" in compare.render(table)
