"""The contract harness catches deliberately broken servers (issue faults (a)–(g)).

Each test serves ``chinwag.app.create_app`` in-process (uvicorn on a free port, real TCP) with one
fault injected through ``outbound_filter`` (every server→client emit) or ``handlers_factory`` (a
subclass of the real handlers), runs the harness with a small budget and checks it fails for the
right reason. The first test shows the same run passes against the unbroken server.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from chinwag.handlers.context import SocketContext, require_principal
from chinwag.handlers.socket import SocketHandlers
from chinwag_contract.emitter import conversation_room
from chinwag_contract.models import ChatJoinedPayload, ChatJoinPayload
from contract_tests.report import Report
from contract_tests.runner import DEFAULT_SPEC
from contract_tests.testing import Harness, harness_fixture

__all__ = ["harness_fixture"]


def _failures(report: Report, pattern: str) -> list[str]:
    return [f for f in report.failures if re.search(pattern, f)]


def test_harness_passes_against_the_unbroken_server(harness: Harness) -> None:
    report = harness()
    assert report.failures == []
    assert report.coverage_gaps() == []
    assert report.ok
    # chat:action consumes its prompt: every case got a fresh one from the fixture's setup calls.
    action = report.stats("chatAction")
    assert action.valid_successes >= 5 and action.setups > action.valid


def test_a_missing_required_field_in_chat_ack_fails(harness: Harness) -> None:
    def drop_temp_id(event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        return {k: v for k, v in data.items() if k != "tempId"} if event == "chat:ack" else data

    report = harness(outbound_filter=drop_temp_id, operations=("chatSend",))
    assert not report.ok
    assert _failures(report, r"chat:ack \(chatAck\) /: 'tempId' is a required property")


def test_silence_on_an_invalid_chat_send_fails(harness: Harness) -> None:
    def swallow(event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        invalid = data.get("code") in ("invalid_payload", "too_large")
        return (
            None if event == "chat:error" and data.get("event") == "chat:send" and invalid else data
        )

    report = harness(outbound_filter=swallow, operations=("chatSend",), timeout=0.3)
    assert not report.ok
    assert _failures(report, r"chatSend invalid .*\(silence\)")


class _JoinWithoutAccessCheck(SocketHandlers):
    """Fault (c): any authenticated user may join any conversation room."""

    async def on_chat_join(self, ctx: SocketContext, payload: ChatJoinPayload) -> ChatJoinedPayload:
        require_principal(ctx)
        await ctx.enter_room(conversation_room(payload.conversationId))
        return ChatJoinedPayload(conversationId=payload.conversationId)


def test_a_non_member_joining_fails(harness: Harness) -> None:
    report = harness(handlers_factory=lambda s, e: _JoinWithoutAccessCheck(s), operations=("x",))
    assert not report.ok
    assert _failures(report, r"chatJoin authorization row 'non_member'.*expected chat:error")


def test_an_undocumented_field_in_chat_new_fails(harness: Harness) -> None:
    def add_field(event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        return {**data, "debug": True} if event == "chat:new" else data

    report = harness(outbound_filter=add_field, operations=("chatSend",))
    assert not report.ok
    assert _failures(report, r"chat:new \(chatNew\) /: Additional properties .*'debug'")


def test_a_contract_change_the_server_does_not_match_fails(
    harness: Harness, tmp_path: Path
) -> None:
    spec = tmp_path / "asyncapi.yaml"
    text = DEFAULT_SPEC.read_text()
    joined = "    ChatJoinedPayload:\n      type: object\n"
    assert joined in text
    spec.write_text(
        text.replace(
            "      required: [conversationId]\n      properties:\n        conversationId: "
            '{$ref: "./schemas.yaml#/$defs/Uuid"}\n    ChatLeftPayload',
            "      required: [conversationId, joinedAt]\n      properties:\n        joinedAt: "
            '{type: string}\n        conversationId: {$ref: "./schemas.yaml#/$defs/Uuid"}\n'
            "    ChatLeftPayload",
        )
    )
    (tmp_path / "schemas.yaml").write_text(DEFAULT_SPEC.with_name("schemas.yaml").read_text())
    assert spec.read_text() != text
    report = harness(spec=spec, operations=("chatJoin",))
    assert not report.ok
    assert _failures(report, r"chat:joined \(chatJoined\) /: 'joinedAt' is a required property")


def test_an_error_code_outside_the_enum_fails(harness: Harness) -> None:
    def rename_code(event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        if event == "chat:error" and data.get("code") == "invalid_payload":
            return {**data, "code": "bad_request"}
        return data

    report = harness(outbound_filter=rename_code, operations=("chatJoin",))
    assert not report.ok
    assert _failures(report, r"error code 'bad_request' is not in the contract's enum")
    assert _failures(report, r"'bad_request' is not one of")


class _JoinRoomBeforeAccessCheck(SocketHandlers):
    """Fault (g): the refusal is right, but the socket was put in the room before the check."""

    async def on_chat_join(self, ctx: SocketContext, payload: ChatJoinPayload) -> ChatJoinedPayload:
        principal = require_principal(ctx)
        await ctx.enter_room(conversation_room(payload.conversationId))
        await self.services.chat.join_conversation(principal, payload.conversationId)
        return ChatJoinedPayload(conversationId=payload.conversationId)


def test_a_broadcast_reaching_a_socket_without_access_fails(harness: Harness) -> None:
    report = harness(handlers_factory=lambda s, e: _JoinRoomBeforeAccessCheck(s), operations=("x",))
    assert not report.ok
    assert not _failures(report, r"authorization row 'non_member'")  # the reply itself is right
    assert _failures(report, r"\[authz:non_member\] leak: 'chat:(status|automated)'")
