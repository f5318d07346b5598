"""``python -m contract_tests``: flags, server start-up, report output and exit code."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from contract_tests.fixture import DEFAULT_FIXTURE
from contract_tests.junit import write_junit
from contract_tests.phases import Budget
from contract_tests.runner import DEFAULT_OPENAPI, DEFAULT_SPEC, RunConfig, run_sync

__all__ = ["main", "parser"]

DEFAULT_REPORT = Path(__file__).with_name("report.json")


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(prog="python -m contract_tests", description=__doc__)
    p.add_argument("--base-url", help="target a running server instead of starting one")
    p.add_argument(
        "--jwt-secret",
        default=os.environ.get("CHINWAG_JWT_SECRET"),
        help="HS256 secret of the --base-url server (default $CHINWAG_JWT_SECRET)",
    )
    p.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="database of the server the harness starts (default sqlite)",
    )
    p.add_argument(
        "--budget",
        type=int,
        default=25,
        help="generated valid cases per operation and REST examples (default 25)",
    )
    p.add_argument("--seed", type=int, default=20261126, help="hypothesis seed")
    p.add_argument(
        "--derandomize",
        action=argparse.BooleanOptionalAction,
        default=bool(os.environ.get("CI")),
        help="derandomize (default on when $CI)",
    )
    p.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="asyncapi.yaml to test")
    p.add_argument("--openapi", type=Path, default=DEFAULT_OPENAPI, help="openapi.yaml to test")
    p.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE, help="fixture file")
    p.add_argument("--report", type=Path, default=DEFAULT_REPORT, help="where report.json goes")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for a reply")
    p.add_argument(
        "--max-silent",
        type=int,
        default=3,
        help="stop an operation after this many consecutive cases without a reply (default 3)",
    )
    p.add_argument(
        "--junit",
        type=Path,
        default=None,
        help="where the JUnit XML goes (default: beside --report, with the suffix .xml)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument("--no-rest", dest="rest", action="store_false", help="skip schemathesis")
    p.add_argument(
        "--operation",
        action="append",
        default=[],
        help="only these operations' cases (repeatable; default all)",
    )
    return p


@contextlib.contextmanager
def _target(args: argparse.Namespace) -> Iterator[tuple[str, str, Callable[[], None] | None]]:
    if args.base_url:
        if not args.jwt_secret:
            raise SystemExit("--base-url needs --jwt-secret or $CHINWAG_JWT_SECRET")
        yield args.base_url.rstrip("/"), args.jwt_secret, None
        return
    from contract_tests.serve import start_server

    with start_server(args.database) as target:
        yield target


def _progress(line: str) -> None:
    print(f"[contract {time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the harness; 0 when everything passed and was exercised, 1 otherwise."""
    args = parser().parse_args(argv)
    budget = Budget(cases=args.budget, seed=args.seed, derandomize=args.derandomize)
    with _target(args) as (base_url, secret, stop):
        config = RunConfig(
            base_url=base_url,
            jwt_secret=secret,
            spec=args.spec,
            openapi=args.openapi,
            fixture=args.fixture,
            budget=budget,
            timeout=args.timeout,
            rest=args.rest,
            operations=tuple(args.operation),
            shutdown=stop,
            max_silent=args.max_silent,
            progress=None if args.quiet else _progress,
        )
        report = run_sync(config)
    report.settings["database"] = None if args.base_url else args.database
    print(report.table())
    args.report.parent.mkdir(parents=True, exist_ok=True)
    report.write(args.report)
    junit = args.junit or args.report.with_suffix(".xml")
    write_junit(report, junit)
    print(f"report written to {args.report} and {junit}", file=sys.stderr)
    return 0 if report.ok else 1
