"""Slow readers (PROTOCOL.md "Slow readers"): every socket's outbound buffer is bounded.

A real server process with a small bound (256 KiB); a member sends ~9 KB messages as fast as
acks come back while one reader stops reading: a raw websocket with a 4 KiB receive buffer, or a
raw long-polling client that stops polling. The server must abort that socket, stay within a
few MiB of the bound in memory, deliver everything to a normal reader, and let the stalled
client recover every message with ``chat:sync`` once it reconnects.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.support import RawPolling, RawSocketIO, ServerProcess
from tests.support.client import (
    Api,
    ChatClient,
    Connect,
    Tokens,
    make_scene,
    new_user,
    server_env,
)

pytest_plugins = ("tests.support.client",)

MOVED_SANSIO = "tests.fixtures.fastpath.uvicorn_moved_sansio"

pytestmark = pytest.mark.timeout(240)

BOUND = 256 * 1024
CHAT_SERVER_ENV = {"CHINWAG_MAX_SOCKET_BUFFER": BOUND}
TEXT = "x" * 9000
AFTER_ABORT = 60
"""Messages sent after the abort: without a bound they would all wait for the stalled reader."""
MAX_SENDS = 1500
RSS_SLACK = 6 * 1024 * 1024
"""Growth allowed beyond the bound: the allocator, SQLite's cache, the reader's own traffic."""
ABORT_LOG = "socket aborted (slow_consumer)"


def _rss(server: ServerProcess) -> int:
    """The server process's resident set, in bytes (``/proc/<pid>/status``)."""
    for line in Path(f"/proc/{server.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _aborts(server: ServerProcess, log_start: int) -> list[str]:
    return [line for line in server.read_log()[log_start:].splitlines() if ABORT_LOG in line]


async def _flood(
    server: ServerProcess, sender: ChatClient, conversation_id: str, log_start: int
) -> tuple[list[dict[str, Any]], int]:
    """Send until the server logs the abort, then :data:`AFTER_ABORT` more; returns the
    messages and the highest RSS growth seen (over the RSS before the first send)."""
    before = _rss(server)
    peak = 0
    sent: list[dict[str, Any]] = []
    extra = AFTER_ABORT
    while extra > 0:
        assert len(sent) < MAX_SENDS, "the stalled reader was never aborted"
        sent.append(await sender.send(conversation_id, TEXT))
        peak = max(peak, _rss(server) - before)
        if _aborts(server, log_start):
            extra -= 1
    print(f"{len(sent)} sends of {len(TEXT)} chars; peak RSS growth {peak / 2**20:.2f} MiB")
    return sent, peak


async def _sync_all(
    client: ChatClient, conversation_id: str, after_seq: int, limit: int | None = None
) -> list[int]:
    """Every seq after ``after_seq``, page by page with ``chat:sync``."""
    seqs: list[int] = []
    request: dict[str, Any] = {"conversationId": conversation_id}
    if limit is not None:
        request["limit"] = limit
    while True:
        page = await client.ok("chat:sync", request | {"afterSeq": after_seq})
        seqs += [m["seq"] for m in page["messages"]]
        if not page["hasMore"]:
            return seqs
        after_seq = seqs[-1]


async def _room(
    api: Api, connect: Connect, stalled_user: str
) -> tuple[str, ChatClient, ChatClient]:
    """A conversation with a sender, a normal reader (both websocket) and ``stalled_user``."""
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(
        api, members=[alice, bob, stalled_user], participants=[alice, bob, stalled_user]
    )
    sender = await connect(alice, transports=["websocket"])
    reader = await connect(bob, transports=["websocket"])
    await reader.join(scene.conversation_id)
    for _ in range(5):  # warm up the send path before measuring memory
        await sender.send(scene.conversation_id, TEXT)
    return scene.conversation_id, sender, reader


async def _check_recovery(
    connect: Connect,
    reader: ChatClient,
    user: str,
    conversation_id: str,
    sent: list[dict[str, Any]],
    seen: list[int],
) -> None:
    """The normal reader got everything; the stalled user, reconnected, syncs the rest."""
    last = sent[-1]["seq"]
    await reader.wait_for("chat:new", lambda p: p["message"]["seq"] == last, timeout=60)
    got = [p["message"]["seq"] for p in reader.received("chat:new")]
    assert [s for s in got if s >= sent[0]["seq"]] == [m["seq"] for m in sent]
    again = await connect(user, transports=["websocket"])
    after = seen[-1] if seen else 0
    # Pages of 20 messages (~180 KB): a full page (~512 KiB) is over this test's small bound.
    synced = await _sync_all(again, conversation_id, after, limit=20)
    assert [s for s in seen + synced if s >= sent[0]["seq"]] == [m["seq"] for m in sent]


async def _stalled_websocket(
    server: ServerProcess, api: Api, connect: Connect, tokens: Tokens, *, fast_path: bool = True
) -> None:
    stalled_user = new_user("stalled")
    conversation_id, sender, reader = await _room(api, connect, stalled_user)
    stalled = await RawSocketIO.open(server.url, tokens.user(stalled_user), receive_buffer=4096)
    await stalled.call("chat:join", {"conversationId": conversation_id})
    log_start = len(server.read_log())

    sent, peak = await _flood(server, sender, conversation_id, log_start)

    [line] = _aborts(server, log_start)
    assert f"user={stalled_user}" in line
    assert peak < BOUND + RSS_SLACK, f"RSS grew {peak} bytes"
    seen: list[int] = []
    if fast_path:
        # The server dropped the connection: reading what reached the client ends in a close.
        with pytest.raises((ConnectionClosed, OSError)):
            await stalled.read_events("chat:new", len(sent) + 1, within=60)
        seen = [p["message"]["seq"] for name, p in stalled.events if name == "chat:new"]
    else:  # chinwag cannot reach the TCP transport; it lingers (socketio.backpressure)
        stalled.ws.transport.abort()
    await _check_recovery(connect, reader, stalled_user, conversation_id, sent, seen)


async def _stalled_polling(
    server: ServerProcess, api: Api, connect: Connect, tokens: Tokens
) -> None:
    stalled_user = new_user("stalled")
    conversation_id, sender, reader = await _room(api, connect, stalled_user)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        stalled = await RawPolling.open(http, tokens.user(stalled_user))
        await stalled.call("chat:join", {"conversationId": conversation_id})
        log_start = len(server.read_log())

        sent, peak = await _flood(server, sender, conversation_id, log_start)

        [line] = _aborts(server, log_start)
        assert f"user={stalled_user}" in line
        assert peak < BOUND + RSS_SLACK, f"RSS grew {peak} bytes"
        # Its session is closed: a GET now gets the CLOSE packet or an error, never messages.
        with contextlib.suppress(httpx.HTTPStatusError):
            assert await stalled.poll() in ([], ["1"])
    await _check_recovery(connect, reader, stalled_user, conversation_id, sent, [])


async def test_a_websocket_that_stops_reading_is_aborted_and_memory_stays_bounded(
    chat_server: ServerProcess, api: Api, connect: Connect, tokens: Tokens
) -> None:
    """A raw websocket with a 4 KiB receive buffer joins and stops reading; the server aborts
    it once its buffer passes the bound, with RSS growth within a few MiB of the bound."""
    await _stalled_websocket(chat_server, api, connect, tokens)


async def test_a_polling_client_that_stops_polling_is_aborted_and_memory_stays_bounded(
    chat_server: ServerProcess, api: Api, connect: Connect, tokens: Tokens
) -> None:
    """A long-polling client joins and issues no more GETs: what is sent to it piles up in
    engine.io's queue until the bound, then the socket is closed and its session forgotten."""
    await _stalled_polling(chat_server, api, connect, tokens)


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_with_the_fast_path_off_engineio_queue_is_still_bounded(
    tmp_path: Path, jwt_secret: str, transport: str
) -> None:
    """A library moved and the fast path is off (stock managers, stock engine.io): the queue
    still counts, the socket is still closed for Socket.IO (its TCP connection may linger)."""
    env = server_env(f"sqlite+aiosqlite:///{tmp_path / 'off.db'}", jwt_secret, **CHAT_SERVER_ENV)
    tokens = Tokens(jwt_secret)
    clients: list[ChatClient] = []

    async def connect(user: str, *, transports: list[str]) -> ChatClient:
        client = ChatClient(user)
        clients.append(client)
        await client.connect(server.url, tokens.user(user), transports)
        await client.wait_for("authenticated")
        return client

    with ServerProcess(env, module=MOVED_SANSIO, log_dir=tmp_path) as server:
        assert "fast path OFF" in server.read_log()
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            api = Api(http, tokens)
            if transport == "websocket":
                await _stalled_websocket(server, api, connect, tokens, fast_path=False)  # type: ignore[arg-type]
            else:
                await _stalled_polling(server, api, connect, tokens)  # type: ignore[arg-type]
        for client in clients:
            await client.disconnect()
