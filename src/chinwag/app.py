"""The ASGI application: REST under /api, Socket.IO at /socket.io, docs and contracts."""

from __future__ import annotations

import contextlib
import importlib.resources
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from chinwag.bootstrap import HandlersFactory, Runtime, build_runtime
from chinwag.config import Settings
from chinwag.handlers.rest import RestHandlers
from chinwag.services.membership import MembershipProvider
from chinwag.storage import migrate
from chinwag.transport.rest.cors import RestCORS
from chinwag.transport.rest.routes import RestApi
from chinwag.transport.socketio.rooms import OutboundFilter
from chinwag.webclient import DemoUsers
from chinwag.webclient import routes as web_routes

REPO_DOCS = Path(__file__).resolve().parents[2] / "docs" / "protocol.html"

StartupHook = Callable[[Runtime], Awaitable[None]]


def _contract_file(name: str) -> bytes:
    return importlib.resources.files("chinwag_contract").joinpath(name).read_bytes()


async def _openapi(request: Request) -> Response:
    return Response(_contract_file("openapi.json"), media_type="application/json")


async def _asyncapi(request: Request) -> Response:
    return Response(_contract_file("asyncapi.json"), media_type="application/json")


async def _docs(request: Request) -> Response:
    resource = importlib.resources.files("chinwag_contract").joinpath("protocol.html")
    if resource.is_file():
        return HTMLResponse(resource.read_text())
    if REPO_DOCS.is_file():
        return HTMLResponse(REPO_DOCS.read_text())
    return HTMLResponse("<h1>chinwag</h1><p>Docs not generated: run make docs.</p>", 404)


class ChinwagApp(Starlette):
    """Starlette, with websocket connections routed around the middleware stack.

    Starlette's exception middleware wraps ``send`` for every websocket; our only websocket
    route is Socket.IO, which needs none of it, and handing engine.io the server's own
    ``send`` lets it write frames directly (see :mod:`chinwag.transport.fastpath.direct_ws`).
    HTTP requests take the full stack.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope["app"] = self
            await self.router(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    *,
    handlers_factory: HandlersFactory | None = None,
    outbound_filter: OutboundFilter | None = None,
    on_startup: StartupHook | None = None,
    run_migrations: bool = True,
    membership: MembershipProvider | None = None,
) -> Starlette:
    """Build chinwag's ASGI app; mount it anywhere, or serve it with uvicorn.

    ``handlers_factory`` swaps the socket handlers and ``outbound_filter`` rewrites every
    server→client emit: both exist for embedding and for the contract harness's tests.
    ``membership`` lets the host decide who may see what (``chinwag.services.membership``).
    The runtime is at ``app.state.runtime`` once built.
    """
    settings = settings or Settings()
    runtime = build_runtime(
        settings,
        handlers_factory=handlers_factory,
        outbound_filter=outbound_filter,
        membership=membership,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if run_migrations:
            await migrate(settings.database_url)
        await runtime.control.start()
        await runtime.limits.start()
        if runtime.webhooks is not None:
            await runtime.webhooks.start()
        if on_startup is not None:
            await on_startup(runtime)
        try:
            async with runtime.operations.running():
                yield
        finally:
            if runtime.webhooks is not None:
                await runtime.webhooks.stop()
            await runtime.limits.stop()
            await runtime.control.stop()
            if runtime.membership is not None:
                await runtime.membership.close()
            await runtime.database.close()

    rest = RestApi(RestHandlers(runtime.services), runtime.services.tokens)
    # Filled by ``chinwag serve --demo`` only; see chinwag.webclient.
    demo_users = DemoUsers()
    app = ChinwagApp(
        routes=[
            *rest.routes(),
            *runtime.operations.routes(),
            Route("/openapi.json", _openapi, methods=["GET"]),
            Route("/asyncapi.json", _asyncapi, methods=["GET"]),
            Route("/docs", _docs, methods=["GET"]),
            *web_routes(demo_users),
            Mount("/socket.io", app=runtime.socketio_app),
        ],
        lifespan=lifespan,
        middleware=[Middleware(RestCORS, origins=settings.cors_origins)],
    )
    app.state.runtime = runtime
    app.state.demo_users = demo_users
    return app
