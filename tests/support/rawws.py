"""Socket.IO v5 over one raw websocket (the ``websockets`` library), for transport-level tests.

python-socketio's client reads everything the server sends as fast as it can. This client reads
only when asked, so a test can stop reading and let TCP push back on the server (a slow
consumer), and it chooses whether to offer permessage-deflate. It speaks just enough of the
protocol: engine.io open and ping/pong, the Socket.IO CONNECT with ``auth``, events and acks.
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from tests.support.net import LOCALHOST

Json = Any


class RawSocketIO:
    """One Socket.IO connection on the websocket transport, read on demand."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[tuple[str, Json]] = []
        self._acks: dict[int, Json] = {}
        self._next_id = 1

    @classmethod
    async def open(
        cls,
        base_url: str,
        token: str,
        *,
        compression: str | None = None,
        receive_buffer: int | None = None,
    ) -> RawSocketIO:
        """Connect and authenticate; ``receive_buffer`` shrinks the socket's SO_RCVBUF."""
        host_port = base_url.removeprefix("http://")
        port = int(host_port.rsplit(":", 1)[1])
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.connect((LOCALHOST, port))
        sock.setblocking(False)
        ws = await connect(
            f"ws://{host_port}/socket.io/?EIO=4&transport=websocket",
            sock=sock,
            compression=compression,
            max_queue=1,
            ping_interval=None,
            close_timeout=0.5,  # an unread queue can hold back the server's close frame
        )
        client = cls(ws)
        opened = await client._read()
        assert opened.startswith("0"), opened
        await ws.send("40" + json.dumps({"token": token}))
        while True:
            packet = await client._read()
            if packet.startswith("40"):
                return client
            if packet.startswith("44"):
                raise ConnectionRefusedError(packet)
            client._take(packet)

    @property
    def negotiated_extensions(self) -> list[str]:
        """Names of the websocket extensions the server accepted."""
        return [ext.name for ext in self.ws.protocol.extensions]

    async def _read(self) -> str:
        while True:
            data = await self.ws.recv()
            assert isinstance(data, str), data
            if data == "2":  # engine.io ping
                await self.ws.send("3")
                continue
            return data

    def _take(self, packet: str) -> None:
        """File one engine.io message: a Socket.IO event or ack."""
        assert packet.startswith("4"), packet
        body = packet[1:]
        kind, rest = body[0], body[1:]
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        args = json.loads(rest)
        if kind == "2":
            self.events.append((args[0], args[1] if len(args) > 1 else None))
        elif kind == "3":
            self._acks[int(digits)] = args[0] if args else None

    async def call(self, event: str, payload: Json, timeout: float = 10) -> Json:  # noqa: ASYNC109
        """Emit with an ack id and read until the ack arrives (events meanwhile are kept)."""
        ack_id, self._next_id = self._next_id, self._next_id + 1
        await self.ws.send(f"42{ack_id}" + json.dumps([event, payload]))
        async with asyncio.timeout(timeout):
            while ack_id not in self._acks:
                self._take(await self._read())
        return self._acks.pop(ack_id)

    async def read_events(self, event: str, count: int, within: float = 30) -> list[Json]:
        """Read until ``count`` events named ``event`` are kept; return their payloads."""
        async with asyncio.timeout(within):
            while sum(1 for name, _ in self.events if name == event) < count:
                self._take(await self._read())
        return [payload for name, payload in self.events if name == event]

    async def close(self) -> None:
        """Close the websocket."""
        await self.ws.close()
