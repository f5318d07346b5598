"""Which databases the suite runs against: ``$CHINWAG_TEST_DATABASES`` as pytest parameters.

One selection serves conftest's ``db_url``, the client plugin's ``chat_server`` and the crash
plugin's ``module_db``, so a restricted run (``CHINWAG_TEST_DATABASES=sqlite``) restricts them all.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

#: Comma-separated subset of KNOWN_DATABASES that database fixtures are parametrized over.
DATABASES_ENV = "CHINWAG_TEST_DATABASES"
KNOWN_DATABASES = ("sqlite", "postgresql")

_MARKS = {"sqlite": (), "postgresql": (pytest.mark.postgres,)}


def selected_databases() -> list[str]:
    """The database kinds ``$CHINWAG_TEST_DATABASES`` selects (default: all of them)."""
    raw = os.environ.get(DATABASES_ENV, ",".join(KNOWN_DATABASES))
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = [name for name in names if name not in KNOWN_DATABASES]
    if unknown or not names:
        raise pytest.UsageError(
            f"{DATABASES_ENV}={raw!r}: use a comma-separated subset of {','.join(KNOWN_DATABASES)}"
        )
    return names


def database_params() -> list[Any]:
    """One ``pytest.param`` per selected database (id: its kind; PostgreSQL marked ``postgres``)."""
    return [pytest.param(name, id=name, marks=_MARKS[name]) for name in selected_databases()]
