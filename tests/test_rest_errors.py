"""REST error bodies (401/403/404/400/422, never 500) and /health, /openapi.json, /docs."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.support.client import Api, make_scene, new_user

pytest_plugins = ("tests.support.client",)

SOME_ID = "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"
RT = "real_time"

#: (method, path template, JSON body); ``{c}`` is a real campaign id, ``{v}`` a conversation id.
ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/campaigns", {"name": "x", "member_ids": []}),
    ("PATCH", "/api/campaigns/{c}", {"name": "y"}),
    ("GET", "/api/conversations", None),
    ("POST", "/api/conversations", {"campaign_id": "{c}", "participant_ids": [], "chat_status": RT}),  # noqa: E501
    ("GET", "/api/conversations/{v}", None),
    ("PATCH", "/api/conversations/{v}", {"chat_status": "automated"}),
    ("GET", "/api/conversations/{v}/messages", None),
    ("POST", "/api/conversations/{v}/automated-messages", {"text": "x", "reason": "r"}),
]  # fmt: skip
SERVICE_ONLY = [r for r in ROUTES if r[0] != "GET"]


def conversation(**changes: Any) -> dict[str, Any]:
    """A valid POST /api/conversations body with ``changes``."""
    return {"campaign_id": SOME_ID, "participant_ids": [], "chat_status": RT} | changes


def fill(api_scene: tuple[str, str], route: tuple[str, str, Any]) -> tuple[str, str, Any]:
    """Put the scene's ids into a route template and its body."""
    campaign_id, conversation_id = api_scene
    method, template, body = route
    path = template.format(c=campaign_id, v=conversation_id)
    if isinstance(body, dict):
        body = {k: v.format(c=campaign_id) if isinstance(v, str) else v for k, v in body.items()}
    return method, path, body


@pytest.fixture
async def ids(api: Api) -> tuple[str, str]:
    """(campaign id, conversation id) of a fresh scene with one participant."""
    scene = await make_scene(api, participants=[new_user("alice")])
    return scene.campaign_id, scene.conversation_id


@pytest.mark.parametrize("route", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
@pytest.mark.parametrize("auth", ["none", "garbage", "bad-signature", "expired", "not-bearer"])
async def test_missing_or_bad_token_is_401(
    api: Api, ids: tuple[str, str], route: tuple[str, str, Any], auth: str
) -> None:
    method, path, body = fill(ids, route)
    headers = {
        "none": {},
        "garbage": {"Authorization": "Bearer nonsense"},
        "bad-signature": {
            "Authorization": "Bearer "
            + api.tokens.make("svc", "service", secret="other-secret-0123456789abcdef-012345")
        },
        "expired": {"Authorization": f"Bearer {api.tokens.make('svc', 'service', expires_in=-60)}"},
        "not-bearer": {"Authorization": f"Basic {api.tokens.service()}"},
    }[auth]
    error = await api.expect(method, path, 401, token=False, headers=headers, json=body)
    assert error["error"]["code"] in ("unauthenticated", "invalid_token", "token_expired")


@pytest.mark.parametrize("route", SERVICE_ONLY, ids=[f"{m} {p}" for m, p, _ in SERVICE_ONLY])
async def test_user_role_on_service_routes_is_403(
    api: Api, ids: tuple[str, str], route: tuple[str, str, Any]
) -> None:
    method, path, body = fill(ids, route)
    # alice is a participant: even with access, management needs the service role.
    error = await api.expect(method, path, 403, token=api.tokens.user("alice"), json=body)
    assert error["error"]["code"] == "forbidden"


@pytest.mark.parametrize("route", SERVICE_ONLY, ids=[f"{m} {p}" for m, p, _ in SERVICE_ONLY])
@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b'{"a": 1', b"\xff\xfe"],
    ids=["broken", "empty", "truncated", "binary"],
)
async def test_unparseable_json_is_400(
    api: Api, ids: tuple[str, str], route: tuple[str, str, Any], raw: bytes
) -> None:
    method, path, _body = fill(ids, route)
    headers = {"Content-Type": "application/json"}
    await api.expect(method, path, 400, content=raw, headers=headers)


@pytest.mark.parametrize("route", SERVICE_ONLY, ids=[f"{m} {p}" for m, p, _ in SERVICE_ONLY])
@pytest.mark.parametrize(
    "body",
    [[], "text", None, 42, {"unexpected": True}, {"name": {"deep": [1, {"x": None}]}}],
    ids=["array", "string", "null", "number", "unknown-field", "nested-garbage"],
)
async def test_schema_violations_are_422_with_field_errors(
    api: Api, ids: tuple[str, str], route: tuple[str, str, Any], body: Any
) -> None:
    method, path, _body = fill(ids, route)
    # Encoded by hand: httpx sends no body at all for json=None.
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    error = await api.expect(method, path, 422, content=raw, headers=headers)
    assert error["error"]["code"] == "invalid_payload"
    assert error["error"]["details"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/campaigns", {"name": "", "member_ids": []}),
        ("/api/campaigns", {"name": "x", "member_ids": ["a", "a"]}),
        ("/api/campaigns", {"name": "x" * 201, "member_ids": []}),
        ("/api/campaigns", {"name": "x", "member_ids": [""]}),
        ("/api/conversations", conversation(campaign_id="nope")),
        ("/api/conversations", conversation(chat_status="paused")),
        ("/api/conversations", conversation(participant_ids="alice")),
    ],
    ids=["empty-name", "duplicate-members", "long-name", "empty-member", "bad-campaign-id",
         "bad-status", "participants-not-list"],
)  # fmt: skip
async def test_invalid_create_bodies_are_422(api: Api, path: str, body: dict[str, Any]) -> None:
    error = await api.expect("POST", path, 422, json=body)
    assert error["error"]["details"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/conversations/not-a-uuid",
        "/api/conversations/not-a-uuid/messages",
        f"/api/conversations/{SOME_ID.upper()}",
        "/api/conversations/%00",
    ],
)
async def test_malformed_ids_are_404_or_422_never_500(api: Api, path: str) -> None:
    response = await api.http.get(path, headers=api.service_headers)
    assert response.status_code in (404, 422), response.text


async def test_unknown_ids_are_404(api: Api) -> None:
    unknown = str(uuid.uuid4())
    await api.expect("GET", f"/api/conversations/{unknown}", 404)
    await api.expect("GET", f"/api/conversations/{unknown}/messages", 404)
    await api.expect("PATCH", f"/api/conversations/{unknown}", 404, json={})
    await api.expect("PATCH", f"/api/campaigns/{unknown}", 404, json={})
    path = f"/api/conversations/{unknown}/automated-messages"
    await api.expect("POST", path, 404, json={"text": "x", "reason": "r"})


async def test_health_is_ok(api: Api) -> None:
    body = await api.expect("GET", "/health", 200, "Health", token=False)
    assert body["status"] == "ok"


async def test_openapi_json_is_served(api: Api) -> None:
    spec = await api.expect("GET", "/openapi.json", 200, token=False)
    assert spec["openapi"].startswith("3.1")
    assert "/api/conversations/{conversationId}/automated-messages" in spec["paths"]


async def test_docs_are_served_as_html(api: Api) -> None:
    response = await api.http.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "chat:send" in response.text
