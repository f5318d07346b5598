"""The phases of a socket run: observers, authorization matrix, per-operation cases, barriers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from contract_tests.client import ContractSocket
from contract_tests.generate import draw_valid
from contract_tests.invalid import invalid_cases
from contract_tests.judge import ANY_REPLY, SUCCESS, judge
from contract_tests.session import Session
from contract_tests.spec import OperationSpec

__all__ = [
    "Budget",
    "barrier",
    "join_observers",
    "observe_shutdown",
    "run_authorization",
    "run_operation",
]


@dataclass(frozen=True)
class Budget:
    """Generation settings: valid cases per operation, seed, derandomization."""

    cases: int = 25
    seed: int = 20261126
    derandomize: bool = False


async def _first_payload(
    session: Session,
    op: OperationSpec,
    token: str | None,
    label: str,
    overrides: dict[str, dict[str, Any]] | None = None,
) -> Any | None:
    """A prepared payload that should succeed: the first example, or a generated one.

    None when the operation's setup failed (recorded as a failure).
    """
    if op.request.examples:
        raw = op.request.examples[0][1]
    else:
        raw = draw_valid(op.request.schema, 1, seed_value=0, derandomize=True)[0]
    return await session.prepare(op, raw, token, label, overrides)


async def join_observers(session: Session) -> list[ContractSocket]:
    """Connect the fixture's listening sockets and send their join operations."""
    sockets = []
    for observer in session.fixture.observers:
        sock = await session.open(
            f"observer:{observer.name}", observer.principal, observer.channels
        )
        for key, overrides in observer.join:
            op = session.contract.requests[key]
            payload = await _first_payload(session, op, sock.token, "observer join", overrides)
            if payload is None:
                continue
            outcome = await session.send(sock, op, payload)
            judge(session, sock, op, payload, outcome, SUCCESS, "observer join")
        sockets.append(sock)
    return sockets


async def barrier(session: Session, sock: ContractSocket) -> bool:
    """A request/reply round trip: everything sent to ``sock`` before it has arrived after it.

    Returns False (and records a failure) when the socket did not answer as declared.
    """
    if not sock.sio.connected:
        return False
    spec = session.fixture.barrier
    errors = [m for op in session.contract.requests.values() for m in op.error_replies]
    outcome = await sock.request(spec["event"], {}, errors)
    if outcome.silent or outcome.dropped or outcome.code != spec["code"]:
        session.report.fail(
            f"[{sock.name}] barrier {spec['event']!r}: expected code {spec['code']!r}, got "
            f"{'silence' if outcome.silent else outcome.event} {outcome.payload!r}"
        )
        return False
    return True


async def run_authorization(session: Session) -> list[ContractSocket]:
    """Send each operation's bound example from every row of the authorization matrix."""
    fixture, contract = session.fixture, session.contract
    ops = sorted(contract.requests.values(), key=lambda o: o.key == fixture.auth_operation)
    kept = []
    for row, principal in fixture.auth_rows.items():
        sock = await session.open(f"authz:{row}", principal)
        kept.append(sock)
        for op in ops:
            expect = fixture.expectation(op.key, row)
            label = f"authorization row {row!r}"
            payload = await _first_payload(session, op, sock.token, label)
            if payload is None:
                continue
            outcome = await session.send(sock, op, payload)
            session.report.stats(op.key).authorization += 1
            judge(session, sock, op, payload, outcome, expect, label)
    return kept


async def _join_rooms_first(session: Session, sock: ContractSocket, op: OperationSpec) -> None:
    """Put the actor's socket in the rooms first when ``op`` stores messages (its success reply
    carries a ``message``): a ``room-except-sender`` broadcast must then still skip it."""
    carries = any("message" in (m.schema.get("properties") or {}) for m in op.success_replies)
    if not carries:
        return
    for other in session.contract.requests.values():
        if other.joins and other.request.examples:
            payload = await _first_payload(session, other, sock.token, "join before cases")
            if payload is not None:
                outcome = await session.send(sock, other, payload)
                judge(session, sock, other, payload, outcome, SUCCESS, "join before cases")


