"""Judge one request's outcome against what the contract (and the fixture) expect."""

from __future__ import annotations

from typing import Any

from contract_tests.client import ContractSocket, Outcome
from contract_tests.invalid import NO_PAYLOAD
from contract_tests.session import Session
from contract_tests.spec import OperationSpec

__all__ = ["ANY_REPLY", "SUCCESS", "judge"]

SUCCESS = "success"
ANY_REPLY = "any"
_SHORT = 240


def _short(value: Any) -> str:
    text = "(no argument)" if value is NO_PAYLOAD else repr(value)
    return text if len(text) <= _SHORT else text[:_SHORT] + "…"


def judge(
    session: Session,
    sock: ContractSocket,
    op: OperationSpec,
    payload: Any,
    outcome: Outcome,
    expect: str | list[str],
    label: str,
) -> bool:
    """Record failures for ``outcome``; return True when it met ``expect``.

    ``expect`` is ``SUCCESS`` (a declared success reply), ``ANY_REPLY`` (any declared reply) or the
    error codes allowed in a declared error reply.
    """
    where = f"[{sock.name}] {op.key} {label} payload={_short(payload)}"
    fail = session.report.fail
    if outcome.skipped:
        return False  # the operation was stopped; Session.send recorded one failure for it
    if outcome.dropped:
        fail(f"{where}: the connection was dropped instead of a reply")
        return False
    if outcome.silent:
        fail(f"{where}: no declared reply within {session.timeout:g} s (silence)")
        return False
    for problem in outcome.problems:
        fail(f"{where}: {problem}")
    ok = _check_ack(session, outcome, where) and not outcome.problems
    if outcome.is_error:
        code = outcome.code
        if code not in session.contract.error_codes:
            fail(f"{where}: error code {code!r} is not in the contract's enum")
            ok = False
        elif op.error_codes and code not in op.error_codes:
            fail(
                f"{where}: error code {code!r} is not one {op.key} declares {list(op.error_codes)}"
            )
            ok = False
        echoed = outcome.payload.get("tempId") if isinstance(outcome.payload, dict) else None
        declares = (
            "tempId" in (outcome.spec.schema.get("properties") or {}) if outcome.spec else False
        )
        if declares and _request_temp_id(payload) and echoed != payload["tempId"]:
            fail(f"{where}: the error does not echo the request's tempId")
            ok = False
    if expect == ANY_REPLY:
        return ok
    if expect == SUCCESS:
        if outcome.is_error:
            fail(f"{where}: expected {_names(op, False)}, got {outcome.event} {outcome.payload!r}")
            return False
        return ok
    if not outcome.is_error:
        fail(f"{where}: expected {_names(op, True)} with code in {expect}, got {outcome.event}")
        return False
    if outcome.code not in expect:
        fail(f"{where}: expected an error code in {expect}, got {outcome.code!r}")
        return False
    return ok


def _names(op: OperationSpec, errors: bool) -> str:
    specs = op.error_replies if errors else op.success_replies
    return " | ".join(m.name for m in specs) or "(none declared)"


def _request_temp_id(payload: Any) -> bool:
    """True when the request carried a well-formed tempId (which an error reply must echo)."""
    if not isinstance(payload, dict):
        return False
    temp_id = payload.get("tempId")
    return isinstance(temp_id, str) and 1 <= len(temp_id) <= 128


def _check_ack(session: Session, outcome: Outcome, where: str) -> bool:
    """The acknowledgement carries the success payload, or ``{"error": {...}}`` on failure."""
    if outcome.ack is None:
        return True
    fail = session.report.fail
    if len(outcome.ack) != 1:
        fail(f"{where}: acknowledgement has {len(outcome.ack)} arguments, expected 1")
        return False
    ack = outcome.ack[0]
    if outcome.is_error:
        problems = session.validator.ack_error(ack)
        if not problems and ack["error"]["code"] != outcome.code:
            problems = [f"ack code {ack['error']['code']!r} differs from reply {outcome.code!r}"]
    elif outcome.spec is not None:
        problems = session.validator.message(outcome.spec, ack)
    else:
        problems = []
    for problem in problems:
        fail(f"{where}: acknowledgement: {problem}")
    return not problems
