"""The browser pages served beside the API: the ``/demo`` web client and the docs console.

Both are static files (HTML, CSS and a JavaScript bundle built from ``clients/`` by ``make web``
and committed), so they work offline and load nothing from a CDN. The only dynamic route is
``/demo/config.json``: it tells the page whether the server runs with ``--demo`` and, only then,
offers the demo users' tokens. Without ``--demo`` no route hands a token to anybody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

__all__ = ["STATIC", "DemoUsers", "routes"]

STATIC = Path(__file__).resolve().parent / "static"


@dataclass
class DemoUsers:
    """Demo users the page may offer, ``{user id: token}``; empty unless serving with ``--demo``."""

    tokens: dict[str, str] = field(default_factory=dict)


def routes(demo: DemoUsers) -> list[BaseRoute]:
    """The routes of the demo page and the docs console."""

    async def config(request: Request) -> Response:
        users = [{"userId": user, "token": token} for user, token in demo.tokens.items()]
        # no-store: a token must not outlive the page in a shared cache.
        return JSONResponse(
            {"demo": bool(users), "users": users}, headers={"cache-control": "no-store"}
        )

    return [
        Route("/demo/config.json", config, methods=["GET"]),
        Mount("/demo", app=StaticFiles(directory=STATIC / "demo", html=True), name="demo"),
        Mount(
            "/docs/console",
            app=StaticFiles(directory=STATIC / "console", html=True),
            name="console",
        ),
    ]
