"""Socket.IO v5 over raw HTTP long-polling (httpx), for a client that stops polling.

python-socketio's client keeps a GET pending at all times. This one issues a GET only when a
test asks, so a test can stop polling and leave everything the server sends in its queue.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

Json = Any
SEPARATOR = "\x1e"  # engine.io v4 packet separator in a polling payload


class RawPolling:
    """One Socket.IO connection on the polling transport, polled on demand."""

    def __init__(self, http: httpx.AsyncClient, sid: str) -> None:
        self.http = http
        self.sid = sid
        self.events: list[tuple[str, Json]] = []
        self._acks: dict[int, Json] = {}
        self._next_id = 1

    @classmethod
    async def open(cls, http: httpx.AsyncClient, token: str) -> RawPolling:
        """Handshake on ``http`` (its base URL is the server) and connect with ``auth``."""
        response = await http.get("/socket.io/", params={"EIO": "4", "transport": "polling"})
        response.raise_for_status()
        opened = response.text
        assert opened.startswith("0"), opened
        client = cls(http, json.loads(opened[1:])["sid"])
        await client._post("40" + json.dumps({"token": token}))
        while True:
            for packet in await client.poll():
                if packet.startswith("40"):
                    return client
                if packet.startswith("44"):
                    raise ConnectionRefusedError(packet)
                client._take(packet)

    def _params(self) -> dict[str, str]:
        return {"EIO": "4", "transport": "polling", "sid": self.sid}

    async def _post(self, body: str) -> None:
        response = await self.http.post("/socket.io/", params=self._params(), content=body)
        response.raise_for_status()

    async def poll(self) -> list[str]:
        """One long-poll GET: the packets it returns (pings are answered, not returned).
        Raises ``httpx.HTTPStatusError`` when the server no longer knows the session."""
        response = await self.http.get("/socket.io/", params=self._params())
        response.raise_for_status()
        packets = []
        for packet in response.text.split(SEPARATOR):
            if packet == "2":
                await self._post("3")
            elif packet not in ("", "6"):  # 6: a noop
                packets.append(packet)
        return packets

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

    async def call(self, event: str, payload: Json) -> Json:
        """Emit with an ack id and poll until the ack arrives (events meanwhile are kept)."""
        ack_id, self._next_id = self._next_id, self._next_id + 1
        await self._post(f"42{ack_id}" + json.dumps([event, payload]))
        while ack_id not in self._acks:
            for packet in await self.poll():
                self._take(packet)
        return self._acks.pop(ack_id)
