"""The service refuses to start with an incomplete handler implementation."""

from __future__ import annotations

from pathlib import Path

import pytest

from chinwag.app import create_app
from chinwag.config import Settings
from chinwag.handlers.socket import SocketHandlers
from chinwag.services.container import Services
from chinwag_contract.emitter import Emitter


def test_create_app_with_a_handler_missing_a_method_fails_at_startup(tmp_path: Path) -> None:
    class Incomplete(SocketHandlers):
        pass

    Incomplete.on_chat_send = None  # type: ignore[assignment]

    def factory(services: Services, emitter: Emitter) -> SocketHandlers:
        return Incomplete(services)

    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", jwt_secret="s" * 32
    )
    with pytest.raises(TypeError, match="on_chat_send"):
        create_app(settings, handlers_factory=factory)


def test_create_app_with_the_complete_handlers_starts(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", jwt_secret="s" * 32
    )
    app = create_app(settings)
    assert app.state.runtime.gateway.handlers is not None
