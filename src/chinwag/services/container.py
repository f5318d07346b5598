"""The services bundled for the transport layer, built from settings, a store and a publisher."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chinwag.config import Settings
from chinwag.domain.flow import FlowDefinition
from chinwag.services.auth import TokenService
from chinwag.services.chat import ChatService
from chinwag.services.flows import FlowService
from chinwag.services.identity import token_service
from chinwag.services.management import ManagementService
from chinwag.services.membership import MembershipProvider
from chinwag.services.ports import Store
from chinwag.services.publisher import Publisher
from chinwag.services.webhooks import WebhookAdmin


@dataclass(frozen=True, slots=True)
class Services:
    """Everything handlers call: tokens, chat, management and flow use cases."""

    tokens: TokenService
    chat: ChatService
    management: ManagementService
    flows: FlowService
    webhooks: WebhookAdmin | None = None

    @classmethod
    def build(
        cls,
        settings: Settings,
        store: Store,
        publisher: Publisher,
        catalog: Mapping[str, FlowDefinition] | None = None,
        membership: MembershipProvider | None = None,
    ) -> Services:
        """Wire the services; ``store`` is normally a ``chinwag.storage.Database``.

        ``catalog`` defaults to the flows in ``settings.flows_dir``; ``membership`` is the host's
        provider (None: chinwag's tables decide).
        """
        if catalog is None:
            from chinwag.flow_catalog import load_catalog

            catalog = load_catalog(settings.flows_dir)
        flows = FlowService(store, publisher, catalog, membership)
        return cls(
            tokens=token_service(settings),
            chat=ChatService(store, publisher, membership),
            management=ManagementService(store, publisher, flows, membership),
            flows=flows,
            webhooks=WebhookAdmin(store),
        )
