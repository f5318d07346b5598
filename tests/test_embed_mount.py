"""chinwag mounted under /chat in an existing FastAPI app and an existing Starlette app.

The host runs chinwag's lifespan inside its own, keeps its own routes, and uses the in-process
socketEmitter from one of them. Real uvicorn on 127.0.0.1, real Socket.IO clients on both
transports.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from chinwag.app import create_app
from chinwag.config import Settings
from chinwag.embed import SocketEmitter, chinwag_lifespan
from contract_tests.serve import serve_app

pytest.register_assert_rewrite("tests.support.client")

from tests.support.client import Api, ChatClient, Tokens, new_user  # noqa: E402
from tests.support.net import free_port  # noqa: E402

pytestmark = pytest.mark.timeout(120)

PREFIX = "/chat"


def _host(kind: str, settings: Settings) -> Any:
    """A host application of ``kind`` with chinwag under ``/chat`` and two routes of its own."""
    chat = create_app(settings)
    emitter = SocketEmitter.for_app(chat)
    started: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        async with chinwag_lifespan(chat):
            started.append("chinwag")
            yield

    async def home(request: Request) -> JSONResponse:
        return JSONResponse({"host": kind, "started": started})

    async def notify(request: Request) -> JSONResponse:
        body = await request.json()
        message = await emitter.post_automated_message(
            body["conversation_id"], text=body["text"], reason="host"
        )
        await emitter.emit_to_user(
            body["user_id"],
            "conversation_list_updated",
            {
                "conversation_id": body["conversation_id"],
                "message": None,
                "action": "status_changed",
            },
        )
        return JSONResponse(message.model_dump(mode="json"))

    if kind == "fastapi":
        fastapi_app = FastAPI(lifespan=lifespan)
        fastapi_app.get("/")(home)
        fastapi_app.get("/health")(home)  # the host's own; serve_app waits for it
        fastapi_app.post("/notify")(notify)
        fastapi_app.mount(PREFIX, chat)
        return fastapi_app
    return Starlette(
        routes=[
            Route("/", home),
            Route("/health", home),
            Route("/notify", notify, methods=["POST"]),
            Mount(PREFIX, app=chat),
        ],
        lifespan=lifespan,
    )


@pytest.fixture(params=["fastapi", "starlette"])
def host_url(request: pytest.FixtureRequest, tmp_path: Path, jwt_secret: str) -> Iterator[str]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'host.db'}",
        jwt_secret=jwt_secret,
        rate_limit_socket=0,
        rate_limit_user=0,
        shutdown_deadline_s=1,
    )
    with serve_app(_host(request.param, settings), free_port()) as (url, _stop):
        yield url


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_chinwag_mounted_under_a_prefix_serves_rest_sockets_and_the_hosts_emitter(
    host_url: str, jwt_secret: str, transport: str
) -> None:
    tokens = Tokens(jwt_secret)
    alice = new_user("alice")
    async with httpx.AsyncClient(base_url=host_url, timeout=30) as http:
        home = (await http.get("/")).json()
        assert home["started"] == ["chinwag"]  # chinwag started inside the host's lifespan
        assert (await http.get(f"{PREFIX}/health")).json()["status"] == "ok"
    async with httpx.AsyncClient(base_url=host_url + PREFIX, timeout=30) as http:
        api = Api(http, tokens)
        campaign = await api.create_campaign([])
        conversation = await api.create_conversation(campaign["id"], [alice], "automated")
    cid = conversation["id"]

    client = ChatClient("alice")
    await client.sio.connect(
        host_url,
        socketio_path=f"{PREFIX.strip('/')}/socket.io",
        transports=[transport],
        wait_timeout=10,
    )
    try:
        await client.authenticate(tokens.user(alice))
        await client.ok("chat:join", {"conversationId": cid})
        async with httpx.AsyncClient(base_url=host_url, timeout=30) as http:
            answer = await http.post(
                "/notify", json={"conversation_id": cid, "text": "hello", "user_id": alice}
            )
        assert answer.status_code == 200, answer.text
        message = answer.json()
        assert (message["seq"], message["kind"], message["text"]) == (1, "automated", "hello")
        automated = await client.wait_for("chat:automated")
        assert automated == {"message": message, "reason": "host"}
        emitted = await client.wait_for(
            "conversation_list_updated", lambda p: p["action"] == "status_changed"
        )
        assert emitted["conversation_id"] == cid
    finally:
        await client.disconnect()
    client.check()
