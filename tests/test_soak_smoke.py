"""``make soak`` judges itself: these tests check the judging, and run a short soak for real.

The unit tests feed the flatness check growing and flat series; the slow test runs
``python -m benchmarks.soak`` for 15 s with 5 clients against a real chinwag server on SQLite and
requires the CSV and every check (stored rows == acks, seq gap-free, no errors, flat resources).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.soak_checks import judge_flatness
from benchmarks.soak_sampler import COLUMNS
from benchmarks.verify import Verification

REPO = Path(__file__).resolve().parents[1]


def _rows(rss_kb: list[int], fds: list[int]) -> list[dict[str, Any]]:
    return [{"rss_kb": r, "open_fds": f} for r, f in zip(rss_kb, fds, strict=True)]


def _failed(verification: Verification) -> set[str]:
    return {c["name"].split(" (")[0] for c in verification.checks if not c["ok"]}


def test_flat_series_pass_even_with_a_warm_up_climb() -> None:
    verification = Verification()
    rss = [50_000, 90_000] + [100_000, 101_000, 99_000, 100_500] * 2
    judge_flatness(_rows(rss, [20, 40] + [45, 46, 44, 45] * 2), verification)
    assert verification.ok, verification.failures()


def test_rss_growing_more_than_a_fifth_fails() -> None:
    verification = Verification()
    rss = [100_000 + 5_000 * i for i in range(10)]
    judge_flatness(_rows(rss, [40] * 10), verification)
    assert _failed(verification) == {"RSS flat"}


def test_leaking_file_descriptors_fail() -> None:
    verification = Verification()
    judge_flatness(_rows([100_000] * 10, [40 + 3 * i for i in range(10)]), verification)
    assert _failed(verification) == {"open fds flat"}


def test_too_few_samples_are_not_a_pass() -> None:
    verification = Verification()
    judge_flatness(_rows([1, 1], [1, 1]), verification)
    assert not verification.ok


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_short_soak_writes_its_csv_and_verifies_itself(tmp_path: Path) -> None:
    output = tmp_path / "soak.csv"
    argv = [sys.executable, "-m", "benchmarks.soak", "--duration", "15", "--interval", "3"]
    argv += ["--clients", "5", "--output", str(output)]
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=50)
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    with output.open(newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        rows = list(reader)
    assert len(rows) >= 3, rows
    assert int(rows[-1]["acked_total"]) > 0
    assert all(int(r["rss_kb"]) > 0 and int(r["open_fds"]) > 0 for r in rows)
    # stdout is the same CSV, printed as it is written.
    assert done.stdout.splitlines()[0] == ",".join(COLUMNS)
    assert len(done.stdout.splitlines()) == len(rows) + 1
    assert "ok   stored rows == acked sends" in done.stderr
    assert "ok   seq gap-free" in done.stderr
    assert "soak passed" in done.stderr
