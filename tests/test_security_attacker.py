"""An attacker (a valid user) tries every socket event and REST route on a conversation not theirs.

Every attempt must get the declared error code and leave no trace: the row count of every table
is read directly from the database before and after, and observer sockets in the victim's
conversation, work room and user room must receive nothing (checked with a round-trip barrier).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import socketio

from tests.support import Database, ServerProcess, start_server
from tests.support.client import (
    Api,
    ChatClient,
    Connect,
    Tokens,
    make_scene,
    new_user,
)

pytest_plugins = ("tests.support.client", "tests.support.crash")

ATTACHMENT = {
    "url": "https://files.example.com/a.pdf",
    "name": "a.pdf",
    "mime_type": "application/pdf",
    "size_bytes": 10,
}


@pytest.fixture(scope="module")
def chat_server(
    module_db: Database, module_server_logs: Path, jwt_secret: str
) -> Iterator[ServerProcess]:
    """One server per database for this module (overrides the client plugin's)."""
    server = start_server(
        module_db.url, jwt_secret, module_server_logs, CHINWAG_SHUTDOWN_DEADLINE_S=2
    )
    yield server
    server.stop()


@dataclass
class Battlefield:
    """The victim's conversation with observers, and the attacker with a conversation of her own."""

    victim_campaign: str
    victim_conversation: str
    victim_message: dict[str, Any]
    victim: str
    attacker: str
    attacker_campaign: str
    attacker_conversation: str
    mallory: ChatClient
    observers: list[ChatClient]


@pytest_asyncio.fixture
async def field(connect: Connect, api: Api) -> Battlefield:
    alice, bob, manager, mallory = (
        new_user("alice"),
        new_user("bob"),
        new_user("manager"),
        new_user("mallory"),
    )
    victim = await make_scene(api, members=[manager], participants=[alice, bob])
    own = await make_scene(api, members=[mallory], participants=[mallory])
    sender = await connect(alice)
    message = await sender.send(victim.conversation_id, "private", clientNonce="shared-nonce")
    room_observer, work_observer, user_observer = (
        await connect(bob),
        await connect(manager),
        await connect(alice),
    )
    await room_observer.join(victim.conversation_id)
    await work_observer.work_join(victim.campaign_id)
    attacker = await connect(mallory)
    await attacker.join(own.conversation_id)
    return Battlefield(
        victim.campaign_id,
        victim.conversation_id,
        message,
        alice,
        mallory,
        own.campaign_id,
        own.conversation_id,
        attacker,
        [room_observer, work_observer, user_observer, sender],
    )


class NoTrace:
    """Row counts and observers' logs before an attack, checked after it."""

    def __init__(self, database: Database, field: Battlefield) -> None:
        self.database = database
        self.field = field
        self.counts: dict[str, int] = {}
        self.marks: list[int] = []

    async def __aenter__(self) -> NoTrace:
        self.counts = await self.database.counts()
        self.marks = [len(observer.log) for observer in self.field.observers]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if exc[0] is not None:
            return
        assert await self.database.counts() == self.counts
        stored = await self.database.messages(self.field.victim_conversation)
        assert [row["id"] for row in stored] == [self.field.victim_message["id"]]
        for observer, mark in zip(self.field.observers, self.marks, strict=True):
            await observer.barrier()
            leaked = [i.event for i in observer.log[mark:] if observer._visible(i)]
            assert leaked == [], f"{observer.name} received {leaked}"


# -- socket events on someone else's conversation ----------------------------------------------

Attack = Callable[[Battlefield], Any]


def _send(f: Battlefield, conversation: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "tempId": "t-evil",
        "conversationId": conversation or f.victim_conversation,
        "clientNonce": f"evil-{uuid.uuid4().hex}",
        "text": "pwned",
    } | extra


SOCKET_ATTACKS: dict[str, tuple[str, Attack, str]] = {
    "join": ("chat:join", lambda f: {"conversationId": f.victim_conversation}, "not_found"),
    "leave": ("chat:leave", lambda f: {"conversationId": f.victim_conversation}, "not_found"),
    "send": ("chat:send", lambda f: _send(f), "not_found"),
    "sync": (
        "chat:sync",
        lambda f: {"conversationId": f.victim_conversation, "afterSeq": 0},
        "not_found",
    ),
    "read-ids": (
        "chat:read",
        lambda f: {"conversationId": f.victim_conversation, "messageIds": [f.victim_message["id"]]},
        "not_found",
    ),
    "read-up-to": (
        "chat:read",
        lambda f: {
            "conversationId": f.victim_conversation,
            "upToMessageId": f.victim_message["id"],
        },
        "not_found",
    ),
    "work-join": ("work:join", lambda f: {"campaignId": f.victim_campaign}, "not_found"),
    "work-leave": ("work:leave", lambda f: {"campaignId": f.victim_campaign}, "not_found"),
    "forged-sender-own-conversation": (
        "chat:send",
        lambda f: _send(f, f.attacker_conversation, sender_id=f.victim),
        "invalid_payload",
    ),
    "forged-sender-victim-conversation": (
        "chat:send",
        lambda f: _send(f, sender_id=f.victim),
        "invalid_payload",
    ),
    "extra-fields": (
        "chat:send",
        lambda f: _send(f, f.attacker_conversation, seq=1, id=f.victim_message["id"], kind="user"),
        "invalid_payload",
    ),
    "forged-sender-in-sync": (
        "chat:sync",
        lambda f: {"conversationId": f.victim_conversation, "afterSeq": 0, "userId": f.victim},
        "invalid_payload",
    ),
    "join-with-victim-campaign-as-conversation": (
        "chat:join",
        lambda f: {"conversationId": f.victim_campaign},
        "not_found",
    ),
    "deep-nesting-within-decoder": (
        "chat:send",
        lambda f: _send(f, f.attacker_conversation, attachments=[_nested(200)]),
        "invalid_payload",
    ),
    "oversized-text": (
        "chat:send",
        lambda f: _send(f, f.attacker_conversation, text="z" * 20_000),
        "too_large",
    ),
    "too-many-read-ids": (
        "chat:read",
        lambda f: {
            "conversationId": f.attacker_conversation,
            "messageIds": [str(uuid.uuid4()) for _ in range(501)],
        },
        "too_large",
    ),
    "binary-attachments": (
        "chat:send",
        lambda f: _send(f, f.attacker_conversation, attachments=[b"\x89PNG\r\n\x1a\n"]),
        "invalid_payload",
    ),
    "binary-text": (
        "chat:send",
        lambda f: _send(f, f.attacker_conversation, text=b"pwned"),
        "invalid_payload",
    ),
    "binary-whole-payload": ("chat:send", lambda f: b"\x00" * 64, "invalid_payload"),
}


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"a": [value]}
    return value


