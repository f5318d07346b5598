"""Graceful shutdown: SIGTERM during a burst of sends drains, acknowledges, announces and exits."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from dataclasses import dataclass
from typing import Any

import engineio.payload
import httpx
import pytest
import socketio

from tests.support import Database, ServerFactory, ServerProcess, message_view
from tests.support.client import Api, ChatClient, Tokens, make_scene, new_user

pytest_plugins = ("tests.support.client",)

#: Generous: on a loaded 2-core machine a send in flight at SIGTERM can take seconds to commit, and
#: the drain waits for it only this long (new events are refused from the signal on, so a quiet
#: run does not wait any longer for it).
SHUTDOWN_DEADLINE_S = 8
#: What the exit may take beyond the deadline (uvicorn's own shutdown, the interpreter's exit).
EXIT_MARGIN_S = 5
BURST = 200
#: Unacknowledged sends at any time. Kept under 16: python-engineio refuses a polling POST of
#: more packets (see test_limits), and the client batches whatever is queued into one POST.
WINDOW = 10
#: Sockets pumping at once in the loaded scenario, so events keep arriving while the server drains.
LOADED_SENDERS = 4


def database_of(db_url: str) -> Database:
    return Database("sqlite" if db_url.startswith("sqlite") else "postgresql", db_url)


async def sigterm_and_wait(server: ServerProcess, timeout: float) -> float:  # noqa: ASYNC109
    """Send SIGTERM now (synchronously) and wait for the exit off the loop; returns the seconds."""
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    await asyncio.to_thread(server.proc.wait, timeout)
    return time.monotonic() - started


async def send_burst(
    client: ChatClient, conversation_id: str, stop: asyncio.Event, sent: list[str]
) -> None:
    """Send BURST messages as fast as acks come back, WINDOW unacknowledged at a time.

    ``stop`` ends it (a flag rather than task cancellation, which asyncio.wait_for in Python
    3.11 may swallow when the awaited ack arrives at the same moment).
    """
    for i in range(BURST):
        if i >= WINDOW:
            await client.wait_for("chat:ack", timeout=30)
        if stop.is_set() or not client.connected:
            return
        sent.append(f"t-{i}")
        await client.emit(
            "chat:send",
            {
                "tempId": f"t-{i}",
                "conversationId": conversation_id,
                "clientNonce": f"n-{uuid.uuid4().hex}",
                "text": f"burst {i}",
            },
        )


@dataclass
class BurstOutcome:
    """What a client saw, and what was stored, when SIGTERM hit during its burst."""

    client: ChatClient
    acks_before_sigterm: int
    #: Sends emitted and not acknowledged when SIGTERM was sent.
    in_flight_at_sigterm: int
    #: The tempIds of every send emitted.
    sent: list[str]
    exit_seconds: float
    stored: list[dict[str, Any]]
    #: Every sender, with the rows of its messages.
    everyone: list[tuple[ChatClient, list[dict[str, Any]]]]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.client.events]

    @property
    def acks(self) -> list[Any]:
        return list(self.client.received("chat:ack"))


async def sigterm_during_burst(
    db_url: str,
    server_factory: ServerFactory,
    tokens: Tokens,
    transports: list[str],
    senders: int = 1,
    keep_sending: bool = False,
) -> BurstOutcome:
    """Senders pump messages; SIGTERM once the first ack is in; wait for the exit.

    Unless ``keep_sending``, the senders stop at the signal: what is in flight then is what the
    drain must finish. With it they go on sending into the drain.
    """
    server = server_factory(db_url, CHINWAG_SHUTDOWN_DEADLINE_S=SHUTDOWN_DEADLINE_S)
    users = [new_user("burst") for _ in range(senders)]
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        scene = await make_scene(Api(http, tokens), participants=users)
    clients = []
    for user in users:
        client = ChatClient(user)
        await client.connect(server.url, tokens.user(user), transports)
        await client.wait_for("authenticated")
        clients.append(client)
    watched = clients[0]
    stop = asyncio.Event()
    sent: list[list[str]] = [[] for _ in clients]
    pumps = [
        asyncio.create_task(send_burst(c, scene.conversation_id, stop, mine))
        for c, mine in zip(clients, sent, strict=True)
    ]
    await watched.wait_for("chat:ack", timeout=30)
    if not keep_sending:
        stop.set()
    # No await between counting and the signal: later acks arrived after SIGTERM was sent.
    acks_before_sigterm = len(watched.received("chat:ack"))
    in_flight_at_sigterm = len(sent[0]) - acks_before_sigterm
    elapsed = await sigterm_and_wait(server, SHUTDOWN_DEADLINE_S + EXIT_MARGIN_S)
    for client in clients:
        await asyncio.wait_for(client.disconnected.wait(), 10)
    stop.set()
    for pump in pumps:
        pump.cancel()
    await asyncio.gather(*pumps, return_exceptions=True)
    server.stop()
    stored = await database_of(db_url).messages(scene.conversation_id)
    refused = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await refused.connect(server.url, transports=["websocket"], wait_timeout=3)
    for client in clients:
        client.check()
    everyone = [
        (client, [row for row in stored if row["sender_id"] == user])
        for client, user in zip(clients, users, strict=True)
    ]
    return BurstOutcome(
        watched,
        acks_before_sigterm,
        in_flight_at_sigterm,
        sent[0],
        elapsed,
        everyone[0][1],
        everyone,
    )


@pytest.mark.parametrize("transports", [["websocket"], ["polling"]], ids=["websocket", "polling"])
async def test_sigterm_during_a_burst_acks_in_flight_sends_announces_and_exits_in_time(
    db_url: str,
    server_factory: ServerFactory,
    tokens: Tokens,
    transports: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The python-engineio client refuses a poll response of more than 16 packets (its own
    # decoder limit), and a busy server packs more than that into one; see test_limits.
    monkeypatch.setattr(engineio.payload.Payload, "max_decode_packets", 10_000)
    outcome = await sigterm_during_burst(db_url, server_factory, tokens, transports)
    assert outcome.exit_seconds < SHUTDOWN_DEADLINE_S + EXIT_MARGIN_S
    assert outcome.names.count("server:shutdown") == 1, outcome.names[-8:]
    (announcement,) = outcome.client.received("server:shutdown")
    assert isinstance(announcement["reason"], str) and announcement["reason"]
    assert outcome.client.received("chat:error") == []
    # Websocket acks stream in one by one, so SIGTERM always finds sends in flight; long-polling
    # delivers acks in batches, and may have none left when the first batch is in.
    if transports == ["websocket"]:
        assert outcome.in_flight_at_sigterm > 0
    # The senders stopped at SIGTERM: every send they made, in flight or not, is acknowledged …
    assert sorted(ack["tempId"] for ack in outcome.acks) == sorted(outcome.sent)
    assert len(outcome.acks) == outcome.acks_before_sigterm + outcome.in_flight_at_sigterm
    # … before the announcement, and stored exactly as acknowledged: rows == acks.
    names = outcome.names
    assert "chat:ack" not in names[names.index("server:shutdown") :]
    rows = {row["id"]: row for row in outcome.stored}
    assert sorted(rows) == sorted(ack["message"]["id"] for ack in outcome.acks)
    for ack in outcome.acks:
        assert message_view(ack["message"]) == rows[ack["message"]["id"]]
    assert sorted(row["seq"] for row in outcome.stored) == list(range(1, len(rows) + 1))


async def test_sigterm_under_load_acks_every_stored_send_before_announcing_to_every_socket(
    db_url: str, server_factory: ServerFactory, tokens: Tokens
) -> None:
    outcome = await sigterm_during_burst(
        db_url, server_factory, tokens, ["websocket"], senders=LOADED_SENDERS, keep_sending=True
    )
    problems = []
    for client, stored in outcome.everyone:
        acked_ids = {ack["message"]["id"] for ack in client.received("chat:ack")}
        unacked_rows = [row["text"] for row in stored if row["id"] not in acked_ids]
        if unacked_rows:
            problems.append(f"{client.name}: stored without chat:ack: {unacked_rows}")
        names = [name for name, _ in client.events]
        if names.count("server:shutdown") != 1:
            problems.append(f"{client.name}: no server:shutdown; last events {names[-3:]}")
        elif "chat:ack" in names[names.index("server:shutdown") :]:
            problems.append(f"{client.name}: chat:ack after server:shutdown")
    assert problems == []
