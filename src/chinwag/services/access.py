"""Whether a principal may still listen to a room: the checks behind room evictions."""

from __future__ import annotations

from chinwag.domain.principal import Principal
from chinwag.errors import NotFound
from chinwag.services.lookup import joinable_campaign, readable_conversation
from chinwag.services.membership import MembershipProvider
from chinwag.services.ports import Store


class RoomAccess:
    """Answers, from the store, whether a principal may be in a conversation or work room."""

    def __init__(self, store: Store, membership: MembershipProvider | None = None) -> None:
        self._store = store
        self._membership = membership

    async def can_listen_conversation(self, principal: Principal, conversation_id: str) -> bool:
        """Access to the conversation (participant, campaign member, or service role)."""
        async with self._store.read() as session:
            try:
                await readable_conversation(session, principal, conversation_id, self._membership)
            except NotFound:
                return False
        return True

    async def can_listen_campaign(self, principal: Principal, campaign_id: str) -> bool:
        """Membership of the campaign (or service role)."""
        async with self._store.read() as session:
            try:
                await joinable_campaign(session, principal, campaign_id, self._membership)
            except NotFound:
                return False
        return True
