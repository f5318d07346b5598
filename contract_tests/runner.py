"""One harness run against a server that is already listening at ``base_url``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from contract_tests.expiry import observe_token_expiry
from contract_tests.fixture import DEFAULT_FIXTURE, load_fixture
from contract_tests.phases import (
    Budget,
    barrier,
    join_observers,
    observe_shutdown,
    run_authorization,
    run_operation,
)
from contract_tests.report import Report
from contract_tests.rest import run_schemathesis
from contract_tests.session import Session
from contract_tests.spec import load_contract
from contract_tests.world import SetupError, build_world, mint_token, run_scenario

__all__ = ["DEFAULT_SPEC", "RunConfig", "run", "run_sync"]

DEFAULT_SPEC = Path(__file__).resolve().parent.parent / "asyncapi.yaml"
DEFAULT_OPENAPI = DEFAULT_SPEC.with_name("openapi.yaml")


@dataclass
class RunConfig:
    """What to run and how hard."""

    base_url: str
    jwt_secret: str
    spec: Path = DEFAULT_SPEC
    openapi: Path = DEFAULT_OPENAPI
    fixture: Path = DEFAULT_FIXTURE
    budget: Budget = field(default_factory=Budget)
    timeout: float = 5.0
    rest: bool = True
    operations: tuple[str, ...] = ()  # empty: every operation of the contract
    #: Stops the server (blocking); given when the harness started it, to see its shutdown events.
    shutdown: Callable[[], None] | None = None
    #: Consecutive silent cases after which an operation is stopped with one failure.
    max_silent: int = 3
    #: Where progress lines go as the run advances (None: nowhere).
    progress: Callable[[str], None] | None = None


async def run(config: RunConfig) -> Report:
    """Run every socket phase, then schemathesis; return the report (never raises on findings)."""
    contract = load_contract(config.spec)
    fixture = load_fixture(config.fixture)
    report = Report(contract)
    report.settings = {
        "base_url": config.base_url,
        "budget": config.budget.cases,
        "seed": config.budget.seed,
        "derandomize": config.budget.derandomize,
        "reply_timeout_s": config.timeout,
    }
    say = config.progress or (lambda line: None)
    started = time.monotonic()
    say(
        f"contract run against {config.base_url}: {len(contract.requests)} requests, "
        f"{len(contract.broadcasts)} server→client operations"
    )
    try:
        world = await build_world(fixture, config.base_url, config.jwt_secret)
    except (SetupError, httpx.HTTPError) as exc:
        report.fail(f"fixture setup failed: {exc}")
        return report
    report.timings["setup"] = time.monotonic() - started
    session = Session(
        contract, fixture, world, report, config.base_url, config.timeout, config.max_silent, say
    )
    try:
        mark = time.monotonic()
        say("observers and authorization matrix …")
        listeners = await join_observers(session)
        listeners += await run_authorization(session)
        for problem in await run_scenario(fixture, world, config.base_url, config.jwt_secret):
            report.fail(problem)
        report.timings["observers_authorization_scenario"] = time.monotonic() - mark
        for op in contract.requests.values():
            if config.operations and op.key not in config.operations:
                continue
            mark = time.monotonic()
            say(f"operation {op.key} ({op.request.name}) …")
            await run_operation(session, op, config.budget)
            report.timings[f"operation:{op.key}"] = time.monotonic() - mark
            s = report.stats(op.key)
            say(
                f"operation {op.key}: {s.examples} examples, {s.valid} valid ({s.valid_successes} "
                f"ok), {s.invalid} invalid, {len(report.failures)} failures so far, "
                f"{time.monotonic() - mark:.1f} s"
            )
        mark = time.monotonic()
        say("token expiry while connected …")
        await observe_token_expiry(session, config.jwt_secret)
        report.timings["token_expiry"] = time.monotonic() - mark
        mark = time.monotonic()
        for sock in listeners:
            await barrier(session, sock)
        session.recipients.verify()
    finally:
        await session.close_all()
    report.timings["final_barriers_close"] = time.monotonic() - mark
    if config.rest:
        say("REST (schemathesis) …")
        mark = time.monotonic()
        token = mint_token(config.jwt_secret, f"cw-{world.run_id}-rest", "service")
        bound = {key: world.render(value) for key, value in fixture.rest_parameters.items()}
        report.rest = await asyncio.to_thread(
            run_schemathesis, config.openapi, config.base_url, token, config.budget, [{}, bound]
        )
        report.timings["rest"] = time.monotonic() - mark
    if config.shutdown is None:
        report.not_applicable.update(fixture.shutdown_operations)
    else:
        shutdown_session = Session(
            contract, fixture, world, report, config.base_url, config.timeout
        )
        mark = time.monotonic()
        await observe_shutdown(shutdown_session, config.shutdown)
        report.timings["shutdown"] = time.monotonic() - mark
    report.timings["total"] = time.monotonic() - started
    say(f"done in {report.timings['total']:.1f} s: {len(report.failures)} failures")
    return report


def run_sync(config: RunConfig) -> Report:
    """:func:`run` from synchronous code."""
    return asyncio.run(run(config))
