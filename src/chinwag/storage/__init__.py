"""Persistence (the only SQLAlchemy importer): schema, migrations, repositories, group commit."""

from chinwag.storage.database import Database, Session
from chinwag.storage.migrate import migrate
from chinwag.storage.send import StoredMessage

__all__ = ["Database", "Session", "StoredMessage", "migrate"]
