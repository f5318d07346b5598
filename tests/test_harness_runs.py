"""The harness as a CI tool: it stops a silent operation quickly, reports progress and JUnit XML,
and runs against a separately started server with production rate limits (``--base-url``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from chinwag.handlers.context import SocketContext, require_principal
from chinwag.handlers.presenters import message_to_wire
from chinwag.handlers.socket import SocketHandlers
from chinwag_contract.models import ChatAckPayload, ChatSendPayload
from contract_tests.junit import junit_xml
from contract_tests.testing import Harness, harness_fixture
from tests.support import ServerProcess

__all__ = ["harness_fixture"]

ROOT = Path(__file__).resolve().parent.parent


def test_an_operation_that_never_replies_is_stopped_with_one_clear_failure(
    harness: Harness,
) -> None:
    # The server "renames" chat:error: nothing the operation's error cases wait for ever arrives.
    def no_chat_error(event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        return None if event == "chat:error" else data

    started = time.monotonic()
    report = harness(outbound_filter=no_chat_error, operations=("chatJoin",), timeout=1.0)
    elapsed = time.monotonic() - started
    stopped = [f for f in report.failures if "chatJoin: STOPPED after 3 consecutive cases" in f]
    assert len(stopped) == 1, report.failures
    assert "'chat:joined', 'chat:error'" in stopped[0]
    after = report.failures[report.failures.index(stopped[0]) + 1 :]
    # Only the case that triggered the stop is judged after it; nothing later waits.
    assert len([f for f in after if "chatJoin" in f and "(silence)" in f]) <= 1, after
    assert elapsed < 90, f"took {elapsed:.0f} s"
    suite = junit_xml(report)
    join = [c for c in suite.iter("testcase") if c.get("name") == "chatJoin"]
    assert join and "STOPPED" in (join[0].find("failure").text or "")  # type: ignore[union-attr]


def test_junit_xml_has_one_passing_case_per_operation(harness: Harness) -> None:
    report = harness(operations=("chatLeave",))
    suite = junit_xml(report)
    names = {c.get("name") for c in suite.iter("testcase")}
    assert set(report.contract.requests) <= names
    leave = next(c for c in suite.iter("testcase") if c.get("name") == "chatLeave")
    assert leave.find("failure") is None, ET.tostring(leave, encoding="unicode")


def test_base_url_runs_against_a_separate_server_with_production_rate_limits(
    tmp_path: Path,
) -> None:
    secret = "base-url-test-secret-0123456789abcdef"
    env = {
        "CHINWAG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'prod.db'}",
        "CHINWAG_JWT_SECRET": secret,
        # The defaults a production server runs with (README): 20 and 50 events/s, 10 sockets.
        "CHINWAG_RATE_LIMIT_SOCKET": None,
        "CHINWAG_RATE_LIMIT_USER": None,
        "CHINWAG_MAX_SOCKETS_PER_USER": None,
    }
    report = tmp_path / "report.json"
    with ServerProcess(env) as server:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "contract_tests",
                "--base-url",
                server.url,
                "--jwt-secret",
                secret,
                "--budget",
                "5",
                "--no-rest",
                "--derandomize",
                "--report",
                str(report),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "RESULT: PASS" in run.stdout
    assert "[contract " in run.stderr and "operation chatSend" in run.stderr  # progress lines
    xml = ET.parse(report.with_suffix(".xml")).getroot()
    assert xml.get("failures") == "0" and int(xml.get("tests", "0")) >= 9


class _NoSenderExclusion(SocketHandlers):
    """Fault: chat:new also reaches the sending socket (the sender exclusion is removed)."""

    async def on_chat_send(self, ctx: SocketContext, payload: ChatSendPayload) -> ChatAckPayload:
        principal = require_principal(ctx)
        result = await self.services.chat.send(
            principal,
            payload.conversationId,
            text=payload.text,
            attachments=(),
            client_nonce=payload.clientNonce,
            origin=None,  # the fault: no socket is skipped
        )
        return ChatAckPayload.model_validate(
            {"tempId": payload.tempId, "message": message_to_wire(result.message)}
        )


def test_a_broadcast_reaching_the_excluded_sender_fails(harness: Harness) -> None:
    report = harness(handlers_factory=lambda s, e: _NoSenderExclusion(s), operations=("chatSend",))
    assert not report.ok
    own = [f for f in report.failures if "the sender's own socket" in f]
    assert own and all("[actor:chatSend]" in f for f in own), report.failures


def test_a_listening_socket_that_misses_a_room_broadcast_fails(harness: Harness) -> None:
    # chat:new never reaches the observers that joined the room.
    def drop_chat_new(event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        return None if event == "chat:new" else data

    report = harness(outbound_filter=drop_chat_new, operations=("chatSend",))
    missed = [f for f in report.failures if "never got message" in f]
    assert missed and any("[observer:peer]" in f for f in missed), report.failures


def test_an_error_code_the_operation_does_not_declare_fails(harness: Harness) -> None:
    # prompt_stale is an ErrorCode, but chat:join does not declare it (x-chinwag-error-codes).
    def other_code(event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        if event == "chat:error" and data.get("code") == "not_found":
            return {**data, "code": "prompt_stale"}
        return data

    report = harness(outbound_filter=other_code, operations=("chatJoin",))
    assert not report.ok
    assert [f for f in report.failures if "'prompt_stale' is not one chatJoin declares" in f]
