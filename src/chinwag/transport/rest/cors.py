"""CORS for the REST API and the ops routes (``CHINWAG_CORS_ORIGINS``).

Socket.IO answers CORS itself (python-engineio's ``cors_allowed_origins``, same setting), so
its requests pass untouched; everything else gets Starlette's ``CORSMiddleware``. Tokens travel
in the ``Authorization`` header, never in cookies, so credentials are not allowed.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

SOCKETIO_PREFIX = "/socket.io"


class RestCORS:
    """``CORSMiddleware`` for every HTTP path but Socket.IO's."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PATCH", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"][len(scope.get("root_path", "")) :]
            if not path.startswith(SOCKETIO_PREFIX):
                await self.cors(scope, receive, send)
                return
        await self.app(scope, receive, send)
