"""A closed websocket is freed by reference counting (fast path ``acyclic``): no uvicorn protocol,
no engine.io request environ is left for the garbage collector; and the copied
``translate_request`` builds what engine.io's own does."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from typing import Any

import engineio.async_drivers.asgi as engineio_asgi
import pytest
import socketio
import uvicorn

from chinwag.transport import fastpath
from chinwag.transport.fastpath import acyclic
from tests.support.inloop import running_uvicorn, socketio_connected, until
from tests.support.net import LOCALHOST, free_port

SOCKETS = 20


def _events(*events: dict[str, Any]) -> Any:
    queue = list(events)

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    return receive


SCOPES = [
    (
        {
            "type": "http",
            "method": "POST",
            "path": "/socket.io/",
            "query_string": b"EIO=4&transport=polling&sid=abc",
            "headers": [
                (b"content-type", b"text/plain"),
                (b"content-length", b"10"),
                (b"x-forwarded-proto", b"https"),
                (b"accept", b"a"),
                (b"accept", b"b"),
                (b"x-bad", b"\xff"),
            ],
        },
        [
            {"type": "http.request", "body": b"hello", "more_body": True},
            {"type": "http.request", "body": b"world", "more_body": False},
        ],
    ),
    (
        {
            "type": "websocket",
            "path": "/socket.io/",
            "query_string": b"EIO=4&transport=websocket",
            "headers": [(b"host", b"localhost")],
        },
        [{"type": "websocket.connect"}],
    ),
    ({"type": "http", "path": "/", "headers": []}, [{"type": "http.disconnect"}]),
]


@pytest.mark.parametrize(("scope", "events"), SCOPES)
async def test_translate_request_builds_engineios_environ(
    scope: dict[str, Any], events: list[dict[str, Any]]
) -> None:
    stock = await engineio_asgi.translate_request(scope, _events(*events), None)
    ours = await acyclic.translate_request(scope, _events(*events), None)
    stock_input, our_input = stock.pop("wsgi.input", None), ours.pop("wsgi.input", None)
    for environ in (stock, ours):  # each got its own copy of the events
        environ.pop("asgi.receive", None)
    assert ours == stock
    if scope["type"] == "http" and stock_input is not None:
        assert type(our_input) is acyclic.AwaitablePayload
        assert await our_input.read(3) == await stock_input.read(3)
        assert await our_input.read() == await stock_input.read()


@pytest.fixture
async def engineio_server() -> AsyncIterator[tuple[uvicorn.Server, socketio.AsyncServer]]:
    """A real uvicorn (httptools, websockets) serving python-socketio, fast path on."""
    assert fastpath.install()
    sio = socketio.AsyncServer(async_mode="asgi")
    config = uvicorn.Config(
        socketio.ASGIApp(sio),
        host=LOCALHOST,
        port=free_port(),
        log_level="warning",
        lifespan="off",
        http="httptools",
        ws="websockets-sansio",
    )
    async with running_uvicorn(config) as server:
        yield server, sio


def _protocols_in(objects: list[Any]) -> list[str]:
    names = ("HttpToolsProtocol", "WebSocketsSansIOProtocol", "AwaitablePayload", "AsyncSocket")
    return [type(o).__name__ for o in objects if type(o).__name__ in names]


async def test_closed_websockets_leave_no_reference_cycle(
    engineio_server: tuple[uvicorn.Server, socketio.AsyncServer],
) -> None:
    server, sio = engineio_server
    port = server.config.port
    closed = asyncio.Event()
    gone: list[str] = []

    @sio.event
    async def disconnect(sid: str, reason: Any) -> None:
        gone.append(sid)
        if len(gone) == SOCKETS:
            closed.set()

    url = f"ws://{LOCALHOST}:{port}/socket.io/?EIO=4&transport=websocket"
    gc.collect()
    gc.disable()  # nothing may be freed by a collection between here and the check
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(SOCKETS):
            async with socketio_connected(url) as reply:
                assert reply.startswith("40")
        await asyncio.wait_for(closed.wait(), 10)
        await until(lambda: not server.server_state.connections)
        gc.collect()
        left = _protocols_in(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == []


async def test_an_open_websocket_keeps_no_handshake_request_or_response(
    engineio_server: tuple[uvicorn.Server, socketio.AsyncServer],
) -> None:
    server, _ = engineio_server
    url = f"ws://{LOCALHOST}:{server.config.port}/socket.io/?EIO=4&transport=websocket"
    async with socketio_connected(url) as reply:
        assert reply.startswith("40")
        (protocol,) = [
            c
            for c in server.server_state.connections
            if type(c).__name__ == "WebSocketsSansIOProtocol"
        ]
        assert protocol.handshake_complete
        assert protocol.request is None and protocol.response is None
