"""New connections start a few per turn of the event loop (``handshake_pacing``): the gate keeps
order and its per-turn share, and uvicorn behind the paced protocol serves every connection of
a burst, including ones that give up while they wait."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import socketio
import uvicorn

from chinwag.transport.limits.handshake_pacing import TurnGate, paced_http_protocol
from tests.support.inloop import running_uvicorn, socketio_connected
from tests.support.net import LOCALHOST, free_port


async def test_the_gate_runs_its_share_per_turn_in_arrival_order() -> None:
    gate = TurnGate(per_turn=2)
    turn = 0
    ran: list[tuple[int, int]] = []

    def count_turns() -> None:
        nonlocal turn
        turn += 1
        if turn < 10:
            asyncio.get_running_loop().call_soon(count_turns)

    asyncio.get_running_loop().call_soon(count_turns)
    for k in range(7):
        if gate.admit_now():
            ran.append((k, turn))
        else:
            gate.later(lambda k=k: ran.append((k, turn)))
    assert gate.waiting == 5
    while gate.waiting or len(ran) < 7:  # noqa: ASYNC110 - the gate runs on loop turns
        await asyncio.sleep(0)
    assert [k for k, _ in ran] == list(range(7))
    per_turn: dict[int, int] = {}
    for _, at in ran:
        per_turn[at] = per_turn.get(at, 0) + 1
    assert max(per_turn.values()) <= 2
    assert len(per_turn) >= 4  # 7 callbacks, 2 a turn


@pytest.fixture
async def paced_server() -> AsyncIterator[tuple[int, socketio.AsyncServer]]:
    """A real uvicorn serving python-socketio through the paced protocol, one start a turn."""
    sio = socketio.AsyncServer(async_mode="asgi")
    port = free_port()
    config = uvicorn.Config(
        socketio.ASGIApp(sio),
        host=LOCALHOST,
        port=port,
        log_level="warning",
        lifespan="off",
        http=paced_http_protocol(TurnGate(per_turn=1)),
    )
    async with running_uvicorn(config):
        yield port, sio


async def _handshake(url: str) -> str:
    async with socketio_connected(url) as reply:
        return reply


async def test_a_burst_of_connections_is_served_in_full(
    paced_server: tuple[int, socketio.AsyncServer],
) -> None:
    port, _ = paced_server
    url = f"ws://{LOCALHOST}:{port}/socket.io/?EIO=4&transport=websocket"
    # Some give up before the gate lets them in: the server must not mind.
    quitters = []
    for _ in range(10):
        raw = socket.create_connection((LOCALHOST, port))
        raw.sendall(b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n")
        quitters.append(raw)
    replies = asyncio.gather(*(_handshake(url) for _ in range(40)))
    for raw in quitters:
        raw.close()
    assert all(reply.startswith("40") for reply in await asyncio.wait_for(replies, 30))
    # Plain HTTP still works after the burst (long-polling handshake).
    reader, writer = await asyncio.open_connection(LOCALHOST, port)
    writer.write(b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n")
    status = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    assert status.startswith(b"HTTP/1.1 200")
