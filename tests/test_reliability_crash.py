"""Crash safety: SIGKILL the server while sends are in flight, restart, retry, and audit the store.

Every client keeps a window of unacknowledged ``chat:send``s open. The test kills the server at a
moment when at least one send has been emitted but not acknowledged, restarts a server on the same
database, and the clients reconnect and retry every unacknowledged send with the same clientNonce
and content, as the protocol tells them to. After several cycles the store must hold every
acknowledged message exactly once, no message twice, and a gap-free seq; every client's view (acks
and chat:sync) must equal the database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import socketio

from tests.support import Database, ServerFactory, ServerProcess, message_view
from tests.support.client import Api, Tokens, make_scene, new_user

pytest_plugins = ("tests.support.client",)

KILL_CYCLES = 2
#: Acks each cycle collects (across clients) before the kill.
ACKS_PER_CYCLE = 40
#: Unacknowledged sends each client keeps open: the kill always finds some in flight.
WINDOW = 4
TIMEOUT = 30.0
#: Small, so the final SIGTERM at teardown is quick (test_reliability_shutdown covers the deadline).
SERVER_ENV = {"CHINWAG_SHUTDOWN_DEADLINE_S": 3}


@dataclass
class SteadySender:
    """One user's socket sending sustained ``chat:send``s with a window of unacknowledged ones."""

    user: str
    token: str
    conversation_id: str
    transports: list[str]
    #: clientNonce → text of every send ever made (the content a retry must repeat).
    texts: dict[str, str] = field(default_factory=dict)
    #: Sends made (or being made) and not acknowledged yet.
    pending: set[str] = field(default_factory=set)
    #: Sends whose frame was handed to the transport and not acknowledged yet.
    in_flight: set[str] = field(default_factory=set)
    #: clientNonce → every message id an ack reported for it (a retry must report the original).
    acked: dict[str, set[str]] = field(default_factory=dict)
    ack_messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[Any] = field(default_factory=list)
    retried: int = 0
    attempts: int = 0

    def __post_init__(self) -> None:
        self.sio: socketio.AsyncClient | None = None
        self.freed = asyncio.Event()
        self.waiters: dict[str, asyncio.Future[None]] = {}

    async def connect(self, url: str) -> None:
        """Open a new socket (handshake auth) to ``url``: a reconnect after a crash."""
        sio = socketio.AsyncClient(reconnection=False)
        sio.on("chat:ack", self._on_ack)
        sio.on("chat:error", self._on_error)
        await sio.connect(
            url, auth={"token": self.token}, transports=self.transports, wait_timeout=10
        )
        self.sio = sio

    async def drop(self) -> None:
        """Forget the socket of a crashed server."""
        if self.sio is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.sio.disconnect(), 5)
            self.sio = None
        self.in_flight.clear()

    def _on_ack(self, payload: dict[str, Any]) -> None:
        message = payload["message"]
        nonce = message["client_nonce"]
        assert message["sender_id"] == self.user
        self.acked.setdefault(nonce, set()).add(message["id"])
        self.ack_messages[nonce] = message
        self.pending.discard(nonce)
        self.in_flight.discard(nonce)
        self.freed.set()
        waiter = self.waiters.pop(nonce, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _on_error(self, payload: Any) -> None:
        self.errors.append(payload)
        self.freed.set()

    async def _emit(self, nonce: str) -> None:
        assert self.sio is not None
        self.attempts += 1
        await self.sio.emit(
            "chat:send",
            {
                "tempId": f"t-{self.attempts}",
                "conversationId": self.conversation_id,
                "clientNonce": nonce,
                "text": self.texts[nonce],
            },
        )
        if nonce in self.pending:
            self.in_flight.add(nonce)

    async def pump(self) -> None:
        """Send new messages for ever, keeping at most WINDOW unacknowledged."""
        while True:
            while len(self.pending) >= WINDOW:
                self.freed.clear()
                await self.freed.wait()
            assert not self.errors, self.errors
            nonce = f"{self.user}-n{len(self.texts)}"
            self.texts[nonce] = f"{self.user} says #{len(self.texts)}"
            self.pending.add(nonce)
            await self._emit(nonce)

    async def retry_unacked(self) -> None:
        """Resend every unacknowledged send (same clientNonce and text) and await the acks."""
        nonces = sorted(self.pending, key=lambda n: int(n.rsplit("-n", 1)[1]))
        loop = asyncio.get_running_loop()
        waiters = []
        for nonce in nonces:
            waiter = self.waiters[nonce] = loop.create_future()
            waiters.append(waiter)
            self.retried += 1
            await self._emit(nonce)
        await asyncio.wait_for(asyncio.gather(*waiters), TIMEOUT)
        assert not self.errors, self.errors
        assert not self.pending

    async def sync(self) -> list[dict[str, Any]]:
        """Every message of the conversation via chat:sync pages."""
        assert self.sio is not None
        messages: list[dict[str, Any]] = []
        while True:
            after = messages[-1]["seq"] if messages else 0
            page = await self.sio.call(
                "chat:sync",
                {"conversationId": self.conversation_id, "afterSeq": after},
                timeout=TIMEOUT,
            )
            assert "error" not in page, page
            messages.extend(page["messages"])
            if not page["hasMore"]:
                return messages


async def wait_until_killable(senders: list[SteadySender], acked_target: int) -> None:
    """Until the cycle's ack target is met and some send is in flight (polling client state)."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while not (
        sum(len(s.acked) for s in senders) >= acked_target and any(s.in_flight for s in senders)
    ):
        for sender in senders:
            assert not sender.errors, sender.errors
        assert asyncio.get_running_loop().time() < deadline, "senders stalled"
        await asyncio.sleep(0.005)


async def reconnect_and_retry(senders: list[SteadySender], server: ServerProcess) -> None:
    for sender in senders:
        await sender.connect(server.url)
    await asyncio.gather(*(sender.retry_unacked() for sender in senders))


async def rest_messages(server: ServerProcess, tokens: Tokens, conversation_id: str) -> list[Any]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        return await Api(http, tokens).all_messages(conversation_id)


async def test_sigkill_with_sends_in_flight_loses_no_acked_message_and_stores_none_twice(
    db_url: str,
    server_factory: ServerFactory,
    tokens: Tokens,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kind = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    database = Database(kind, db_url)
    server = server_factory(db_url, **SERVER_ENV)
    users = [new_user("crash") for _ in range(3)]
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        scene = await make_scene(Api(http, tokens), participants=users)
    transports = [["websocket"], ["websocket"], ["polling"]]
    senders = [
        SteadySender(user, tokens.user(user), scene.conversation_id, transport)
        for user, transport in zip(users, transports, strict=True)
    ]
    for sender in senders:
        await sender.connect(server.url)

    in_flight_at_kills: list[int] = []
    for cycle in range(KILL_CYCLES):
        pumps = [asyncio.create_task(sender.pump()) for sender in senders]
        await wait_until_killable(senders, ACKS_PER_CYCLE * (cycle + 1))
        # No await between the snapshot and the kill: these sends were emitted and are unacked.
        in_flight = sum(len(sender.in_flight) for sender in senders)
        server.kill()
        in_flight_at_kills.append(in_flight)
        assert in_flight >= 1
        for pump in pumps:
            pump.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)
        for sender in senders:
            await sender.drop()
        server = server_factory(db_url, **SERVER_ENV)
        await reconnect_and_retry(senders, server)

    stored = await database.messages(scene.conversation_id)
    by_key = Counter((row["sender_id"], row["client_nonce"]) for row in stored)
    duplicated = sum(n - 1 for n in by_key.values())
    assert duplicated == 0, [key for key, n in by_key.items() if n > 1]
    assert [row["seq"] for row in stored] == list(range(1, len(stored) + 1))
    rows = {(row["sender_id"], row["client_nonce"]): row for row in stored}
    lost = 0
    for sender in senders:
        # Every send ever made was acknowledged in the end (retries included) …
        assert set(sender.acked) == set(sender.texts)
        for nonce, ids in sender.acked.items():
            # … always with the same message, which is stored once with the sent content.
            assert len(ids) == 1, (nonce, ids)
            row = rows.get((sender.user, nonce))
            if row is None or row["id"] not in ids:
                lost += 1
                continue
            assert row["text"] == sender.texts[nonce]
            assert message_view(sender.ack_messages[nonce]) == row
    assert lost == 0
    assert len(stored) == sum(len(sender.texts) for sender in senders)

    for sender in senders:
        synced = await sender.sync()
        assert [message_view(m) for m in synced] == stored
        await sender.drop()
    via_rest = await rest_messages(server, tokens, scene.conversation_id)
    assert [message_view(m) for m in via_rest] == stored

    line = (
        f"crash-test {kind}: sent={sum(len(s.texts) for s in senders)} "
        f"acked={sum(len(s.acked) for s in senders)} retried={sum(s.retried for s in senders)} "
        f"stored={len(stored)} lost={lost} duplicated={duplicated} "
        f"kills={KILL_CYCLES} in_flight_at_kills={in_flight_at_kills}"
    )
    print(line)
    with capsys.disabled():
        print(f"\n{line}")
