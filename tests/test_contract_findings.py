"""Each finding of the contract review (issue 14) stays fixed.

The lint rules guard the generic ones (examples, marks beside ``$ref``, declared error replies and
codes, integers); these tests guard the specific decisions of PROTOCOL.md's "Decisions added after
the first release". The server's side of each is tested with real servers elsewhere (named below).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from chinwag_contract import models, rest
from chinwag_contract.operations import OPERATIONS
from codegen.bundle import bundle_asyncapi, bundle_openapi, load_yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def asyncapi() -> dict[str, Any]:
    return bundle_asyncapi(ROOT / "asyncapi.yaml")


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return bundle_openapi(ROOT / "openapi.yaml")


def test_unavailable_is_declared_for_chat_error_connect_error_and_rest_503(
    asyncapi: dict[str, Any], openapi: dict[str, Any]
) -> None:
    assert "unavailable" in asyncapi["components"]["schemas"]["ErrorCode"]["enum"]
    connect = asyncapi["components"]["schemas"]["ConnectErrorData"]["properties"]["code"]["enum"]
    assert set(connect) == {"invalid_token", "token_expired", "too_many_sockets", "unavailable"}
    assert all("unavailable" in op.error_codes for op in OPERATIONS if op.handler_method)
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "patch"):
                assert {"500", "503"} <= set(operation["responses"]), f"{method} {path}"
                assert "409" not in operation["responses"], (
                    f"{method} {path}: no route is idempotent"
                )


def test_auth_error_always_has_a_code_and_may_carry_retry_after() -> None:
    with pytest.raises(ValidationError):
        models.AuthErrorPayload.model_validate({"message": "no code"})
    limited = {"message": "slow down", "code": "rate_limited", "retryAfter": 250}
    assert models.AuthErrorPayload.model_validate(limited).retryAfter == 250


def test_too_many_sockets_on_authenticate_is_documented_as_a_disconnect(
    asyncapi: dict[str, Any],
) -> None:
    # Server side: test_socket_limits::
    #   test_socket_over_the_per_user_limit_gets_auth_error_and_is_disconnected
    described = asyncapi["operations"]["authenticate"]["description"]
    assert "too_many_sockets" in described and "disconnected" in described
    assert "stays connected" not in described.split("too_many_sockets")[1].split(".")[0]
    payload = asyncapi["components"]["schemas"]["AuthErrorPayload"]["description"]
    assert "disconnected" in payload


def test_token_expiry_while_connected_is_a_send_operation_of_auth_error() -> None:
    # Server side: test_socket_auth::
    #   test_token_expiry_while_connected_sends_auth_error_and_unauthenticates
    expiry = [op for op in OPERATIONS if op.operation_id == "sendTokenExpired"]
    assert [(op.event, op.direction, op.channel) for op in expiry] == [
        ("auth_error", "server_to_client", "socket")
    ]


def test_health_is_open_and_list_items_always_carry_unread_count(openapi: dict[str, Any]) -> None:
    rest.Health.model_validate({"status": "ok", "pid": 1, "uptime": 3})
    assert openapi["components"]["schemas"]["Health"]["additionalProperties"] is True
    item = openapi["components"]["schemas"]["ConversationListItem"]
    assert "unread_count" in item["required"]
    listed = openapi["components"]["schemas"]["ConversationList"]["properties"]["items"]["items"]
    assert listed == {"$ref": "#/components/schemas/ConversationListItem"}


def test_non_uuid_path_ids_and_too_large_are_documented(openapi: dict[str, Any]) -> None:
    # Server side: test_rest_errors::test_malformed_ids_are_404_or_422_never_500
    assert "not a UUID" in openapi["components"]["responses"]["NotFound"]["description"]
    described = load_yaml(ROOT / "schemas.yaml")["$defs"]["ErrorCode"]["description"]
    assert "a string or a list is over a contract limit" in described


def test_error_replies_are_declared_in_the_contract_not_in_the_generator() -> None:
    import codegen.contract

    assert not hasattr(codegen.contract, "ERROR_EVENTS")
    inbound = [op for op in OPERATIONS if op.handler_method]
    assert {op.error_reply for op in inbound} == {"chat:error", "auth_error"}


def test_an_integer_valued_float_gets_the_same_verdict_from_model_and_schema() -> None:
    sync = {"conversationId": "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e", "afterSeq": 1.0}
    assert models.ChatSyncPayload.model_validate(sync).afterSeq == 1
    with pytest.raises(ValidationError):
        models.ChatSyncPayload.model_validate({**sync, "afterSeq": 1.5})
    with pytest.raises(ValidationError):
        models.ChatSyncPayload.model_validate({**sync, "afterSeq": True})
