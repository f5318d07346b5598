"""REST messages: paging by seq, and automated messages."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from tests.support.client import Api, Connect, make_scene, new_user

pytest_plugins = ("tests.support.client",)

TOTAL = 210


async def test_messages_are_paged_by_seq_ascending_default_50_max_200(api: Api) -> None:
    scene = await make_scene(api, participants=[new_user("alice")])
    # Posted ten at a time: seq stays gap-free under concurrent writers.
    lanes = asyncio.Semaphore(10)

    async def post(i: int) -> dict[str, Any]:
        async with lanes:
            return await api.automated(scene.conversation_id, f"m{i}")

    posted = sorted(await asyncio.gather(*map(post, range(TOTAL))), key=lambda m: m["seq"])
    assert [m["seq"] for m in posted] == list(range(1, TOTAL + 1))
    conversation_id = scene.conversation_id

    assert await api.messages(conversation_id) == posted[:50]
    assert await api.messages(conversation_id, limit=200) == posted[:200]
    assert await api.messages(conversation_id, after_seq=100, limit=10) == posted[100:110]
    assert await api.messages(conversation_id, after_seq=TOTAL) == []
    assert await api.messages(conversation_id, after_seq=0, limit=200) == posted[:200]
    # before_seq: the newest `limit` below it, still ascending.
    assert await api.messages(conversation_id, before_seq=101, limit=20) == posted[80:100]
    assert await api.messages(conversation_id, before_seq=TOTAL + 1) == posted[-50:]
    assert await api.messages(conversation_id, before_seq=5) == posted[:4]
    assert await api.messages(conversation_id, before_seq=1) == []
    assert await api.all_messages(conversation_id) == posted


@pytest.mark.parametrize(
    "params",
    [{"limit": 201}, {"limit": 0}, {"after_seq": -1}, {"before_seq": 0}, {"limit": "many"}],
    ids=["limit-201", "limit-0", "negative-after", "before-0", "limit-not-int"],
)
async def test_bad_paging_parameters_are_422(api: Api, params: dict[str, Any]) -> None:
    scene = await make_scene(api, participants=[new_user()])
    path = f"/api/conversations/{scene.conversation_id}/messages"
    body = await api.expect("GET", path, 422, params=params)
    assert body["error"]["code"] == "invalid_payload"
    assert body["error"]["details"]


async def test_messages_for_participant_and_member_but_404_without_access(
    api: Api, connect: Connect
) -> None:
    alice, carol = new_user("alice"), new_user("carol")
    scene = await make_scene(api, members=[carol], participants=[alice])
    message = await (await connect(alice)).send(scene.conversation_id, "visible")
    assert await api.messages(scene.conversation_id, api.tokens.user(alice)) == [message]
    assert await api.messages(scene.conversation_id, api.tokens.user(carol)) == [message]
    path = f"/api/conversations/{scene.conversation_id}/messages"
    await api.expect("GET", path, 404, token=api.tokens.user(new_user("eve")))
    await api.expect("GET", f"/api/conversations/{uuid.uuid4()}/messages", 404)


async def test_automated_message_is_stored_as_kind_automated_201(api: Api) -> None:
    scene = await make_scene(api, participants=[new_user()])
    action_data = {
        "prompt_id": "p1",
        "buttons": [{"id": "ok", "label": "OK", "value": "ok"}],
        "inputs": [{"id": "n", "type": "number", "label": "How many?", "required": True, "min": 1}],
    }
    message = await api.automated(scene.conversation_id, "Pick one", "step-1", action_data)
    assert message["kind"] == "automated"
    assert message["sender_id"] is None
    assert message["text"] == "Pick one"
    assert message["action_data"] == action_data
    assert message["seq"] == 1
    assert await api.messages(scene.conversation_id) == [message]


async def test_automated_message_into_unknown_conversation_is_404(api: Api) -> None:
    path = f"/api/conversations/{uuid.uuid4()}/automated-messages"
    await api.expect("POST", path, 404, json={"text": "x", "reason": "r"})


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "r"},
        {"text": "x"},
        {"text": "x", "reason": ""},
        {"text": "x" * 10_001, "reason": "r"},
        {"text": 5, "reason": "r"},
        {"text": "x", "reason": "r", "action_data": {"buttons": []}},
        {"text": "x", "reason": "r", "sender_id": "impostor"},
    ],
    ids=["no-text", "no-reason", "empty-reason", "text-too-long", "text-not-string",
         "bad-action-data", "unknown-field"],
)  # fmt: skip
async def test_automated_message_with_bad_payload_is_422_with_field_errors(
    api: Api, body: dict[str, Any]
) -> None:
    scene = await make_scene(api, participants=[new_user()])
    path = f"/api/conversations/{scene.conversation_id}/automated-messages"
    error = await api.expect("POST", path, 422, json=body)
    assert error["error"]["code"] in ("invalid_payload", "too_large")
    assert error["error"]["details"]
    assert all(detail["loc"] for detail in error["error"]["details"])
    assert await api.messages(scene.conversation_id) == []
