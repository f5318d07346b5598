"""A real uvicorn in the test's own event loop, for tests that look inside the server process
(its protocol objects, the garbage collector), and a bare Socket.IO handshake against it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import uvicorn
import websockets

WAIT_S = 10.0
"""How long :func:`until` waits before it fails the test."""


async def until(condition: Callable[[], object]) -> None:
    """Wait until ``condition()`` is true (polled: the server under test offers no event)."""
    async with asyncio.timeout(WAIT_S):
        while not condition():  # noqa: ASYNC110 - polled state of the server under test
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def running_uvicorn(config: uvicorn.Config) -> AsyncIterator[uvicorn.Server]:
    """Serve ``config`` in this loop until the block ends."""
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await until(lambda: server.started)
    try:
        yield server
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def socketio_connected(url: str) -> AsyncIterator[str]:
    """A websocket through engine.io's OPEN and a Socket.IO CONNECT without auth; yields the
    server's reply to the CONNECT, and closes the websocket when the block ends."""
    async with websockets.connect(url) as ws:
        assert (await ws.recv()).startswith("0")  # engine.io OPEN
        await ws.send("40")  # Socket.IO CONNECT
        reply = await ws.recv()
        assert isinstance(reply, str)
        yield reply
