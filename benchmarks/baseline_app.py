"""The baseline's handlers and routes: chinwag's events and REST shapes with no business logic.

State (campaigns, conversations, seq counters) lives in dicts; nothing is validated or stored.
"""

from __future__ import annotations

import itertools
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt
import orjson
import socketio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from benchmarks.baseline_json import JSONResponse, OrjsonModule

#: Redis connections the baseline's manager may open (redis-py's default is 100).
REDIS_MAX_CONNECTIONS = 1000


def _timestamp() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


@dataclass
class Conversation:
    """What the baseline remembers about a conversation: enough to address its rooms."""

    id: str
    campaign_id: str
    participant_ids: list[str]
    seqs: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


class BaselineServer:
    """python-socketio handlers and REST routes mirroring chinwag's wire behaviour."""

    def __init__(self, secret: str, redis_url: str | None, max_http_buffer_size: int) -> None:
        self.secret = secret
        # redis-py's pool holds at most 100 connections by default; past 100 concurrent publishes
        # python-socketio logs "Cannot publish to redis... retrying (Too many connections)" and
        # reconnects, which collapses throughput. The baseline should be bare, not broken.
        manager = (
            socketio.AsyncRedisManager(
                redis_url, redis_options={"max_connections": REDIS_MAX_CONNECTIONS}
            )
            if redis_url
            else None
        )
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=manager,
            json=OrjsonModule(),
            cors_allowed_origins="*",
            max_http_buffer_size=max_http_buffer_size,
            logger=False,
            engineio_logger=False,
        )
        self.users: dict[str, str] = {}
        self.conversations: dict[str, Conversation] = {}
        self.sio.on("connect", self.on_connect)
        self.sio.on("disconnect", self.on_disconnect)
        self.sio.on("chat:join", self.on_join)
        self.sio.on("chat:send", self.on_send)

    # -- Socket.IO ------------------------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        """Verify the handshake token, join the user room, announce ``authenticated``."""
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            claims = jwt.decode(str(token), self.secret, algorithms=["HS256"])
        except jwt.PyJWTError:
            raise socketio.exceptions.ConnectionRefusedError(
                "bad token", {"code": "invalid_token"}
            ) from None
        user_id = str(claims["sub"])
        self.users[sid] = user_id
        await self.sio.enter_room(sid, f"user:{user_id}")
        # Like chinwag: from a task, so it leaves after the CONNECT packet.
        self.sio.start_background_task(self._announce, sid, user_id)

    async def _announce(self, sid: str, user_id: str) -> None:
        await self.sio.emit("authenticated", {"userId": user_id}, to=sid)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        """Forget the socket."""
        self.users.pop(sid, None)

    async def on_join(self, sid: str, data: dict[str, Any]) -> None:
        """``chat:join``: enter the room, reply ``chat:joined``."""
        conversation_id = data["conversationId"]
        await self.sio.enter_room(sid, f"room:{conversation_id}")
        await self.sio.emit("chat:joined", {"conversationId": conversation_id}, to=sid)

    async def on_send(self, sid: str, data: dict[str, Any]) -> None:
        """``chat:send``: ack the sender, ``chat:new`` to the room, list updates to the users."""
        conversation = self.conversations[data["conversationId"]]
        message = {
            "id": str(uuid.uuid4()),
            "conversation_id": conversation.id,
            "seq": next(conversation.seqs),
            "sender_id": self.users.get(sid),
            "kind": "user",
            "text": data.get("text"),
            "attachments": data.get("attachments", []),
            "action_data": None,
            "client_nonce": data["clientNonce"],
            "created_at": _timestamp(),
        }
        await self.sio.emit("chat:ack", {"tempId": data["tempId"], "message": message}, to=sid)
        await self.sio.emit(
            "chat:new", {"message": message}, to=f"room:{conversation.id}", skip_sid=sid
        )
        rooms = [f"user:{u}" for u in conversation.participant_ids]
        rooms.append(f"room:work:{conversation.campaign_id}")
        await self.sio.emit(
            "conversation_list_updated",
            {"conversation_id": conversation.id, "message": message, "action": "new_message"},
            to=rooms,
        )

    # -- REST -----------------------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        """``GET /health``."""
        return JSONResponse({"status": "ok", "pid": os.getpid()})

    async def create_campaign(self, request: Request) -> Response:
        """``POST /api/campaigns``: only an id is kept."""
        body = orjson.loads(await request.body())
        return JSONResponse(
            {"id": str(uuid.uuid4()), "name": body.get("name"), "member_ids": []}, 201
        )

    async def create_conversation(self, request: Request) -> Response:
        """``POST /api/conversations``: remember the participants and campaign.

        An ``id`` in the body (baseline only) registers a conversation another baseline process
        created: with no shared database, that is how a second process learns it.
        """
        body = orjson.loads(await request.body())
        conversation = Conversation(
            str(body.get("id") or uuid.uuid4()), body["campaign_id"], list(body["participant_ids"])
        )
        self.conversations[conversation.id] = conversation
        return JSONResponse({"id": conversation.id}, 201)

    async def automated_message(self, request: Request) -> Response:
        """``POST /api/conversations/{id}/automated-messages``: one ``chat:automated`` room emit."""
        conversation = self.conversations[request.path_params["conversationId"]]
        body = orjson.loads(await request.body())
        message = {
            "id": str(uuid.uuid4()),
            "conversation_id": conversation.id,
            "seq": next(conversation.seqs),
            "sender_id": None,
            "kind": "automated",
            "text": body.get("text"),
            "attachments": [],
            "action_data": None,
            "client_nonce": None,
            "created_at": _timestamp(),
        }
        await self.sio.emit(
            "chat:automated",
            {"message": message, "reason": body.get("reason")},
            to=f"room:{conversation.id}",
        )
        return JSONResponse(message, 201)

    def app(self) -> Starlette:
        """The ASGI app: the REST subset the benchmarks use, Socket.IO at ``/socket.io``."""
        return Starlette(
            routes=[
                Route("/health", self.health, methods=["GET"]),
                Route("/api/campaigns", self.create_campaign, methods=["POST"]),
                Route("/api/conversations", self.create_conversation, methods=["POST"]),
                Route(
                    "/api/conversations/{conversationId}/automated-messages",
                    self.automated_message,
                    methods=["POST"],
                ),
                Mount("/socket.io", app=socketio.ASGIApp(self.sio, socketio_path="socket.io")),
            ]
        )
