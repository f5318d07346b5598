"""The composition root: settings → database → services → handlers → Socket.IO edge.

Every object is built once, with its dependencies, in dependency order:
metrics counters (when on) → database and flow catalog → socket registry → Socket.IO server
(installs the fast path) → transport → emitter → membership provider (the host's, if any) →
room evictions → control channel → notifier → services → handlers → limits → gateway observer
→ gateway → operations → webhook dispatcher.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp

from chinwag.config import Settings
from chinwag.flow_catalog import load_catalog
from chinwag.handlers.context import SocketContext
from chinwag.handlers.evictions import RoomEvictions
from chinwag.handlers.notifications import Notifier
from chinwag.handlers.socket import SocketHandlers
from chinwag.handlers.webhooks import WebhookDispatcher
from chinwag.logs import route_to_stdlib
from chinwag.metrics import EventCounters, observe_group_commit
from chinwag.services.access import RoomAccess
from chinwag.services.container import Services
from chinwag.services.membership import CachedMembership, MembershipProvider
from chinwag.services.membership_config import configured_membership, forgetting, participants_of
from chinwag.storage import Database
from chinwag.transport.limits.cluster_limits import RedisUserLimits
from chinwag.transport.limits.user_limits import LocalUserLimits, UserLimits
from chinwag.transport.observability.gateway_observer import GatewayObserver
from chinwag.transport.observability.operations import Operations
from chinwag.transport.socketio.control import LocalControl, RedisControl
from chinwag.transport.socketio.gateway import Gateway
from chinwag.transport.socketio.rooms import OutboundFilter, SocketIOTransport
from chinwag.transport.socketio.server import asgi_app, build_socketio
from chinwag.transport.socketio.sessions import SessionRegistry
from chinwag_contract.emitter import Emitter
from chinwag_contract.handlers import ChinwagHandlers

log = logging.getLogger("chinwag")

HandlersFactory = Callable[[Services, Emitter], ChinwagHandlers[SocketContext]]
"""Builds the socket handlers; the default is :class:`SocketHandlers`."""


def default_handlers(services: Services, emitter: Emitter) -> ChinwagHandlers[SocketContext]:
    """chinwag's own handlers."""
    return SocketHandlers(services)


@dataclass
class Runtime:
    """Everything one chinwag process runs."""

    settings: Settings
    database: Database
    services: Services
    transport: SocketIOTransport
    socketio_app: ASGIApp
    emitter: Emitter
    notifier: Notifier
    evictions: RoomEvictions
    gateway: Gateway
    control: LocalControl | RedisControl
    limits: UserLimits
    operations: Operations
    membership: CachedMembership | None = None
    webhooks: WebhookDispatcher | None = None


def build_runtime(
    settings: Settings,
    *,
    handlers_factory: HandlersFactory | None = None,
    outbound_filter: OutboundFilter | None = None,
    membership: MembershipProvider | None = None,
) -> Runtime:
    """Wire one process. Nothing is started: see ``chinwag.app`` for the lifecycle.

    ``membership`` is the host's membership provider (see ``chinwag.services.membership``).
    """
    route_to_stdlib()
    if settings.jwt_secret_is_default:
        log.warning(
            "CHINWAG_JWT_SECRET is not set: using the INSECURE development secret. "
            "Anyone can mint tokens for this server. Set CHINWAG_JWT_SECRET in production."
        )
    counters = EventCounters() if settings.metrics else None
    database = Database.from_settings(
        settings, on_batch=observe_group_commit if counters is not None else None
    )
    catalog = load_catalog(settings.flows_dir)
    sessions = SessionRegistry(settings.rate_limit_socket)
    sio = build_socketio(settings, sessions.user_of)
    transport = SocketIOTransport(
        sio, outbound_filter, counters.emitted_once if counters is not None else None
    )
    emitter = Emitter(transport)
    provider = configured_membership(settings, membership)
    evictions = RoomEvictions(transport, RoomAccess(database, provider))
    revoke_locally = forgetting(provider, evictions.revoke_locally)
    control: LocalControl | RedisControl = (
        RedisControl(settings.redis_url, revoke_locally)
        if settings.redis_url
        else LocalControl(revoke_locally)
    )
    notifier = Notifier(emitter, control.revoke_user, participants_of(provider))
    services = Services.build(settings, database, notifier, catalog, provider)
    handlers = (handlers_factory or default_handlers)(services, emitter)
    limits: UserLimits = (
        RedisUserLimits(settings.redis_url, settings)
        if settings.redis_url
        else LocalUserLimits(settings)
    )
    observer = GatewayObserver(sessions, counters, settings.garbage_window_s)
    gateway = Gateway(
        sio, transport, handlers, services.tokens, settings, limits, sessions, observer
    )
    gateway.install()
    operations = Operations(sio, gateway, database, settings, counters)
    return Runtime(
        settings,
        database,
        services,
        transport,
        operations.wrap(asgi_app(sio)),
        emitter,
        notifier,
        evictions,
        gateway,
        control,
        limits,
        operations,
        provider,
        WebhookDispatcher(
            database,
            settings.webhook_url,
            settings.webhook_secret,
            max_attempts=settings.webhook_max_attempts,
            first_backoff_s=settings.webhook_backoff_s,
            poll_s=settings.webhook_poll_s,
        ),
    )
