"""The Socket.IO edge: sessions, authentication, dispatch to the handlers, replies.

Every client→server event comes through :meth:`Gateway.handle`: rate limit, session check,
contract validation with the generated model, the handler, then the declared reply (as an
event, and as the acknowledgement when the client asked for one). Nothing a client sends
can raise past this point: bad input becomes a structured error reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import socketio
from pydantic import BaseModel, ValidationError

from chinwag.config import Settings
from chinwag.domain.principal import Principal
from chinwag.errors import (
    ChinwagError,
    Forbidden,
    Internal,
    InvalidPayload,
    InvalidToken,
    RateLimited,
    TooManySockets,
    Unauthenticated,
    Unavailable,
    UnknownEvent,
)
from chinwag.handlers.context import SocketContext
from chinwag.services.auth import TokenService
from chinwag.transport.error_replies import (
    auth_error_payload,
    chat_error_payload,
    error_body,
    from_validation_error,
)
from chinwag.transport.nul import reject_nul
from chinwag.transport.rooms import SocketIOTransport
from chinwag.transport.sessions import SessionRegistry, SocketState
from chinwag.transport.user_limits import UserLimits
from chinwag_contract.emitter import dump_payload, user_room
from chinwag_contract.handlers import ChinwagHandlers, ensure_implemented
from chinwag_contract.operations import INBOUND, Operation

log = logging.getLogger("chinwag.gateway")

# Lets a refused authenticate's reply and ack leave before the socket is closed.
DISCONNECT_GRACE_S = 0.2


class _Context:
    """:class:`SocketContext` for one socket."""

    __slots__ = ("gateway", "state")

    def __init__(self, gateway: Gateway, state: SocketState) -> None:
        self.gateway = gateway
        self.state = state

    @property
    def sid(self) -> str:
        return self.state.sid

    @property
    def principal(self) -> Principal | None:
        return self.state.principal

    async def authenticate(self, principal: Principal, expires_at: datetime) -> None:
        await self.gateway.bind(self.state, principal, expires_at)

    async def enter_room(self, room: str) -> None:
        await self.gateway.transport.add_to_room(self.state.sid, room)

    async def leave_room(self, room: str) -> None:
        await self.gateway.transport.remove_from_room(self.state.sid, room)


class Gateway:
    """Wires python-socketio events to the generated handler base."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        transport: SocketIOTransport,
        handlers: ChinwagHandlers[SocketContext],
        tokens: TokenService,
        settings: Settings,
        limits: UserLimits,
    ) -> None:
        ensure_implemented(handlers)
        self.sio = sio
        self.transport = transport
        self.handlers = handlers
        self.tokens = tokens
        self.settings = settings
        self.sessions = SessionRegistry(settings.rate_limit_socket)
        self.limits = limits
        self._tasks: set[asyncio.Future[None]] = set()
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.closing = False

    def install(self) -> None:
        """Register the connect/disconnect, contract and catch-all handlers."""
        self.sio.on("connect", self.on_connect)
        self.sio.on("disconnect", self.on_disconnect)
        for event, operation in INBOUND.items():
            self.sio.on(event, self._dispatcher(operation))
        self.sio.on("*", self.on_unknown_event)

    def _dispatcher(self, operation: Operation) -> Callable[..., Awaitable[Any]]:
        async def dispatch(sid: str, *args: Any) -> Any:
            return await self.handle(operation, sid, args)

        return dispatch

    # -- connection lifecycle -------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        """Accept the socket; a handshake token authenticates it or refuses the connection."""
        if self.closing:
            raise socketio.exceptions.ConnectionRefusedError(
                "Server is shutting down", {"code": "unavailable"}
            )
        state = self.sessions.open(sid)
        token = auth.get("token") if isinstance(auth, dict) else None
        if token is None:
            self._start_auth_deadline(state)
            return
        try:
            if not isinstance(token, str):
                raise InvalidToken("Token must be a string")
            verified = self.tokens.verify(token)
            await self.bind(state, verified.principal, verified.expires_at)
        except ChinwagError as err:
            self.sessions.close(sid)
            raise socketio.exceptions.ConnectionRefusedError(
                err.message, {"code": err.code}
            ) from None
        # Emitted from a task so it leaves after the CONNECT packet, not before it.
        user_id = verified.principal.user_id
        self.sio.start_background_task(self._announce, sid, user_id)

    async def _announce(self, sid: str, user_id: str) -> None:
        data = dump_payload("authenticated", {"userId": user_id})
        await self.transport.emit("authenticated", data, rooms=[sid])

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        """Forget the socket, and stop counting it for its user."""
        state = self.sessions.sockets.get(sid)
        principal = state.principal if state is not None else None
        self.sessions.close(sid)
        if principal is not None:
            await self.limits.release(principal.user_id, sid)

    async def bind(self, state: SocketState, principal: Principal, expires_at: datetime) -> None:
        """Authenticate ``state`` as ``principal`` (see :class:`SocketContext`)."""
        current = state.principal
        if current is not None and current.user_id != principal.user_id:
            raise Forbidden("This socket is authenticated as another user")
        if current is None:
            await self._admit(state, principal.user_id)
        else:
            self.sessions.unbind(state)
        state.cancel_timers()
        self.sessions.bind(state, principal, expires_at)
        await self.transport.add_to_room(state.sid, user_room(principal.user_id))
        delay = (expires_at - datetime.now(UTC)).total_seconds()
        loop = asyncio.get_running_loop()
        state.timers.append(
            loop.call_later(max(0.0, delay), self._spawn, self._expire, state.sid, expires_at)
        )

    async def _admit(self, state: SocketState, user_id: str) -> None:
        """Take one of the user's socket places (cluster-wide with Redis) for ``state``."""
        if not await self.limits.admit(user_id, state.sid):
            limit = self.settings.max_sockets_per_user
            raise TooManySockets(f"At most {limit} sockets per user")
        # The admission awaited: meanwhile the socket may have closed, or authenticated as
        # someone else; then nothing would ever release this place.
        if self.sessions.sockets.get(state.sid) is not state:
            await self.limits.release(user_id, state.sid)
            raise Unauthenticated("Socket is not connected")
        if state.principal is not None and state.principal.user_id != user_id:
            await self.limits.release(user_id, state.sid)
            raise Forbidden("This socket is authenticated as another user")

    def _start_auth_deadline(self, state: SocketState) -> None:
        deadline = self.settings.auth_deadline_s
        if deadline > 0:
            loop = asyncio.get_running_loop()
            state.timers.append(
                loop.call_later(deadline, self._spawn, self._enforce_deadline, state.sid)
            )

    def _spawn(self, fn: Callable[..., Awaitable[None]], *args: Any) -> None:
        # The coroutine is made only when the timer fires: a cancelled timer leaves none behind.
        task = asyncio.ensure_future(fn(*args))
        # The loop keeps only weak references to tasks: hold them until they finish.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _enforce_deadline(self, sid: str) -> None:
        state = self.sessions.sockets.get(sid)
        if state is not None and state.principal is None:
            await self.sio.disconnect(sid)

    async def _expire(self, sid: str, expires_at: datetime) -> None:
        """The token ran out: tell the socket, empty its rooms, make it authenticate again."""
        state = self.sessions.sockets.get(sid)
        if state is None or state.expires_at != expires_at:
            return
        for room in await self.transport.rooms_of(sid):
            if room != sid:
                await self.transport.remove_from_room(sid, room)
        user_id = state.principal.user_id if state.principal is not None else None
        self.sessions.unbind(state)
        if user_id is not None:
            await self.limits.release(user_id, sid)
        state.cancel_timers()
        self._start_auth_deadline(state)
        data = dump_payload("auth_error", {"message": "Token expired", "code": "token_expired"})
        await self.transport.emit("auth_error", data, rooms=[sid])

    async def shutdown(self, reason: str) -> None:
        """Finish in-flight events, announce, and close every socket, within the deadline.

        From the first moment, new events are refused with ``unavailable`` (nothing done, so
        a client retries them elsewhere with the same clientNonce): under continuous load the
        in-flight count would otherwise never reach zero, and a send handled after the drain
        could be stored without its ack reaching the client.
        """
        self.closing = True
        loop = asyncio.get_running_loop()
        end = loop.time() + self.settings.shutdown_deadline_s
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=max(0.0, end - loop.time()))
        except TimeoutError:
            log.error("shutdown deadline passed with %d event(s) in flight", self._in_flight)
        # Let the acknowledgement packets of the last handlers leave before the announcement.
        await asyncio.sleep(DISCONNECT_GRACE_S)
        sids = list(self.sessions.sockets)
        if sids:
            data = dump_payload("server:shutdown", {"reason": reason})
            await self.transport.emit("server:shutdown", data, rooms=sids)
        await self._close_sockets(max(0.5, end - loop.time()))

    async def _close_sockets(self, within_s: float) -> None:
        """Close every engine.io socket once its queued packets are out (within ``within_s``).

        Closing at the engine.io level (not a Socket.IO DISCONNECT) makes clients see a
        transport close and reconnect by themselves. Each close waits for its queue to drain
        so acks and ``server:shutdown`` are not cut off; a polling client that vanished never
        drains (no GET left to carry the packets), hence the bound.
        """
        eio = self.sio.eio
        closes = [
            asyncio.ensure_future(sock.close(reason=eio.reason.SERVER_DISCONNECT))
            for sock in list(eio.sockets.values())
        ]
        if not closes:
            return
        _done, pending = await asyncio.wait(closes, timeout=within_s)
        for task in pending:
            task.cancel()

    # -- events ---------------------------------------------------------------------------

    async def on_unknown_event(self, event: str, sid: str, *args: Any) -> Any:
        """Any event the contract does not declare."""
        err = UnknownEvent(f"Unknown event {event[:100]!r}")
        request = args[0] if len(args) == 1 else None
        await self._send_error_reply("chat:error", event, request, err, sid)
        return error_body(err)

    async def handle(self, operation: Operation, sid: str, args: tuple[Any, ...]) -> Any:
        """Run one client→server event and send its declared reply."""
        self._in_flight += 1
        self._idle.clear()
        try:
            return await self._handle(operation, sid, args)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def _handle(self, operation: Operation, sid: str, args: tuple[Any, ...]) -> Any:
        request = args[0] if len(args) == 1 else None
        state = self.sessions.sockets.get(sid)
        try:
            if state is None:
                raise Unauthenticated("Socket is not connected")
            if self.closing:
                raise Unavailable("Server is shutting down: reconnect and retry")
            wait = self.sessions.throttle(state)
            if not wait and state.principal is not None:
                wait = await self.limits.throttle(state.principal.user_id)
            if wait:
                raise RateLimited(f"Too many events, retry in {wait} ms", retry_after=wait)
            if operation.event != "authenticate" and state.principal is None:
                raise Unauthenticated("Authenticate first")
            if len(args) != 1:
                raise InvalidPayload(
                    "Expected exactly one payload argument",
                    details=[{"loc": [], "msg": "Expected one argument", "type": "arguments"}],
                )
            reject_nul(request)
            payload = operation.payload_model.model_validate(request)
            method = getattr(self.handlers, operation.handler_method or "")
            result: BaseModel = await method(_Context(self, state), payload)
            data = dump_payload(operation.success_reply or "", result)
        except ValidationError as exc:
            err: ChinwagError = from_validation_error(exc)
        except ChinwagError as exc:
            err = exc
        except Exception:
            log.exception("handler for %s failed", operation.event)
            err = Internal("Internal error")
        else:
            await self.transport.emit(operation.success_reply or "", data, rooms=[sid])
            return data
        await self._send_error_reply(operation.error_reply, operation.event, request, err, sid)
        if isinstance(err, TooManySockets) and operation.event == "authenticate":
            asyncio.get_running_loop().call_later(
                DISCONNECT_GRACE_S, self._spawn, self.sio.disconnect, sid
            )
        return error_body(err)

    async def _send_error_reply(
        self, reply: str | None, event: str, request: Any, err: ChinwagError, sid: str
    ) -> None:
        if reply == "auth_error":
            data = dump_payload("auth_error", auth_error_payload(err))
        else:
            reply = "chat:error"
            data = dump_payload(reply, chat_error_payload(err, event, request))
        await self.transport.emit(reply, data, rooms=[sid])
