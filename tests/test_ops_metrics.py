"""Prometheus metrics: a scripted session moves the counters it should, and nothing else leaks in.

Each test scrapes ``/metrics`` before and after what it does and asserts the deltas (the module
shares one server per database).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

pytest.register_assert_rewrite("tests.support.client")

from tests.support.client import (  # noqa: E402
    Api,
    ChatClient,
    Connect,
    Tokens,
    make_scene,
    new_user,
)
from tests.support.metrics import delta, scrape, value  # noqa: E402
from tests.support.server import ServerFactory, ServerProcess  # noqa: E402

pytest_plugins = ("tests.support.client",)

SENDS = 5

Open = Callable[[str, str], Awaitable[ChatClient]]


@pytest_asyncio.fixture
async def open_client(tokens: Tokens) -> AsyncIterator[Open]:
    """Authenticated websocket clients of any server (not only the module's)."""
    clients: list[ChatClient] = []

    async def open_(url: str, user: str) -> ChatClient:
        client = ChatClient(user)
        clients.append(client)
        await client.connect(url, tokens.user(user), ["websocket"])
        await client.wait_for("authenticated")
        return client

    yield open_
    for client in clients:
        await client.disconnect()


async def test_scripted_session_moves_the_counters_it_should(
    connect: Connect, api: Api, chat_server: ServerProcess
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    before = await scrape(chat_server.url)

    a = await connect(alice, handshake=True, transports=["websocket"])
    b = await connect(bob, transports=["websocket"])
    await a.join(scene.conversation_id)
    await b.join(scene.conversation_id)
    sent = [await a.send(scene.conversation_id, f"m{i}") for i in range(SENDS)]
    await b.wait_for("chat:new", lambda p: p["message"]["id"] == sent[-1]["id"])
    await b.ok(
        "chat:read", {"conversationId": scene.conversation_id, "messageIds": [sent[0]["id"]]}
    )
    await a.fails("chat:send", {"conversationId": scene.conversation_id}, "invalid_payload")
    await a.fails("chat:join", {"conversationId": "0" * 8}, "invalid_payload")
    after = await scrape(chat_server.url)

    received = "chinwag_events_received_total"
    assert delta(before, after, received, event="chat:send", outcome="ok") == SENDS
    assert delta(before, after, received, event="chat:send", outcome="invalid_payload") == 1
    assert delta(before, after, received, event="chat:join", outcome="ok") == 2
    assert delta(before, after, received, event="chat:join", outcome="invalid_payload") == 1
    assert delta(before, after, received, event="authenticate", outcome="ok") == 1
    assert delta(before, after, received, event="chat:read", outcome="ok") == 1
    latency = "chinwag_event_latency_seconds_count"
    assert delta(before, after, latency, event="chat:send") == SENDS + 1
    assert delta(before, after, "chinwag_event_latency_seconds_sum", event="chat:send") > 0
    emitted = "chinwag_events_emitted_total"
    assert delta(before, after, emitted, event="chat:ack") == SENDS
    assert delta(before, after, emitted, event="chat:new") == SENDS
    assert delta(before, after, emitted, event="authenticated") == 2
    # Group commit: every stored send is in exactly one batch.
    assert delta(before, after, "chinwag_group_commit_batch_size_sum") == SENDS
    assert 1 <= delta(before, after, "chinwag_group_commit_batch_size_count") <= SENDS
    assert delta(before, after, "chinwag_db_group_commit_seconds_count") >= 1
    writes = delta(before, after, "chinwag_socket_writes_total", path="direct") + delta(
        before, after, "chinwag_socket_writes_total", path="queued"
    )
    assert writes >= 2 * SENDS  # acks to alice, chat:new to bob
    # Gauges: the two sockets are still connected, authenticated, on websocket.
    assert value(after, "chinwag_sockets", transport="websocket", authenticated="true") >= 2
    assert value(after, "chinwag_rooms", kind="conversation") >= 1
    assert value(after, "chinwag_rooms", kind="user") >= 2
    for reason in ("slow_consumer", "garbage"):
        assert ("chinwag_sockets_aborted_total", frozenset({("reason", reason)})) in after
    # Bounded labels: no id of this session appears in any label.
    ids = {alice, bob, scene.conversation_id, scene.campaign_id, *(m["id"] for m in sent)}
    for _name, labels in after:
        assert not ids & {label_value for _key, label_value in labels}


async def test_rate_limit_hits_are_counted_by_scope(
    server_factory: ServerFactory, tmp_path: Path, open_client: Open
) -> None:
    server = server_factory(
        f"sqlite+aiosqlite:///{tmp_path / 'rl.db'}", CHINWAG_RATE_LIMIT_SOCKET=2
    )
    before = await scrape(server.url)
    client = await open_client(server.url, new_user("eve"))
    replies = [await client.request("chat:join", {"conversationId": "nope"}) for _ in range(8)]
    assert any(reply["code"] == "rate_limited" for _name, reply in replies)
    after = await scrape(server.url)
    hits = delta(before, after, "chinwag_rate_limited_total", scope="socket")
    assert hits == sum(1 for _n, reply in replies if reply["code"] == "rate_limited")
    outcome = delta(
        before, after, "chinwag_events_received_total", event="chat:join", outcome="rate_limited"
    )
    assert outcome == hits


async def test_metrics_off_serves_no_metrics_route(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    server = server_factory(f"sqlite+aiosqlite:///{tmp_path / 'off.db'}", CHINWAG_METRICS="false")
    async with httpx.AsyncClient(base_url=server.url) as http:
        assert (await http.get("/metrics")).status_code == 404
        assert (await http.get("/health")).status_code == 200


async def test_multiprocess_mode_aggregates_from_the_shared_folder(
    server_factory: ServerFactory, tmp_path: Path, open_client: Open
) -> None:
    folder = tmp_path / "prom"
    folder.mkdir()
    server = server_factory(
        f"sqlite+aiosqlite:///{tmp_path / 'mp.db'}", PROMETHEUS_MULTIPROC_DIR=str(folder)
    )
    client = await open_client(server.url, new_user("mp"))
    await client.fails("chat:join", {"conversationId": "x"}, "invalid_payload")
    samples = await scrape(server.url)
    received = "chinwag_events_received_total"
    assert value(samples, received, event="chat:join", outcome="invalid_payload") == 1
    assert value(samples, "chinwag_sockets", transport="websocket", authenticated="true") == 1
    assert any(folder.iterdir())  # the values live in the shared folder
