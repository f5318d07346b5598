"""A database that cannot be reached, as ``Unavailable``: the one place driver errors are read.

While PostgreSQL restarts or fails over, every statement fails with a connection error of the
driver (refused, reset, "terminating connection due to administrator command", "the database
system is starting up") or of SQLAlchemy's pool. That is not a fault of chinwag nor of the
request: nothing was done (or, if the connection died during COMMIT, the outcome is unknown and
a retry with the same ``clientNonce`` finds it out), so the client is told ``unavailable`` with
``retryAfter`` instead of ``internal``. Services and transport never see driver exceptions.

The pool heals itself: a connection error makes SQLAlchemy invalidate the pool's older
connections (``AsyncpgTransactions`` probes after a failure so that the send path does so too),
and later checkouts open new ones once the server answers again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from asyncpg import exceptions as pg
from sqlalchemy import exc as sa

from chinwag.errors import Unavailable

log = logging.getLogger("chinwag.storage")

#: What a client is told to wait before retrying (a PostgreSQL restart takes about a second).
RETRY_AFTER_MS = 1000
#: While the database stays away, one log line per this many seconds (not one per request).
LOG_EVERY_S = 10.0
#: How far the cause chain of a wrapped error is followed.
MAX_CHAIN = 8

# Errors that say "the server or the connection is gone", whatever the statement was:
# class 08 (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect now),
# 53300 (too many connections), and the socket-level errors of a refused or reset connection.
_GONE: tuple[type[BaseException], ...] = (
    OSError,  # ConnectionRefusedError, ConnectionResetError, TimeoutError, socket.gaierror
    pg.PostgresConnectionError,
    pg.AdminShutdownError,
    pg.CrashShutdownError,
    pg.CannotConnectNowError,
    pg.TooManyConnectionsError,
    sa.TimeoutError,  # no pooled connection came free in time
    # The protocol state of a session the server terminated mid-statement ("cannot switch to
    # state …; another operation is in progress"): the send path discards that connection.
    pg.InternalClientError,
)


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) means the database cannot be reached right now."""
    seen: BaseException | None = exc
    for _ in range(MAX_CHAIN):
        if seen is None:
            return False
        if isinstance(seen, _GONE):
            return True
        if isinstance(seen, sa.DBAPIError) and seen.connection_invalidated:
            return True
        # asyncpg says "connection is closed" with a bare InterfaceError (so does SQLAlchemy).
        if isinstance(seen, pg.InterfaceError | sa.InterfaceError) and "closed" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class OutageLog:
    """Logs a database outage when it starts and then at most every :data:`LOG_EVERY_S`."""

    def __init__(self) -> None:
        self._last = -LOG_EVERY_S
        self._suppressed = 0

    def unavailable(self, exc: BaseException) -> Unavailable:
        """The client's error for ``exc``, logging it (sparingly)."""
        now = time.monotonic()
        if now - self._last >= LOG_EVERY_S:
            more = f" ({self._suppressed} more since the last report)" if self._suppressed else ""
            log.warning("database unavailable: %s: %s%s", type(exc).__name__, exc, more)
            self._last, self._suppressed = now, 0
        else:
            self._suppressed += 1
        return Unavailable(
            "The database is unavailable: retry after retryAfter ms "
            "(a chat:send with the same clientNonce)",
            retry_after=RETRY_AFTER_MS,
        )

    @asynccontextmanager
    async def translated(self) -> AsyncIterator[None]:
        """Run the block; an outage error leaving it becomes ``Unavailable``."""
        try:
            yield
        except Exception as exc:
            if is_outage(exc):
                raise self.unavailable(exc) from exc
            raise
