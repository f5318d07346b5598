"""The services bundled for the transport layer, built from settings, a store and a publisher."""

from __future__ import annotations

from dataclasses import dataclass

from chinwag.config import Settings
from chinwag.services.auth import TokenService
from chinwag.services.chat import ChatService
from chinwag.services.management import ManagementService
from chinwag.services.ports import Store
from chinwag.services.publisher import Publisher


@dataclass(frozen=True, slots=True)
class Services:
    """Everything handlers call: tokens, chat and management use cases."""

    tokens: TokenService
    chat: ChatService
    management: ManagementService

    @classmethod
    def build(cls, settings: Settings, store: Store, publisher: Publisher) -> Services:
        """Wire the services; ``store`` is normally a ``chinwag.storage.Database``."""
        return cls(
            tokens=TokenService(
                settings.effective_jwt_secret,
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
            ),
            chat=ChatService(store, publisher),
            management=ManagementService(store, publisher),
        )