@pytest.mark.parametrize("attack", list(SOCKET_ATTACKS))
async def test_socket_attack_gets_its_error_code_and_leaves_no_trace(
    field: Battlefield, module_db: Database, attack: str
) -> None:
    event, build, code = SOCKET_ATTACKS[attack]
    async with NoTrace(module_db, field):
        name, reply = await field.mallory.request(event, build(field), ("chat:error",))
        assert name == "chat:error"
        assert (reply["code"], reply["event"]) == (code, event), reply
    # The attacker's socket still works for her own conversation.
    await field.mallory.send(field.attacker_conversation, "still mine")


async def test_reading_victim_message_ids_in_own_conversation_marks_nothing(
    field: Battlefield, module_db: Database
) -> None:
    async with NoTrace(module_db, field):
        receipt = await field.mallory.ok(
            "chat:read",
            {
                "conversationId": field.attacker_conversation,
                "messageIds": [field.victim_message["id"]],
            },
        )
        assert receipt["messageIds"] == []


async def test_reusing_another_users_client_nonce_never_returns_or_alters_their_message(
    field: Battlefield, module_db: Database
) -> None:
    before = await module_db.messages(field.victim_conversation)
    # Same nonce and text into the victim's conversation: not_found, nothing returned.
    async with NoTrace(module_db, field):
        name, reply = await field.mallory.request(
            "chat:send",
            _send(field, field.victim_conversation, clientNonce="shared-nonce", text="private"),
        )
        assert (name, reply["code"]) == ("chat:error", "not_found")
        assert field.victim_message["id"] not in json.dumps(reply)
    # Same nonce and text in her own conversation: a new message of hers, never alice's.
    counts = await module_db.counts()
    message = await field.mallory.send(
        field.attacker_conversation, "private", clientNonce="shared-nonce"
    )
    assert message["id"] != field.victim_message["id"]
    assert message["sender_id"] == field.attacker
    assert message["conversation_id"] == field.attacker_conversation
    assert (await module_db.counts())["messages"] == counts["messages"] + 1
    assert await module_db.messages(field.victim_conversation) == before


# -- frames the decoder refuses ---------------------------------------------------------------


