"""Pytest support for the harness's own tests: run it against an in-process server with faults.

``chinwag.app.create_app`` is served by uvicorn on a free port (real TCP, real sockets) with the
given ``handlers_factory`` / ``outbound_filter`` fault hooks, and the harness runs against it with a
small budget. Import :func:`harness_fixture` into a test module to get the ``harness`` fixture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contract_tests.phases import Budget
from contract_tests.report import Report
from contract_tests.runner import DEFAULT_SPEC, RunConfig, run_sync
from contract_tests.serve import HARNESS_ENV, serve_app

__all__ = ["SECRET", "Harness", "harness_fixture"]

SECRET = "harness-test-secret-0123456789abcdef-not-for-production"
Harness = Callable[..., Report]


@pytest.fixture(name="harness")
def harness_fixture(tmp_path: Path) -> Iterator[Harness]:
    """``harness(handlers_factory=, outbound_filter=, spec=, operations=, timeout=)`` → Report."""
    from chinwag.app import create_app
    from chinwag.config import Settings
    from tests.support import free_port

    def run(
        *,
        handlers_factory: Any = None,
        outbound_filter: Any = None,
        spec: Path = DEFAULT_SPEC,
        operations: tuple[str, ...] = (),
        timeout: float = 2.0,
        budget: int = 5,
    ) -> Report:
        limits = {key.removeprefix("CHINWAG_").lower(): value for key, value in HARNESS_ENV.items()}
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'harness.db'}",
            jwt_secret=SECRET,
            shutdown_deadline_s=1,  # the drain waits for idle sockets up to this deadline
            **limits,  # type: ignore[arg-type]
        )
        app = create_app(
            settings, handlers_factory=handlers_factory, outbound_filter=outbound_filter
        )
        with serve_app(app, free_port()) as (url, stop):
            config = RunConfig(
                base_url=url,
                jwt_secret=SECRET,
                spec=spec,
                budget=Budget(cases=budget, derandomize=True),
                timeout=timeout,
                rest=False,
                operations=operations,
                shutdown=stop,
            )
            return run_sync(config)

    yield run
