"""The official Node socket.io-client runs the seed's "Frontend Integration" snippets as written."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support import ServerProcess
from tests.support.client import REPO, Api, contract, make_scene, new_user

pytest_plugins = ("tests.support.client",)
pytestmark = pytest.mark.node

SCRIPT = Path(__file__).parent / "node" / "frontend_integration.js"
NODE_CLIENT = REPO / "node_modules" / "socket.io-client" / "package.json"


def node_binary() -> str:
    """``node``, or a failure that says how to get the dependencies (never a skip)."""
    node = shutil.which("node")
    if node is None or not NODE_CLIENT.is_file():
        pytest.fail("Node 20 and socket.io-client are needed: install Node, then `make node-deps`")
    return node


@pytest.mark.parametrize(
    "transports", [None, ["websocket"]], ids=["polling-with-upgrade", "websocket-only"]
)
async def test_node_socketio_client_runs_the_seed_frontend_flow(
    chat_server: ServerProcess, api: Api, transports: list[str] | None
) -> None:
    node = node_binary()
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    config = {
        "url": chat_server.url,
        "transports": transports,
        "conversationId": scene.conversation_id,
        "aliceToken": api.tokens.user(alice),
        "bobToken": api.tokens.user(bob),
        "serviceToken": api.tokens.service(),
    }
    process = await asyncio.create_subprocess_exec(
        node,
        str(SCRIPT),
        cwd=REPO,
        env={**os.environ, "CHINWAG_NODE_SCENE": json.dumps(config)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    result: dict[str, Any] = json.loads(stdout)

    # Everything either browser received is declared and valid.
    for name in ("alice", "bob"):
        for item in result[name]["events"]:
            assert contract().event_errors(item["event"], item["args"]) == [], item

    stored = await api.messages(scene.conversation_id)
    sent, automated = stored
    assert automated == result["automated"]
    assert sent["sender_id"] == alice and automated["kind"] == "automated"

    # alice's optimistic copy was replaced by the acked message; bob appended chat:new.
    assert result["alice"]["messages"] == stored
    assert result["bob"]["messages"] == stored
    assert result["alice"]["userId"] == alice
    assert result["bob"]["userId"] == bob
    alice_events = [item["event"] for item in result["alice"]["events"]]
    assert "chat:new" not in alice_events
    assert alice_events.count("chat:ack") == 1

    # bob read everything up to the automated message: alice's message and the automated one.
    (receipt,) = result["alice"]["reads"]
    assert receipt["readerId"] == bob
    assert sorted(receipt["messageIds"]) == sorted([sent["id"], automated["id"]])
    assert result["bob"]["reads"] == [receipt]

    for name in ("alice", "bob"):
        assert result[name]["transport"] == "websocket"
