"""Reliability and security test helpers: direct database reads and per-module servers.

The database is read directly (sqlite3 on the file, asyncpg on PostgreSQL), never through the
server: a crash or a refused request must be judged by what is actually stored.

This module is also a pytest plugin (``pytest_plugins = ("tests.support.crash",)``) providing
``module_db``: one fresh database per test module and database kind.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.support.databases import database_params
from tests.support.server import ServerProcess, server_env

#: Every table the migrations create, in the order counts are reported.
TABLES = (
    "campaigns",
    "campaign_members",
    "conversations",
    "conversation_participants",
    "messages",
    "message_reads",
)

#: The message columns the tests compare (``attachments`` and ``action_data`` are JSON).
MESSAGE_COLUMNS = ("id", "conversation_id", "seq", "sender_id", "kind", "text", "client_nonce")


@dataclass(frozen=True)
class Database:
    """A database a chinwag server runs on, read directly by the test."""

    kind: str
    #: The SQLAlchemy URL the server is given (``sqlite+aiosqlite://…`` or ``postgresql+asyncpg://…``).
    url: str

    @property
    def sqlite_path(self) -> str:
        """The SQLite file (only for ``kind == "sqlite"``)."""
        return self.url.split(":///", 1)[1]

    @property
    def dsn(self) -> str:
        """The asyncpg DSN (only for ``kind == "postgresql"``)."""
        return self.url.replace("postgresql+asyncpg://", "postgresql://", 1)

    async def query(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        """Rows of ``sql`` as dicts; placeholders are written ``$1``, ``$2`` … for both kinds."""
        if self.kind == "sqlite":
            # sqlite3 takes ?NNN for numbered parameters.
            text = sql
            for index in range(len(args), 0, -1):
                text = text.replace(f"${index}", f"?{index}")
            with sqlite3.connect(self.sqlite_path, timeout=10) as conn:
                conn.row_factory = sqlite3.Row
                return [dict(row) for row in conn.execute(text, args).fetchall()]
        conn = await asyncpg.connect(self.dsn)
        try:
            return [dict(row) for row in await conn.fetch(sql, *args)]
        finally:
            await conn.close()

    async def counts(self) -> dict[str, int]:
        """Row count of every table."""
        union = " UNION ALL ".join(
            f"SELECT '{table}' AS name, COUNT(*) AS n FROM {table}" for table in TABLES
        )
        return {row["name"]: int(row["n"]) for row in await self.query(union)}

    async def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        """Every stored message of a conversation, by seq."""
        columns = ", ".join(MESSAGE_COLUMNS)
        return await self.query(
            f"SELECT {columns} FROM messages WHERE conversation_id = $1 ORDER BY seq",
            conversation_id,
        )


def message_view(message: dict[str, Any]) -> dict[str, Any]:
    """The columns of a wire or stored message that the tests compare."""
    return {column: message[column] for column in MESSAGE_COLUMNS}


@pytest.fixture(scope="module", params=database_params())
def module_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A fresh database for one test module: SQLite in a temp folder, or a PostgreSQL database."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("db-sqlite")
        yield Database("sqlite", f"sqlite+aiosqlite:///{folder / 'chinwag.db'}")
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = f"t_{uuid.uuid4().hex[:16]}"
    yield Database("postgresql", cluster.create_database(name))
    cluster.drop_database(name)


def start_server(db_url: str, secret: str, log_dir: Path, **env: str | int | None) -> ServerProcess:
    """Start a server on ``db_url`` with the test settings plus ``env`` (as ``server_factory``)."""
    return ServerProcess(server_env(db_url, secret, **env), log_dir=log_dir).start()


@pytest.fixture(scope="module")
def module_server_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the logs of a module's servers."""
    return tmp_path_factory.mktemp("servers")