async def run_operation(session: Session, op: OperationSpec, budget: Budget) -> None:
    """Examples, generated valid cases and invalid cases of one operation, on one fresh socket."""
    fixture, report = session.fixture, session.report
    stats = report.stats(op.key)
    sock = await session.open(f"actor:{op.key}", fixture.actor)
    await _join_rooms_first(session, sock, op)
    bases = []
    for name, example in op.request.examples:
        label = f"example {name!r}"
        payload = await session.prepare(op, example, sock.token, label)
        if payload is None:
            continue
        bases.append(payload)
        outcome = await session.send(sock, op, payload)
        stats.examples += 1
        judge(session, sock, op, payload, outcome, ANY_REPLY, label)
    rules = fixture.rules(op.key)
    on_path = Draft202012Validator(rules.success_path) if rules.success_path else None
    semantic_codes = fixture.semantic_codes_for(op.key)
    drawn = draw_valid(
        op.request.schema,
        budget.cases * 4 + 20,
        seed_value=budget.seed,
        derandomize=budget.derandomize,
    )
    semantic_budget = max(1, budget.cases // 4) if on_path is not None else 0
    for raw in drawn:
        if stats.valid >= budget.cases and stats.semantic >= semantic_budget:
            break
        if op.key in session.silenced:
            break
        payload = await session.prepare(op, raw, sock.token, "generated")
        if payload is None:
            continue
        if on_path is None or on_path.is_valid(payload):
            if stats.valid >= budget.cases:
                continue
            stats.valid += 1
            outcome = await session.send(sock, op, payload)
            if judge(session, sock, op, payload, outcome, SUCCESS, "generated valid"):
                stats.valid_successes += 1
        elif stats.semantic < semantic_budget:
            stats.semantic += 1
            outcome = await session.send(sock, op, payload)
            judge(session, sock, op, payload, outcome, semantic_codes, "off success path")
    if drawn:
        base = await session.prepare(op, drawn[0], sock.token, "invalid base")
        if base is not None:
            bases.append(base)
    others = [
        session.binder.bind(other.request.examples[0][1], sock.token)
        for other in session.contract.requests.values()
        if other is not op and other.request.examples
    ]
    for case in invalid_cases(op.request.schema, bases, others):
        if op.key in session.silenced:
            break
        stats.invalid += 1
        outcome = await session.send(sock, op, case.payload)
        expected = fixture.invalid_codes_for(op.key)
        judge(session, sock, op, case.payload, outcome, expected, f"invalid {case.kind}")
        if outcome.dropped:
            break
        if stats.valid_successes == 0:
            # The operation never succeeded here: check that the socket still answers at all.
            if not await barrier(session, sock):
                break
            continue
        probe = await _first_payload(session, op, sock.token, f"probe after {case.kind}")
        if probe is None:
            break
        after = await session.send(sock, op, probe, probe=True)
        if not judge(session, sock, op, probe, after, SUCCESS, f"probe after {case.kind}"):
            report.fail(f"[{sock.name}] {op.key}: the socket stopped working after {case.kind}")
            break
    await barrier(session, sock)
    await sock.close()


async def observe_shutdown(session: Session, stop: Callable[[], None], wait: float = 20.0) -> None:
    """Stop the server with one socket connected; it must announce the shutdown, then close."""
    sock = await session.open("shutdown", session.fixture.actor)
    sock.closing = True  # the server closing this socket is the expected outcome here
    try:
        await asyncio.to_thread(stop)
    except Exception as exc:  # a server that does not stop is a finding, not a harness crash
        session.report.fail(f"stopping the server failed: {exc}")
    # Not sio.wait(): after an engine.io-level close it can block until its own timeout.
    try:
        await asyncio.wait_for(sock.disconnected.wait(), wait)
    except TimeoutError:
        session.report.fail(f"[{sock.name}] the server did not close the socket within {wait:g} s")
    await sock.close()
