"""Contract-checking clients for integration tests, as a pytest plugin.

Every server→client event a ``ChatClient`` receives, every acknowledgement it gets and every REST
body ``Api`` reads is validated against the contract (see ``tests.support.contract``). An
undeclared event or an invalid payload is recorded as a violation: the next wait fails with it, and
so does teardown.

This module is the pytest plugin (``pytest_plugins = ("tests.support.client",)``) providing the
fixtures ``chat_server`` (one real server per database and test module), ``server_log``,
``tokens``, ``api`` and ``connect``. It also re-exports the names tests import from it, so one
import line serves a test module; the classes live in ``contract``, ``tokens``, ``inbox``,
``chat_client``, ``rest`` and ``scene``, the flow tests' steps in ``flows``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator, Sequence
from typing import Protocol

import httpx
import pytest
import pytest_asyncio

from tests.support.chat_client import ChatClient, ConnectRefused
from tests.support.contract import REPLIES, REPO, Contract, Json, Payload, contract
from tests.support.databases import database_params
from tests.support.flows import (
    DEMO,
    action,
    answer,
    create_flow_conversation,
    pending_prompt,
    start_flow,
)
from tests.support.inbox import BARRIER_EVENT, DEFAULT_TIMEOUT, Inbox, Received
from tests.support.rest import Api
from tests.support.scene import Scene, make_scene, new_user
from tests.support.server import ServerProcess, server_env
from tests.support.tokens import Tokens

__all__ = [
    "BARRIER_EVENT",
    "DEFAULT_TIMEOUT",
    "DEMO",
    "REPLIES",
    "REPO",
    "Api",
    "ChatClient",
    "Connect",
    "ConnectRefused",
    "Contract",
    "Inbox",
    "Json",
    "Payload",
    "Received",
    "Scene",
    "Tokens",
    "action",
    "answer",
    "contract",
    "create_flow_conversation",
    "make_scene",
    "new_user",
    "pending_prompt",
    "server_env",
    "start_flow",
]

# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=database_params())
def chat_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, jwt_secret: str
) -> Iterator[ServerProcess]:
    """One real server per database for a whole test module; tests make fresh campaigns.

    A module-scoped server keeps the suite fast; isolation comes from unique user ids and new
    campaigns and conversations in every test.
    """
    folder = tmp_path_factory.mktemp(f"server-{request.param}")
    if request.param == "sqlite":
        db_url, drop = f"sqlite+aiosqlite:///{folder / 'chinwag.db'}", None
    else:
        cluster = request.getfixturevalue("pg_cluster")
        name = f"t_{uuid.uuid4().hex[:16]}"
        db_url, drop = cluster.create_database(name), name
    # A module may set CHAT_SERVER_ENV (e.g. limits) for its server.
    overrides = getattr(request.module, "CHAT_SERVER_ENV", {})
    server = ServerProcess(server_env(db_url, jwt_secret, **overrides), log_dir=folder).start()
    try:
        yield server
    finally:
        if server.running:
            server.stop()
        if drop is not None:
            request.getfixturevalue("pg_cluster").drop_database(drop)


@pytest.fixture
def server_log(chat_server: ServerProcess) -> Iterator[None]:
    """Print what the module's server logged during this test (pytest shows it on failure)."""
    start = len(chat_server.read_log())
    yield
    print(f"\n===== server log during this test =====\n{chat_server.read_log()[start:]}")


@pytest.fixture(scope="session")
def tokens(jwt_secret: str) -> Tokens:
    """Token factory signed with the test servers' secret."""
    return Tokens(jwt_secret)


@pytest_asyncio.fixture
async def api(chat_server: ServerProcess, tokens: Tokens, server_log: None) -> AsyncIterator[Api]:
    """REST client of the module's server, with the service token."""
    async with httpx.AsyncClient(base_url=chat_server.url, timeout=30) as http:
        yield Api(http, tokens)


class Connect(Protocol):
    """Type of the ``connect`` fixture."""

    def __call__(
        self,
        user: str | None = None,
        *,
        token: str | None = None,
        handshake: bool = False,
        transports: Sequence[str] | None = None,
        name: str | None = None,
        url: str | None = None,
    ) -> Awaitable[ChatClient]:
        """Open a ChatClient; see the fixture."""
        ...


@pytest_asyncio.fixture
async def connect(
    chat_server: ServerProcess, tokens: Tokens, server_log: None
) -> AsyncIterator[Connect]:
    """Open contract-checking clients: ``await connect("alice")`` authenticates with the
    ``authenticate`` event (``handshake=True``: with ``auth: {token}``), ``await connect()`` stays
    unauthenticated. Teardown disconnects them and fails on any contract violation."""
    clients: list[ChatClient] = []

    async def open_client(
        user: str | None = None,
        *,
        token: str | None = None,
        handshake: bool = False,
        transports: Sequence[str] | None = None,
        name: str | None = None,
        url: str | None = None,
    ) -> ChatClient:
        client = ChatClient(name or user or "anonymous")
        clients.append(client)
        if token is None and user is not None:
            token = tokens.user(user)
        target = url or chat_server.url
        if handshake:
            await client.connect(target, token, transports)
            name_, reply = await client._wait(("authenticated", "auth_error"), None, 10, 0)
            assert name_ == "authenticated", reply
            client.user_id = reply["userId"]
        else:
            await client.connect(target, None, transports)
            if token is not None:
                await client.authenticate(token)
        return client

    yield open_client
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
    for client in clients:
        client.check()
