"""The composition root: settings → database → services → handlers → Socket.IO edge."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import socketio

from chinwag.config import Settings
from chinwag.domain.principal import Principal
from chinwag.handlers.context import SocketContext
from chinwag.handlers.notifications import Notifier
from chinwag.handlers.socket import SocketHandlers
from chinwag.services.container import Services
from chinwag.storage import Database
from chinwag.transport import engineio_patches
from chinwag.transport.cluster_limits import RedisUserLimits
from chinwag.transport.control import LocalControl, RedisControl
from chinwag.transport.fanout import FastFanout, FastFanoutRedisManager
from chinwag.transport.gateway import Gateway
from chinwag.transport.jsonlib import orjson_module
from chinwag.transport.rooms import OutboundFilter, SocketIOTransport
from chinwag.transport.user_limits import LocalUserLimits, UserLimits
from chinwag_contract.emitter import Emitter
from chinwag_contract.handlers import ChinwagHandlers

log = logging.getLogger("chinwag")

HandlersFactory = Callable[[Services, Emitter], ChinwagHandlers[SocketContext]]
"""Builds the socket handlers; the default is :class:`SocketHandlers`."""


def default_handlers(services: Services, emitter: Emitter) -> ChinwagHandlers[SocketContext]:
    """chinwag's own handlers."""
    return SocketHandlers(services)


class _ServiceAccess:
    """Room-eviction access checks, answered by the chat service."""

    def __init__(self) -> None:
        self.services: Services | None = None

    async def can_listen_conversation(self, principal: Principal, conversation_id: str) -> bool:
        assert self.services is not None
        return await self.services.chat.can_access(principal, conversation_id)

    async def can_listen_campaign(self, principal: Principal, campaign_id: str) -> bool:
        assert self.services is not None
        try:
            await self.services.chat.join_campaign(principal, campaign_id)
        except Exception:
            return False
        return True


@dataclass
class Runtime:
    """Everything one chinwag process runs."""

    settings: Settings
    database: Database
    services: Services
    sio: socketio.AsyncServer
    transport: SocketIOTransport
    emitter: Emitter
    notifier: Notifier
    gateway: Gateway
    control: LocalControl | RedisControl
    limits: UserLimits


engineio_patches.install()


def build_socketio(settings: Settings) -> socketio.AsyncServer:
    """The Socket.IO server: orjson, the configured buffer, Redis fan-out when configured."""
    manager: socketio.AsyncManager = (
        FastFanoutRedisManager(settings.redis_url) if settings.redis_url else FastFanout()
    )
    return socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        json=orjson_module,
        cors_allowed_origins="*",
        max_http_buffer_size=settings.max_http_buffer_size,
        logger=False,
        engineio_logger=False,
    )


def build_runtime(
    settings: Settings,
    *,
    handlers_factory: HandlersFactory | None = None,
    outbound_filter: OutboundFilter | None = None,
) -> Runtime:
    """Wire one process. Nothing is started: see ``chinwag.app`` for the lifecycle."""
    if settings.jwt_secret_is_default:
        log.warning(
            "CHINWAG_JWT_SECRET is not set: using the INSECURE development secret. "
            "Anyone can mint tokens for this server. Set CHINWAG_JWT_SECRET in production."
        )
    database = Database.from_settings(settings)
    sio = build_socketio(settings)
    transport = SocketIOTransport(sio, outbound_filter)
    emitter = Emitter(transport)
    access = _ServiceAccess()
    notifier = Notifier(emitter, transport, access)
    services = Services.build(settings, database, notifier)
    access.services = services
    handlers = (handlers_factory or default_handlers)(services, emitter)
    limits: UserLimits = (
        RedisUserLimits(settings.redis_url, settings)
        if settings.redis_url
        else LocalUserLimits(settings)
    )
    gateway = Gateway(sio, transport, handlers, services.tokens, settings, limits)
    gateway.install()
    control: LocalControl | RedisControl = (
        RedisControl(settings.redis_url, notifier.revoke_locally)
        if settings.redis_url
        else LocalControl(notifier.revoke_locally)
    )
    notifier.revoke_everywhere = control.revoke_user
    return Runtime(
        settings, database, services, sio, transport, emitter, notifier, gateway, control, limits
    )
