"""The Socket.IO edge: sessions, authentication, dispatch to the handlers, replies.

Every client→server event comes through :meth:`Gateway.handle`: rate limit, session check,
contract validation with the generated model, the handler, then the declared reply (as an
event, and as the acknowledgement when the client asked for one). Nothing a client sends
can raise past this point: bad input becomes a structured error reply.

A socket's authentication lives in :mod:`~chinwag.transport.socketio.auth_lifecycle`, the graceful
shutdown in :mod:`~chinwag.transport.socketio.drain`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import socketio
from pydantic import BaseModel, ValidationError

from chinwag.config import Settings
from chinwag.errors import (
    ChinwagError,
    Internal,
    InvalidPayload,
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
from chinwag.transport.limits.user_limits import UserLimits
from chinwag.transport.nul import reject_nul
from chinwag.transport.observability.gateway_observer import GatewayObserver
from chinwag.transport.socketio.auth_lifecycle import AuthLifecycle
from chinwag.transport.socketio.drain import Drain
from chinwag.transport.socketio.memory import MemoryRelease
from chinwag.transport.socketio.rooms import SocketIOTransport
from chinwag.transport.socketio.sessions import SessionRegistry
from chinwag.transport.socketio.socket_context import SocketIOContext
from chinwag_contract.emitter import dump_payload
from chinwag_contract.handlers import ChinwagHandlers, ensure_implemented
from chinwag_contract.operations import INBOUND, OUTBOUND_MODELS, Operation

log = logging.getLogger("chinwag.gateway")


def reply_data(event: str, result: BaseModel) -> dict[str, Any]:
    """A handler's success reply as wire data, validated once.

    Handlers build their reply with the generated model (pydantic validates on construction),
    so it is dumped, not validated again; anything but that model is refused.
    """
    if type(result) is not OUTBOUND_MODELS[event]:
        raise TypeError(f"handler returned {type(result).__name__} for {event!r}")
    return result.model_dump(mode="json", exclude_unset=True)


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
        sessions: SessionRegistry,
        observer: GatewayObserver,
    ) -> None:
        ensure_implemented(handlers)
        self.sio = sio
        self.transport = transport
        self.handlers = handlers
        self.settings = settings
        self.sessions = sessions
        self.limits = limits
        self.auth = AuthLifecycle(sio, transport, tokens, settings, self.sessions, limits)
        self.drain = Drain(sio, transport, self.sessions, settings)
        self.memory = MemoryRelease(settings.memory_release_after, lambda: len(sessions.sockets))
        self.observer = observer

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
        if self.drain.closing:
            self.observer.refused(sid, "unavailable")
            raise socketio.exceptions.ConnectionRefusedError(
                "Server is shutting down", {"code": "unavailable"}
            )
        try:
            await self.auth.connect(sid, auth)
        except socketio.exceptions.ConnectionRefusedError as refusal:
            data = refusal.error_args.get("data")
            self.observer.refused(sid, data.get("code", "") if isinstance(data, dict) else "")
            raise
        self.observer.connected(sid, self.sio.transport(sid))

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        """Forget the socket, and stop counting it for its user."""
        user_id = self.sessions.user_of(sid)
        await self.auth.disconnect(sid)
        self.observer.disconnected(sid, user_id, reason)
        self.memory.socket_closed()

    async def shutdown(self, reason: str) -> None:
        """Finish in-flight events, announce, and close every socket (see :class:`Drain`)."""
        await self.drain.shutdown(reason)

    # -- events ---------------------------------------------------------------------------

    async def on_unknown_event(self, event: Any, sid: str, *args: Any) -> Any:
        """Any event the contract does not declare (a name that is not even a string too)."""
        started = time.perf_counter()
        event = event if isinstance(event, str) else str(event)
        err = UnknownEvent(f"Unknown event {event[:100]!r}")
        request = args[0] if len(args) == 1 else None
        await self._send_error_reply("chat:error", event, request, err, sid)
        self.observer.rejected(sid, event, err)
        self.observer.unknown_event(sid, time.perf_counter() - started)
        return error_body(err)

    async def handle(self, operation: Operation, sid: str, args: tuple[Any, ...]) -> Any:
        """Run one client→server event and send its declared reply."""
        started = time.perf_counter()
        with self.drain.in_flight():
            result = await self._handle(operation, sid, args)
        self.observer.handled(operation.event, sid, result, time.perf_counter() - started)
        return result

    async def _handle(self, operation: Operation, sid: str, args: tuple[Any, ...]) -> Any:
        request = args[0] if len(args) == 1 else None
        state = self.sessions.sockets.get(sid)
        try:
            if state is None:
                raise Unauthenticated("Socket is not connected")
            if self.drain.closing:
                raise Unavailable("Server is shutting down: reconnect and retry")
            wait, scope = self.sessions.throttle(state), "socket"
            if not wait and state.principal is not None:
                wait, scope = await self.limits.throttle(state.principal.user_id), "user"
            if wait:
                self.observer.rate_limited(scope)
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
            result: BaseModel = await method(SocketIOContext(self.auth, state), payload)
            reply = operation.success_reply or ""
            data = reply_data(reply, result)
        except ValidationError as exc:
            err: ChinwagError = from_validation_error(exc)
        except ChinwagError as exc:
            err = exc
        except Exception:
            log.exception("handler for %s failed", operation.event)
            err = Internal("Internal error")
        else:
            await self.transport.emit_to_sockets(reply, data, [sid])
            return data
        await self._send_error_reply(operation.error_reply, operation.event, request, err, sid)
        self.observer.rejected(sid, operation.event, err)
        if isinstance(err, TooManySockets) and operation.event == "authenticate":
            self.auth.disconnect_soon(sid)
        return error_body(err)

    async def _send_error_reply(
        self, reply: str | None, event: str, request: Any, err: ChinwagError, sid: str
    ) -> None:
        if reply == "auth_error":
            data = dump_payload("auth_error", auth_error_payload(err))
        else:
            reply = "chat:error"
            data = dump_payload(reply, chat_error_payload(err, event, request))
        await self.transport.emit_to_sockets(reply, data, [sid])
