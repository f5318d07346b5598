"""Every domain event the services can publish has exactly one broadcast in the notifier's table."""

from __future__ import annotations

import typing
from typing import Any

from chinwag.domain.events import DomainEvent
from chinwag.handlers.notifications import Notifier
from chinwag_contract.emitter import Emitter


class _NoTransport:
    async def emit(self, event: str, data: dict[str, Any], **_: Any) -> None:
        raise AssertionError("not used")


async def _no_revoke(user_id: str, removed: dict[str, Any] | None) -> None:
    raise AssertionError("not used")


def test_every_domain_event_type_has_one_broadcast() -> None:
    notifier = Notifier(Emitter(_NoTransport()), _no_revoke)
    assert set(notifier.broadcasts) == set(typing.get_args(DomainEvent))
