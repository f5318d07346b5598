"""Upgrade a database to the newest schema with Alembic, safe for concurrent starters."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from chinwag.storage.engine import create_migration_engine

MIGRATIONS = Path(__file__).parent / "migrations"
ADVISORY_LOCK_KEY = 0x63686E77  # "chnw"
SQLITE_LOCK_ATTEMPTS = 5


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def migrate(database_url: str, revision: str = "head") -> None:
    """Upgrade ``database_url`` to ``revision``.

    Several processes may call this at once: on PostgreSQL a transaction-scoped
    advisory lock serialises them; on SQLite the migration transaction starts with
    ``BEGIN IMMEDIATE``, which takes the database's write lock. Either way the
    second migrator sees the first one's result and finds nothing to do.
    """
    for attempt in range(1, SQLITE_LOCK_ATTEMPTS + 1):
        engine = create_migration_engine(database_url)
        try:
            async with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    await conn.execute(
                        text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY}
                    )
                await conn.run_sync(_upgrade, revision)
            return
        except OperationalError as exc:
            # SQLite can answer "database is locked" without waiting out the busy timeout
            # (switching a new file to WAL while another starter holds it): take turns again.
            if "database is locked" not in str(exc) or attempt == SQLITE_LOCK_ATTEMPTS:
                raise
            await asyncio.sleep(0.05 * attempt)
        finally:
            await engine.dispose()
