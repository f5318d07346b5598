"""The socketEmitter in a process that runs no Socket.IO server (a worker, a cron job).

It needs only the database URL and the Redis URL the chinwag servers use: messages are stored
through chinwag's own storage (same ``seq`` counter, same transaction rules), emits are published
through python-socketio's write-only Redis manager, and membership changes through chinwag's
control channel, so every server delivers and evicts for its own sockets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from chinwag.config import Settings
from chinwag.embed.emitter import SocketEmitter
from chinwag.handlers.notifications import Notifier
from chinwag.services.container import Services
from chinwag.services.membership import MembershipProvider
from chinwag.services.membership_config import configured_membership, participants_of
from chinwag.storage import Database
from chinwag.transport.socketio.control import RedisControl
from chinwag.transport.socketio.write_only import WriteOnlyTransport
from chinwag_contract.emitter import Emitter


async def _no_local_sockets(user_id: str, removed: dict[str, Any] | None) -> None:
    """A worker holds no sockets: nothing to evict here (the servers do it)."""


@asynccontextmanager
async def worker_emitter(
    database_url: str | None = None,
    redis_url: str | None = None,
    *,
    settings: Settings | None = None,
    membership: MembershipProvider | None = None,
) -> AsyncIterator[SocketEmitter]:
    """``async with worker_emitter(db_url, redis_url) as emitter:`` — a :class:`SocketEmitter`.

    Without arguments the URLs come from ``CHINWAG_DATABASE_URL`` and ``CHINWAG_REDIS_URL``.
    The database must already be migrated (the servers do it at start-up). ``membership`` is
    the host's provider, as given to ``create_app`` (``CHINWAG_MEMBERSHIP_URL`` otherwise).
    """
    settings = settings or Settings()
    updates = {
        key: value
        for key, value in (("database_url", database_url), ("redis_url", redis_url))
        if value is not None
    }
    if updates:
        settings = settings.model_copy(update=updates)
    if not settings.redis_url:
        raise ValueError("a worker needs CHINWAG_REDIS_URL: it reaches the servers through Redis")
    database = Database.from_settings(settings)
    transport = WriteOnlyTransport(settings.redis_url)
    control = RedisControl(settings.redis_url, _no_local_sockets)
    provider = configured_membership(settings, membership)
    notifier = Notifier(Emitter(transport), control.revoke_user, participants_of(provider))
    services = Services.build(settings, database, notifier, membership=provider)
    try:
        yield SocketEmitter(transport, services, control.revoke_user)
    finally:
        await control.stop()
        await transport.close()
        await database.close()
