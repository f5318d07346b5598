"""Real services for the test suite: throwaway PostgreSQL and Redis, and the chinwag server process.

Everything here starts genuine processes on 127.0.0.1 and random free ports, so tests exercise the
same code paths production does. Nothing here skips: a missing binary is an error with a message
that says what to install.

The public surface is what this package and ``tests.support.client`` export: test modules import
services, server processes and database audits from ``tests.support``, and the contract-checking
clients, their fixtures and the flow steps from ``tests.support.client``. The other modules are
the inside of this package. ``tests/conftest.py`` registers the whole package for pytest's assert
rewriting before anything imports it.
"""

from tests.support.crash import Database, message_view, start_server
from tests.support.databases import (
    DATABASES_ENV,
    KNOWN_DATABASES,
    database_params,
    selected_databases,
)
from tests.support.errors import (
    ServiceError,
    ServiceStartError,
    ServiceStopError,
    ServiceUnavailableError,
)
from tests.support.net import LOCALHOST, free_port
from tests.support.postgres import PostgresCluster, find_bindir
from tests.support.rawpolling import RawPolling
from tests.support.rawws import RawSocketIO
from tests.support.redis import RedisServer
from tests.support.server import ServerFactory, ServerProcess, server_env

__all__ = [
    "DATABASES_ENV",
    "KNOWN_DATABASES",
    "LOCALHOST",
    "Database",
    "PostgresCluster",
    "RawPolling",
    "RawSocketIO",
    "RedisServer",
    "ServerFactory",
    "ServerProcess",
    "ServiceError",
    "ServiceStartError",
    "ServiceStopError",
    "ServiceUnavailableError",
    "database_params",
    "find_bindir",
    "free_port",
    "message_view",
    "selected_databases",
    "server_env",
    "start_server",
]
