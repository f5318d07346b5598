"""A socket's authentication over its life: handshake, deadline, binding, expiry, its place.

A socket may authenticate in the handshake or later with the ``authenticate`` event; until
then it runs against the auth deadline. Once bound to a user it takes one of that user's
socket places (see :mod:`chinwag.transport.limits.user_limits`) and holds it until it disconnects
or its token runs out, when it must authenticate again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import socketio

from chinwag.config import Settings
from chinwag.domain.principal import Principal
from chinwag.errors import ChinwagError, Forbidden, InvalidToken, TooManySockets, Unauthenticated
from chinwag.services.auth import TokenService
from chinwag.transport.limits.user_limits import UserLimits
from chinwag.transport.socketio.paced_close import PacedCloser
from chinwag.transport.socketio.rooms import SocketIOTransport
from chinwag.transport.socketio.sessions import SessionRegistry, SocketState
from chinwag_contract.emitter import dump_payload, user_room

# Lets a refused authenticate's reply and ack leave before the socket is closed.
DISCONNECT_GRACE_S = 0.2


class AuthLifecycle:
    """Authenticates the sockets of :class:`SessionRegistry` and keeps them within bounds."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        transport: SocketIOTransport,
        tokens: TokenService,
        settings: Settings,
        sessions: SessionRegistry,
        limits: UserLimits,
    ) -> None:
        self.sio = sio
        self.transport = transport
        self.tokens = tokens
        self.settings = settings
        self.sessions = sessions
        self.limits = limits
        self._tasks: set[asyncio.Future[None]] = set()
        # Deadlines fall due in bursts after a burst of connects (see paced_close).
        self._deadline_closer = PacedCloser(self._enforce_deadline)

    async def connect(self, sid: str, auth: Any) -> None:
        """Open the socket; a handshake token authenticates it or refuses the connection."""
        state = self.sessions.open(sid)
        token = auth.get("token") if isinstance(auth, dict) else None
        if token is None:
            self._start_auth_deadline(state)
            return
        try:
            if not isinstance(token, str):
                raise InvalidToken("Token must be a string")
            verified = await self.tokens.verify_async(token)
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
        await self.transport.emit_to_sockets("authenticated", data, [sid])

    async def disconnect(self, sid: str) -> None:
        """Forget the socket, and stop counting it for its user."""
        state = self.sessions.sockets.get(sid)
        principal = state.principal if state is not None else None
        self.sessions.close(sid)
        if principal is not None:
            await self.limits.release(principal.user_id, sid)

    def disconnect_soon(self, sid: str) -> None:
        """Close the socket once its last reply has had :data:`DISCONNECT_GRACE_S` to leave."""
        asyncio.get_running_loop().call_later(
            DISCONNECT_GRACE_S, self._spawn, self.sio.disconnect, sid
        )

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
                loop.call_later(deadline, self._deadline_closer.close_soon, state.sid)
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
        await self.transport.emit_to_sockets("auth_error", data, [sid])
