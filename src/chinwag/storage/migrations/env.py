"""Alembic environment: runs on the connection ``chinwag.storage.migrate`` hands in."""

from __future__ import annotations

from alembic import context

from chinwag.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through chinwag.storage.migrate.migrate()")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
