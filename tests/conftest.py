"""Suite-wide fixtures: real PostgreSQL, Redis and chinwag server processes, and Hypothesis
profiles.

Service fixtures never skip. A test that asks for PostgreSQL or Redis fails when the service cannot
start, so a machine without them cannot report a green run that tested nothing.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# The support modules' asserts are the failure messages tests rely on, so pytest must rewrite them,
# and it can only do that for modules registered before their first import. pytest imports this
# file before any test module, so one registration here (the package and every module below it)
# lets test modules import ``tests.support`` and ``tests.support.client`` like any other module.
pytest.register_assert_rewrite("tests.support")

from tests.support import (  # noqa: E402
    PostgresCluster,
    RedisServer,
    ServerFactory,
    ServerProcess,
    ServiceStopError,
    database_params,
    server_env,
)

# -- Hypothesis ------------------------------------------------------------------------------------

# CI must be reproducible (derandomize) and print a blob to replay a failure locally; nobody wants a
# deadline flake on a 2-core runner that is also running PostgreSQL.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# -- constants -------------------------------------------------------------------------------------

#: The HS256 secret every test server is started with; 32+ bytes as PyJWT recommends for HS256.
TEST_JWT_SECRET = "chinwag-test-secret-0123456789abcdef-not-for-production"

# -- test outcome, for printing server logs only when a test failed --------------------------------

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember each phase's report on the item so fixtures can see whether the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _test_failed(node: pytest.Item) -> bool:
    return any(report.failed for report in node.stash.get(_REPORTS, {}).values())


# -- services --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the whole session (per xdist worker)."""
    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One throwaway redis-server for the whole session; ``redis_server.url`` is its URL."""
    with RedisServer() as server:
        yield server


@pytest.fixture(params=database_params())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty database: SQLite in ``tmp_path``, or PostgreSQL.

    Parametrized over ``$CHINWAG_TEST_DATABASES`` (default ``sqlite,postgresql``). The PostgreSQL
    database is dropped after the test, so a long suite does not fill the disk.
    """
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'chinwag.db'}"
        return
    # Looked up lazily so a sqlite-only run never starts PostgreSQL.
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    name = _database_name(request.node.name)
    yield cluster.create_database(name)
    cluster.drop_database(name)


def _database_name(test_name: str) -> str:
    # The test name makes a leftover database recognisable; the random tail makes it unique.
    stem = re.sub(r"[^a-z0-9_]+", "_", test_name.lower())[:40]
    return f"t_{stem}_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def jwt_secret() -> str:
    """The JWT secret test servers use (``CHINWAG_JWT_SECRET``); sign test tokens with it."""
    return TEST_JWT_SECRET


@pytest.fixture
def server_factory(
    request: pytest.FixtureRequest, tmp_path: Path, jwt_secret: str
) -> Iterator[ServerFactory]:
    """Start chinwag servers: ``server_factory(db_url, **env_overrides) -> ServerProcess``.

    Each server gets ``CHINWAG_DATABASE_URL=db_url``, the test JWT secret and rate limits switched
    off (``CHINWAG_RATE_LIMIT_SOCKET=0``, ``CHINWAG_RATE_LIMIT_USER=0``); keyword arguments override
    or add variables (``None`` removes one). CHINWAG_* variables from the developer's shell are not
    inherited. All servers are stopped at teardown; their logs are printed when the test failed.
    """
    servers: list[ServerProcess] = []
    log_dir = tmp_path / "servers"

    def start(db_url: str, /, **env_overrides: str | int | None) -> ServerProcess:
        env = server_env(db_url, jwt_secret, **env_overrides)
        # A server that fails to start cleans up after itself and its error quotes its log, so
        # only started servers are tracked for teardown.
        server = ServerProcess(env, log_dir=log_dir).start()
        servers.append(server)
        return server

    yield start

    errors: list[ServiceStopError] = []
    for server in servers:
        if server.running:
            try:
                server.stop()
            except ServiceStopError as exc:
                errors.append(exc)
    if _test_failed(request.node):
        for server in servers:
            # pytest shows this under "Captured stdout teardown" of the failed test.
            print(f"\n===== chinwag server log {server.log_path} =====\n{server.read_log()}")
    if errors:
        raise errors[0]


@pytest.fixture(autouse=True)
def _restore_socketio_json() -> Iterator[None]:
    """Undo the process-wide JSON codec an in-process app installs.

    python-socketio's ``AsyncServer(json=...)`` sets the codec on the packet *classes*, so a
    test that builds chinwag's app in this process would silently switch every test client
    after it to orjson (whose depth limit differs from the stdlib's).
    """
    import engineio.packet
    import socketio.packet

    saved = (socketio.packet.Packet.json, engineio.packet.Packet.json)
    yield
    socketio.packet.Packet.json, engineio.packet.Packet.json = saved
