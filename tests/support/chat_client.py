"""``ChatClient``: a python-socketio ``AsyncClient`` that records and contract-checks everything it
receives (through its ``Inbox``) and speaks the chat protocol's requests and replies.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import socketio

from tests.support.contract import REPLIES, Payload, contract
from tests.support.inbox import BARRIER_EVENT, DEFAULT_TIMEOUT, Inbox


class ConnectRefused(Exception):
    """The server refused the Socket.IO connection (the client saw connect_error)."""

    def __init__(self, data: Any) -> None:
        super().__init__(f"connection refused: {data!r}")
        self.data = data


@dataclass
class ChatClient(Inbox):
    """A python-socketio ``AsyncClient`` that records and contract-checks everything it receives."""

    user_id: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.connect_error: Any = None
        self.disconnected = asyncio.Event()
        self.sio.on("*", self._on_any)
        self.sio.on("connect_error", self._on_connect_error)
        self.sio.on("disconnect", self._on_disconnect)

    def _on_connect_error(self, data: Any = None) -> None:
        self.connect_error = data

    def _on_disconnect(self, *reason: Any) -> None:
        self.disconnected.set()
        self._wake()

    # -- connection ---------------------------------------------------------------------------

    async def connect(
        self, url: str, token: str | None = None, transports: Sequence[str] | None = None
    ) -> None:
        """Connect (with ``auth: {token}`` when given); raise ConnectRefused on connect_error."""
        try:
            await self.sio.connect(
                url,
                auth={"token": token} if token is not None else None,
                transports=list(transports) if transports else None,
                wait_timeout=DEFAULT_TIMEOUT,
            )
        except socketio.exceptions.ConnectionError as exc:
            if self.connect_error is not None:
                raise ConnectRefused(self.connect_error) from exc
            raise

    async def disconnect(self) -> None:
        """Close the socket (a no-op when already closed)."""
        await self.sio.disconnect()

    @property
    def connected(self) -> bool:
        """Whether the socket is open."""
        return bool(self.sio.connected) and not self.disconnected.is_set()

    @property
    def transport(self) -> str | None:
        """The current engine.io transport (``polling`` or ``websocket``)."""
        return self.sio.transport()  # type: ignore[no-any-return]

    # -- sending ------------------------------------------------------------------------------

    async def emit(self, event: str, payload: Any = None) -> int:
        """Emit without waiting; returns the log position to pass as ``since``."""
        mark = len(self.log)
        if payload is None:
            await self.sio.emit(event)
        else:
            await self.sio.emit(event, payload)
        return mark

    async def request(
        self,
        event: str,
        payload: Any,
        expect: Sequence[str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> tuple[str, Any]:
        """Emit ``event`` and wait for its reply (``expect``: the declared replies by default).

        The reply is matched to the request by tempId, conversationId/campaignId and, for
        ``chat:error``, the failed ``event``. Returns ``(reply_event, payload)``.
        """
        replies = tuple(expect or REPLIES.get(event, ("chat:error",)))
        mark = await self.emit(event, payload)
        return await self._wait(replies, self._correlates(event, payload), timeout, mark)

    def _correlates(self, event: str, request: Any) -> Callable[[Any], bool]:
        req = request if isinstance(request, dict) else {}

        def match(reply: Any) -> bool:
            if not isinstance(reply, dict):
                return False
            # chat:error names the request that failed.
            if "event" in reply and reply["event"] != event:
                return False
            for key in ("tempId", "conversationId", "campaignId"):
                if isinstance(req.get(key), str) and key in reply and reply[key] != req[key]:
                    return False
            reader = reply.get("readerId")
            return not (event == "chat:read" and reader and self.user_id and reader != self.user_id)

        return match

    async def call(
        self,
        event: str,
        payload: Any,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> Any:
        """Emit with an acknowledgement callback; return (and contract-check) what it got."""
        args: list[Any] = []
        done = asyncio.get_running_loop().create_future()

        def callback(*data: Any) -> None:
            args.extend(data)
            if not done.done():
                done.set_result(None)

        await self.sio.emit(event, payload, callback=callback)
        await asyncio.wait_for(done, timeout)
        problems = contract().ack_errors(event, args)
        assert not problems, "\n".join(problems)
        return args[0]

    async def barrier(self, timeout: float = DEFAULT_TIMEOUT) -> None:  # noqa: ASYNC109
        """A round trip: everything the server queued for this socket before now has arrived."""
        tag = uuid.uuid4().hex
        await self.request(BARRIER_EVENT, {"tempId": tag}, ("chat:error",), timeout)

    # -- protocol shortcuts -------------------------------------------------------------------

    async def authenticate(self, token: str) -> str:
        """``authenticate`` and expect ``authenticated``; returns the userId."""
        name, reply = await self.request("authenticate", {"token": token})
        assert name == "authenticated", f"[{self.name}] authenticate failed: {reply!r}"
        self.user_id = reply["userId"]
        return str(reply["userId"])

    async def ok(self, event: str, payload: Payload) -> Payload:
        """Request and expect the success reply; returns its payload."""
        name, reply = await self.request(event, payload)
        assert name == REPLIES[event][0], f"[{self.name}] {event} {payload!r} → {name} {reply!r}"
        return dict(reply)

    async def fails(self, event: str, payload: Any, code: str) -> Payload:
        """Request and expect ``chat:error`` with ``code``; returns its payload."""
        name, reply = await self.request(event, payload)
        assert name == "chat:error", f"[{self.name}] {event} {payload!r} → {name} {reply!r}"
        assert reply["code"] == code, f"[{self.name}] {event}: expected {code}, got {reply!r}"
        assert reply["event"] == event
        return dict(reply)

    async def join(self, conversation_id: str) -> None:
        """``chat:join`` and expect ``chat:joined``."""
        await self.ok("chat:join", {"conversationId": conversation_id})

    async def work_join(self, campaign_id: str) -> None:
        """``work:join`` and expect ``work:joined``."""
        await self.ok("work:join", {"campaignId": campaign_id})

    async def send(self, conversation_id: str, text: str | None = "hello", **extra: Any) -> Payload:
        """``chat:send`` and expect ``chat:ack``; returns the stored message."""
        payload: Payload = {
            "tempId": extra.pop("tempId", f"tmp-{uuid.uuid4().hex[:8]}"),
            "conversationId": conversation_id,
            "clientNonce": extra.pop("clientNonce", f"n-{uuid.uuid4().hex}"),
        }
        if text is not None:
            payload["text"] = text
        payload |= extra
        ack = await self.ok("chat:send", payload)
        assert ack["tempId"] == payload["tempId"]
        return dict(ack["message"])
