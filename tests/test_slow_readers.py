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
from engineio import packet as eio_packet
from websockets.exceptions import ConnectionClosed

from chinwag.app import create_app
from chinwag.config import Settings
from chinwag.handlers.sync_page import SYNC_PAGE_BYTES, cut_page
from chinwag.transport.socketio import backpressure
from chinwag.transport.socketio.outbound_queue import OutboundQueue, packet_size
from contract_tests.serve import serve_app

# Before the import: the plugin's asserts get pytest's rewriting (no "already imported" warning).
pytest.register_assert_rewrite("tests.support.client")

from tests.support.client import (  # noqa: E402
    Api,
    ChatClient,
    Connect,
    Tokens,
    make_scene,
    new_user,
    server_env,
)
from tests.support.net import free_port  # noqa: E402
from tests.support.rawpolling import RawPolling  # noqa: E402
from tests.support.rawws import RawSocketIO  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402

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


async def test_an_abort_is_counted_in_the_process_stats(tmp_path: Path, jwt_secret: str) -> None:
    """The process-wide counter the metrics exporter reads moves once per aborted socket (the
    server runs in this process, uvicorn in a thread, so its counter is readable here)."""
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'stats.db'}",
        jwt_secret=jwt_secret,
        rate_limit_socket=0,
        rate_limit_user=0,
        max_socket_buffer=BOUND,
        shutdown_deadline_s=1,
    )
    tokens = Tokens(jwt_secret)
    before = backpressure.stats.slow_consumer_aborts
    with serve_app(create_app(settings), free_port()) as (url, _stop):
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            api = Api(http, tokens)
            alice, stalled_user = new_user("alice"), new_user("stalled")
            scene = await make_scene(api, participants=[alice, stalled_user])
            stalled = await RawPolling.open(http, tokens.user(stalled_user))
            await stalled.call("chat:join", {"conversationId": scene.conversation_id})
            sender = ChatClient("alice")
            await sender.connect(url, tokens.user(alice), ["websocket"])
            for _ in range(2 * BOUND // len(TEXT)):
                await sender.send(scene.conversation_id, TEXT)
            await sender.disconnect()
    assert backpressure.stats.slow_consumer_aborts == before + 1
    assert backpressure.stats.slow_consumer_bytes > BOUND


async def test_the_outbound_queue_counts_what_waits_and_a_batch_until_the_next_get() -> None:
    """What the bound relies on: every put counts, a taken batch counts until its consumer
    comes back with ``get`` (asyncio's ``put``/``get`` go through the ``_nowait`` methods),
    one overflow, and after it only control packets and the stop sentinel pass."""
    overflows: list[int] = []
    queue = OutboundQueue(10_000, lambda _queue, pending: overflows.append(pending))
    pkt = eio_packet.Packet(eio_packet.MESSAGE, "a" * 1000)
    size = packet_size(pkt)
    await queue.put(pkt)
    queue.put_nowait(pkt)
    assert (queue.queued, queue.taken) == (2 * size, 0)
    assert await queue.get() is pkt
    queue.get_nowait()
    assert (queue.queued, queue.taken) == (0, 2 * size)
    await queue.put(pkt)
    await queue.get()  # the consumer is back: its previous batch is written
    assert (queue.queued, queue.taken) == (0, size)
    for _ in range(20):
        queue.put_nowait(pkt)
    assert len(overflows) == 1 and overflows[0] > 10_000
    assert queue.aborted
    queue.discard()
    queue.put_nowait(pkt)
    assert queue.empty()
    queue.put_nowait(eio_packet.Packet(eio_packet.CLOSE))
    queue.put_nowait(None)
    assert queue.qsize() == 2


def test_a_sync_page_stops_at_about_512_kib() -> None:
    """``cut_page`` keeps the leading messages within the budget (at least one) and says more
    follow when it cut."""
    message = {"id": "m", "text": "y" * 10_000}
    size = len(b'{"id":"m","text":""}') + 10_000
    page, more = cut_page([message] * 200, False)
    assert len(page) == SYNC_PAGE_BYTES // size
    assert more
    assert cut_page([message] * 3, False) == ([message] * 3, False)
    assert cut_page([message] * 3, True) == ([message] * 3, True)
    assert cut_page([message] * 3, False, budget=1) == ([message], True)


async def test_chat_synced_pages_of_long_messages_stop_near_512_kib(
    api: Api, connect: Connect
) -> None:
    """200 messages of 10,000 characters would be a ~2 MB reply; pages stop at ~512 KiB with
    ``hasMore`` and the next page continues where the last one stopped."""
    alice = new_user("alice")
    scene = await make_scene(api, members=[alice], participants=[alice])
    client = await connect(alice)
    sent = [await client.send(scene.conversation_id, "z" * 10_000) for _ in range(70)]
    first = await client.ok("chat:sync", {"conversationId": scene.conversation_id, "afterSeq": 0})
    assert first["hasMore"]
    assert 40 <= len(first["messages"]) < 70
    assert len(str(first["messages"])) <= SYNC_PAGE_BYTES + 16 * 1024
    seqs = await _sync_all(client, scene.conversation_id, 0)
    assert seqs == [m["seq"] for m in sent]
