"""Mounting chinwag inside a host application (Starlette, FastAPI) under a path prefix.

Starlette and FastAPI do not run the lifespan of a mounted app, so the host runs chinwag's in
its own: ``async with chinwag_lifespan(chat):`` inside the host's lifespan function.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import cast

from starlette.applications import Starlette


def chinwag_lifespan(app: Starlette) -> AbstractAsyncContextManager[None]:
    """Start-up and shut-down of a chinwag app built by ``chinwag.app.create_app``.

    Entering migrates the database (unless ``run_migrations=False``), subscribes to the control
    channel and starts the limits; leaving stops them and closes the database.
    """
    # chinwag's lifespan yields no state (Starlette's type allows either).
    return cast(AbstractAsyncContextManager[None], app.router.lifespan_context(app))
