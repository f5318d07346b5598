"""Which failures mean "the database cannot be reached" (→ ``unavailable``), and which do not.

The restart itself is exercised end to end in ``test_outage_postgres``; this pins the table.
"""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import exc as sa

from chinwag.errors import Unavailable
from chinwag.storage.outages import RETRY_AFTER_MS, OutageLog, is_outage


def _wrapped(cause: BaseException) -> sa.DBAPIError:
    """What SQLAlchemy raises for a driver error: the driver's error is the cause."""
    try:
        try:
            raise cause
        except BaseException as inner:
            raise sa.OperationalError("SELECT 1", None, inner) from inner
    except sa.DBAPIError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        ConnectionResetError(),
        TimeoutError(),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.TooManyConnectionsError("too many clients"),
        asyncpg.exceptions.InterfaceError("connection is closed"),
        asyncpg.exceptions.InternalClientError("cannot switch to state 15; another operation"),
        _wrapped(ConnectionRefusedError(111, "refused")),
        sa.TimeoutError("QueuePool limit reached"),
    ],
    ids=repr,
)
def test_connection_failures_are_outages(error: BaseException) -> None:
    assert is_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad"),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        asyncpg.exceptions.InterfaceError("cannot perform operation: another is in progress"),
        asyncpg.exceptions.QueryCanceledError("canceling statement"),
        _wrapped(asyncpg.exceptions.SyntaxOrAccessError("syntax error")),
    ],
    ids=repr,
)
def test_other_failures_are_not(error: BaseException) -> None:
    assert not is_outage(error)


async def test_an_outage_leaving_the_block_becomes_unavailable_with_retry_after() -> None:
    outages = OutageLog()
    with pytest.raises(Unavailable) as caught:
        async with outages.translated():
            raise ConnectionRefusedError(111, "refused")
    assert caught.value.retry_after == RETRY_AFTER_MS
    with pytest.raises(KeyError):
        async with outages.translated():
            raise KeyError("not an outage")
