"""The test services themselves: PostgreSQL and Redis start for real and are isolated per test."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import (
    LOCALHOST,
    PostgresCluster,
    RedisServer,
    ServiceUnavailableError,
    free_port,
)
from tests.support import postgres as pg_support


@pytest.mark.postgres
async def test_postgres_cluster_answers_select_1(pg_cluster: PostgresCluster) -> None:
    conn = await asyncpg.connect(pg_cluster.dsn())
    try:
        assert await conn.fetchval("select 1") == 1
    finally:
        await conn.close()


@pytest.mark.postgres
async def test_postgres_cluster_is_loopback_only_fast_and_roomy(
    pg_cluster: PostgresCluster,
) -> None:
    conn = await asyncpg.connect(pg_cluster.dsn())
    try:
        settings = {
            name: await conn.fetchval(f"show {name}")
            for name in (
                "listen_addresses",
                "fsync",
                "full_page_writes",
                "synchronous_commit",
            )
        }
        max_connections = int(await conn.fetchval("show max_connections"))
    finally:
        await conn.close()
    assert settings == {
        "listen_addresses": "127.0.0.1",
        "fsync": "off",
        "full_page_writes": "off",
        "synchronous_commit": "off",
    }
    assert max_connections == 300


@pytest.mark.postgres
async def test_two_created_databases_are_independent(
    pg_cluster: PostgresCluster,
) -> None:
    url_a = pg_cluster.create_database("independence_a")
    url_b = pg_cluster.create_database("independence_b")
    try:
        assert url_a == f"postgresql+asyncpg://postgres@127.0.0.1:{pg_cluster.port}/independence_a"
        assert url_a.startswith(pg_cluster.base_url + "/")
        assert url_b == f"{pg_cluster.base_url}/independence_b"
        conn_a = await asyncpg.connect(pg_cluster.dsn("independence_a"))
        conn_b = await asyncpg.connect(pg_cluster.dsn("independence_b"))
        try:
            await conn_a.execute("create table only_in_a (id int primary key)")
            await conn_a.execute("insert into only_in_a values (1)")
            assert await conn_a.fetchval("select count(*) from only_in_a") == 1
            assert await conn_b.fetchval("select to_regclass('only_in_a')") is None
        finally:
            await conn_a.close()
            await conn_b.close()
    finally:
        pg_cluster.drop_database("independence_a")
        pg_cluster.drop_database("independence_b")


@pytest.mark.postgres
def test_cluster_stop_ends_the_server_and_removes_its_folder() -> None:
    cluster = PostgresCluster().start()
    root = cluster._root
    port = cluster.port
    assert root is not None and root.is_dir()
    cluster.stop()
    assert not root.exists()
    with pytest.raises(OSError):
        socket.create_connection((LOCALHOST, port), timeout=1).close()
    cluster.stop()  # idempotent: a second stop in a finalizer must not fail


def test_create_database_rejects_names_that_are_not_plain_identifiers() -> None:
    cluster = PostgresCluster()
    with pytest.raises(ValueError, match="database name"):
        cluster.create_database('x"; drop database postgres; --')


def test_missing_postgres_binaries_raise_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(pg_support.BINDIR_ENV, raising=False)
    monkeypatch.setattr(pg_support, "DEFAULT_BINDIR", tmp_path / "missing")
    monkeypatch.setattr(pg_support, "PG_LIB_ROOT", tmp_path)
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(ServiceUnavailableError, match="apt-get install postgresql"):
        PostgresCluster().start()


@pytest.mark.redis
async def test_redis_server_answers_ping(redis_server: RedisServer) -> None:
    assert redis_server.url == f"redis://127.0.0.1:{redis_server.port}/0"
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        assert await client.ping() is True
        assert await client.config_get("save") == {"save": ""}
        assert await client.config_get("appendonly") == {"appendonly": "no"}
    finally:
        await client.aclose()


def test_missing_redis_server_raises_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(ServiceUnavailableError, match="apt-get install redis-server"):
        RedisServer().start()


async def test_db_url_is_a_fresh_empty_database_sqlalchemy_can_use(db_url: str) -> None:
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("select 1"))).scalar_one() == 1
            if db_url.startswith("postgresql"):
                tables = "select count(*) from pg_tables where schemaname = 'public'"
            else:
                tables = "select count(*) from sqlite_master where type = 'table'"
            assert (await conn.execute(text(tables))).scalar_one() == 0
    finally:
        await engine.dispose()


def test_db_url_parametrization_follows_the_environment(
    request: pytest.FixtureRequest,
) -> None:
    # Collected ids come from $CHINWAG_TEST_DATABASES; the default must cover both backends.
    wanted = os.environ.get("CHINWAG_TEST_DATABASES", "sqlite,postgresql").split(",")
    collected = {
        item.callspec.params["db_url"]
        for item in request.session.items
        if isinstance(item, pytest.Function)
        and hasattr(item, "callspec")
        and "db_url" in item.callspec.params
    }
    assert collected == {name.strip() for name in wanted}


def test_free_port_can_be_bound() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind((LOCALHOST, port))