class _RawJson:
    """stdlib json, except that a marker string is replaced by a pre-encoded document."""

    def __init__(self, marker: str, raw: str) -> None:
        self.marker, self.raw = marker, raw

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return json.dumps(obj, **kwargs).replace(json.dumps(self.marker), self.raw)

    def loads(self, data: Any, **kwargs: Any) -> Any:
        return json.loads(data, **kwargs)


async def test_nesting_beyond_the_decoder_leaves_the_server_up_and_stores_nothing(
    field: Battlefield,
    module_db: Database,
    chat_server: ServerProcess,
    tokens: Tokens,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    depth = 5_000  # orjson stops at 1,024; 10,000 characters, far within the buffer
    marker = f"__deep_{uuid.uuid4().hex}__"
    monkeypatch.setattr(socketio.packet.Packet, "json", _RawJson(marker, "[" * depth + "]" * depth))
    counts = await module_db.counts()
    raw = ChatClient("deep")
    await raw.connect(chat_server.url, tokens.user(field.attacker))
    await raw.wait_for("authenticated")
    await raw.emit("chat:send", _send(field, field.attacker_conversation, attachments=marker))
    closed = asyncio.create_task(raw.disconnected.wait())
    answered = asyncio.create_task(raw.barrier())
    _done, pending = await asyncio.wait({closed, answered}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    assert raw.received("chat:ack") == []
    monkeypatch.undo()
    await raw.disconnect()
    assert chat_server.running and chat_server.health() == 200
    assert await module_db.counts() == counts
    await field.mallory.send(field.attacker_conversation, "server still up")


# -- REST as a user -----------------------------------------------------------------------------

RestAttack = Callable[[Battlefield], tuple[str, str, Any]]

REST_ATTACKS: dict[str, tuple[RestAttack, int]] = {
    "get-conversation": (
        lambda f: ("GET", f"/api/conversations/{f.victim_conversation}", None),
        404,
    ),
    "get-messages": (
        lambda f: ("GET", f"/api/conversations/{f.victim_conversation}/messages", None),
        404,
    ),
    "patch-participants": (
        lambda f: (
            "PATCH",
            f"/api/conversations/{f.victim_conversation}",
            {"participant_ids": [f.attacker]},
        ),
        403,
    ),
    "patch-status": (
        lambda f: (
            "PATCH",
            f"/api/conversations/{f.victim_conversation}",
            {"chat_status": "automated"},
        ),
        403,
    ),
    "post-automated": (
        lambda f: (
            "POST",
            f"/api/conversations/{f.victim_conversation}/automated-messages",
            {"text": "pwned", "reason": "evil"},
        ),
        403,
    ),
    "post-conversation-in-victim-campaign": (
        lambda f: (
            "POST",
            "/api/conversations",
            {
                "campaign_id": f.victim_campaign,
                "participant_ids": [f.attacker],
                "chat_status": "real_time",
            },
        ),
        403,
    ),
    "patch-campaign-members": (
        lambda f: ("PATCH", f"/api/campaigns/{f.victim_campaign}", {"member_ids": [f.attacker]}),
        403,
    ),
    "post-campaign": (
        lambda f: ("POST", "/api/campaigns", {"name": "evil", "member_ids": [f.attacker]}),
        403,
    ),
}


@pytest.mark.parametrize("attack", list(REST_ATTACKS))
async def test_rest_attack_as_a_user_is_refused_and_leaves_no_trace(
    field: Battlefield,
    module_db: Database,
    chat_server: ServerProcess,
    tokens: Tokens,
    attack: str,
) -> None:
    build, status = REST_ATTACKS[attack]
    method, path, body = build(field)
    headers = {"Authorization": f"Bearer {tokens.user(field.attacker)}"}
    async with NoTrace(module_db, field), httpx.AsyncClient(base_url=chat_server.url) as http:
        response = await http.request(method, path, json=body, headers=headers)
        assert response.status_code == status, response.text
        assert response.json()["error"]["code"] == {403: "forbidden", 404: "not_found"}[status]
        assert field.victim_message["text"] not in response.text


async def test_conversation_list_of_the_attacker_shows_only_her_own(
    field: Battlefield, chat_server: ServerProcess, tokens: Tokens
) -> None:
    headers = {"Authorization": f"Bearer {tokens.user(field.attacker)}"}
    async with httpx.AsyncClient(base_url=chat_server.url) as http:
        response = await http.get("/api/conversations", headers=headers)
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    assert field.victim_conversation not in ids
    assert field.attacker_conversation in ids
