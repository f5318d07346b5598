"""A soak user: a mix of chat work with reconnects, on one python-socketio client in this process.

A client never disconnects while a ``chat:send`` is waiting for its ack (reconnects happen between
operations), and a send that times out is retried with the same ``clientNonce`` on a fresh socket,
so the acknowledged message ids are exactly the rows the server must have stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from typing import Any

import socketio

from benchmarks.soak_counters import Counters

#: Per request; the load is light, so a reply slower than this is an error worth counting.
REQUEST_TIMEOUT_S = 10.0
#: A send is tried on at most this many sockets (same clientNonce) before it counts as lost.
SEND_ATTEMPTS = 3
#: A clean disconnect gets this long before its connection is closed anyway.
DISCONNECT_WAIT_S = 0.3
#: chat:sync pages per catch-up, at most.
SYNC_PAGES = 5
#: Operation mix of a user client (relative weights).
MIX = {"send": 60, "read": 15, "sync": 15, "reconnect": 4, "idle": 6}


class UserClient:
    """One user: authenticates, joins its conversation, then sends, reads, syncs and reconnects."""

    def __init__(
        self, url: str, token: str, conversation_id: str, counters: Counters, seed: int
    ) -> None:
        self.url = url
        self.token = token
        self.conversation_id = conversation_id
        self.counters = counters
        self.rng = random.Random(seed)
        self.sio: socketio.AsyncClient | None = None
        self.last_seq = 0
        self.last_message_id: str | None = None
        self._authenticated = asyncio.Event()

    # -- connection -------------------------------------------------------------------------------

    def _seen(self, message: dict[str, Any]) -> None:
        if message.get("seq", 0) > self.last_seq:
            self.last_seq = int(message["seq"])
            self.last_message_id = str(message["id"])

    async def connect(self) -> None:
        """A fresh socket on a random transport and auth style, joined and caught up."""
        sio = socketio.AsyncClient(reconnection=False)
        self._authenticated = asyncio.Event()
        sio.on("chat:new", lambda data: self._seen(data["message"]))
        sio.on("chat:automated", lambda data: self._seen(data["message"]))
        sio.on("authenticated", lambda data: self._authenticated.set())
        transport = self.rng.choice(["websocket", "polling"])
        handshake = self.rng.random() < 0.5
        await sio.connect(
            self.url,
            auth={"token": self.token} if handshake else None,
            transports=[transport],
            wait_timeout=REQUEST_TIMEOUT_S,
        )
        self.sio = sio
        if handshake:
            await asyncio.wait_for(self._authenticated.wait(), REQUEST_TIMEOUT_S)
        else:
            await self._call("authenticate", {"token": self.token})
        await self._call("chat:join", {"conversationId": self.conversation_id})
        await self.sync()

    async def drop(self, abrupt: bool) -> None:
        """Close the socket: a clean disconnect, or the connection cut with no goodbye."""
        sio, self.sio = self.sio, None
        if sio is None:
            return
        http = sio.eio.http
        if not abrupt and sio.connected:
            # python-engineio's disconnect waits for the pending long-poll, which the server
            # answers only with its next ping (up to 25 s later); a browser aborts it instead.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sio.disconnect(), DISCONNECT_WAIT_S)
        if http is not None and not http.closed:
            # Abruptly: closing the HTTP session kills its connections (the websocket or the
            # long-poll) without a Socket.IO or engine.io close; the server finds out alone.
            await http.close()
        for _ in range(50):
            if not sio.connected:
                break
            await asyncio.sleep(0.02)

    async def reconnect(self) -> None:
        """Drop the socket (a third of the time abruptly) and connect again."""
        await self.drop(abrupt=self.rng.random() < 0.33)
        self.counters.reconnects += 1
        await self.connect()

    async def _call(self, event: str, payload: dict[str, Any]) -> Any:
        if self.sio is None or not self.sio.connected:
            raise ConnectionError("not connected")
        reply = await self.sio.call(event, payload, timeout=REQUEST_TIMEOUT_S)
        if isinstance(reply, dict) and "error" in reply:
            raise RuntimeError(f"{event} → {reply['error']}")
        return reply

    # -- operations -------------------------------------------------------------------------------

    async def send(self) -> None:
        """chat:send with a unique clientNonce; retried with the same nonce on a new socket."""
        nonce = uuid.uuid4().hex
        payload = {"conversationId": self.conversation_id, "clientNonce": nonce, "text": "soak"}
        self.counters.sent += 1
        for attempt in range(SEND_ATTEMPTS):
            started = time.perf_counter()
            try:
                ack = await self._call("chat:send", {**payload, "tempId": f"t{attempt}-{nonce}"})
            except (TimeoutError, socketio.exceptions.SocketIOError, ConnectionError) as exc:
                self.counters.error(f"chat:send attempt {attempt + 1}: {type(exc).__name__} {exc}")
                await self._ensure_fresh_socket()
                continue
            self.counters.latencies_ms.append((time.perf_counter() - started) * 1000)
            message = ack["message"]
            self.counters.acked += 1
            self.counters.acked_total += 1
            self.counters.acked_ids.setdefault(self.conversation_id, set()).add(message["id"])
            self._seen(message)
            return
        self.counters.lost += 1

    async def _ensure_fresh_socket(self) -> None:
        try:
            await self.drop(abrupt=False)
            await self.connect()
        except Exception as exc:
            self.counters.error(f"reconnect for retry: {type(exc).__name__} {exc}")

    async def read(self) -> None:
        """chat:read up to the newest message this client has seen."""
        if self.last_message_id is not None:
            await self._call(
                "chat:read",
                {"conversationId": self.conversation_id, "upToMessageId": self.last_message_id},
            )

    async def sync(self) -> None:
        """chat:sync from a little before the newest seq seen, a few pages at most."""
        after = max(0, self.last_seq - 20)
        for _ in range(SYNC_PAGES):
            page = await self._call(
                "chat:sync",
                {"conversationId": self.conversation_id, "afterSeq": after, "limit": 50},
            )
            for message in page["messages"]:
                self._seen(message)
                after = max(after, int(message["seq"]))
            if not page["hasMore"]:
                return

    async def run(self, stop: asyncio.Event, think_s: float, max_ops: int) -> None:
        """Operate until ``stop`` is set (or ``max_ops`` operations); always ends disconnected."""
        ops = list(MIX)
        weights = list(MIX.values())
        try:
            for _ in range(max_ops):
                if stop.is_set():
                    break
                try:
                    if self.sio is None or not self.sio.connected:
                        if self.sio is not None:
                            self.counters.error("socket closed by the server")
                            await self.drop(abrupt=False)
                        self.counters.reconnects += 1
                        await self.connect()
                    op = self.rng.choices(ops, weights)[0]
                    if op != "idle":
                        await getattr(self, op)()
                except Exception as exc:
                    self.counters.error(f"{type(exc).__name__}: {exc}")
                    await self.drop(abrupt=False)
                # Exponential think time: arrivals spread out instead of marching in step.
                pause = min(self.rng.expovariate(1 / think_s), 10 * think_s)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
        finally:
            await self.drop(abrupt=False)
