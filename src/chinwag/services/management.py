"""REST-side use cases: campaigns, conversations, message history, automated messages."""

from __future__ import annotations

from collections.abc import Sequence

from chinwag.domain.access import may_manage
from chinwag.domain.conversation import (
    Campaign,
    ChatStatus,
    Conversation,
)
from chinwag.domain.events import (
    AutomatedMessageCreated,
    CampaignMembersChanged,
    ChatStatusChanged,
    ConversationCreated,
    ParticipantsChanged,
)
from chinwag.domain.membership import membership_change
from chinwag.domain.message import ActionData, Message, NewMessage
from chinwag.domain.principal import Principal
from chinwag.errors import Forbidden, InvalidPayload, NotFound
from chinwag.services.flows import FlowService
from chinwag.services.lookup import readable_conversation
from chinwag.services.membership import MembershipProvider
from chinwag.services.ports import Store
from chinwag.services.publisher import Publisher
from chinwag.services.unit_of_work import UnitOfWork


def _require_service(principal: Principal) -> None:
    if not may_manage(principal):
        raise Forbidden("This operation needs the service role")


class ManagementService:
    """Use cases behind the REST API. Writes need the service role (else ``forbidden``)."""

    def __init__(
        self,
        store: Store,
        publisher: Publisher,
        flows: FlowService | None = None,
        membership: MembershipProvider | None = None,
    ) -> None:
        self._store = store
        self._membership = membership
        self._publisher = publisher
        self._flows = flows

    async def create_campaign(
        self, principal: Principal, name: str, member_ids: Sequence[str] = ()
    ) -> Campaign:
        """Create a campaign."""
        _require_service(principal)
        async with UnitOfWork(self._store, self._publisher) as uow:
            return await uow.session.campaigns.create(name, member_ids)

    async def update_campaign(
        self,
        principal: Principal,
        campaign_id: str,
        *,
        name: str | None = None,
        member_ids: Sequence[str] | None = None,
    ) -> Campaign:
        """Rename and/or replace members; ``CampaignMembersChanged`` when members changed."""
        _require_service(principal)
        async with UnitOfWork(self._store, self._publisher) as uow:
            changed = await uow.session.campaigns.update(
                campaign_id, name=name, member_ids=member_ids
            )
            if changed is None:
                raise NotFound("Campaign not found")
            before, after = changed
            removed, added = membership_change(before.member_ids, after.member_ids)
            if removed or added:
                uow.emit(CampaignMembersChanged(after, removed, added))
        return after

    async def create_conversation(
        self,
        principal: Principal,
        campaign_id: str,
        participant_ids: Sequence[str],
        chat_status: ChatStatus = "real_time",
        flow_id: str | None = None,
    ) -> Conversation:
        """Create a conversation in an existing campaign (else ``not_found``).

        With ``flow_id`` (automated conversations only) the flow starts in the same
        transaction: its first messages follow the ``created`` event.
        """
        _require_service(principal)
        definition = None
        if flow_id is not None:
            if self._flows is None:
                raise InvalidPayload("Flows are not available")
            definition = self._flows.definition_for_new(flow_id, chat_status)
        async with UnitOfWork(self._store, self._publisher) as uow:
            if await uow.session.campaigns.get(campaign_id) is None:
                raise NotFound("Campaign not found")
            conversation = await uow.session.conversations.create(
                campaign_id, chat_status, participant_ids
            )
            uow.emit(ConversationCreated(conversation))
            if definition is not None and self._flows is not None:
                await self._flows.begin(uow, conversation, definition)
                found = await uow.session.conversations.get(conversation.id)
                conversation = found or conversation
        return conversation

    async def get_conversation(self, principal: Principal, conversation_id: str) -> Conversation:
        """The conversation, if the principal may read it (else ``not_found``)."""
        async with self._store.read() as session:
            return await readable_conversation(
                session, principal, conversation_id, self._membership
            )

    async def list_conversations(self, principal: Principal) -> list[tuple[Conversation, int]]:
        """Conversations the principal may read, each with its unread count for them."""
        async with self._store.read() as session:
            return await session.conversations.list_for(principal)

    async def update_conversation(
        self,
        principal: Principal,
        conversation_id: str,
        *,
        chat_status: ChatStatus | None = None,
        participant_ids: Sequence[str] | None = None,
    ) -> Conversation:
        """Change status and/or participants.

        Emits ``ChatStatusChanged`` / ``ParticipantsChanged`` after the commit.
        """
        _require_service(principal)
        async with UnitOfWork(self._store, self._publisher) as uow:
            if chat_status == "real_time":
                # People take over: a running flow stops (its prompt becomes stale). Done
                # before the conversation row is touched: flow_states is always locked first.
                await uow.session.flows.cancel(conversation_id)
            changed = await uow.session.conversations.update(
                conversation_id,
                chat_status=chat_status,
                participant_ids=participant_ids,
            )
            if changed is None:
                raise NotFound("Conversation not found")
            before, after = changed
            if before.chat_status != after.chat_status:
                uow.emit(ChatStatusChanged(after))
            removed, added = membership_change(before.participant_ids, after.participant_ids)
            if removed or added:
                uow.emit(ParticipantsChanged(after, removed, added))
        return after

    async def list_messages(
        self,
        principal: Principal,
        conversation_id: str,
        *,
        after_seq: int | None = None,
        before_seq: int | None = None,
        limit: int | None = None,
    ) -> list[Message]:
        """A page of messages in ascending seq (default 50, at most 200).

        With ``before_seq`` alone: the newest ``limit`` messages below it.
        """
        async with self._store.read() as session:
            await readable_conversation(session, principal, conversation_id, self._membership)
            return await session.messages.page(
                conversation_id, after_seq=after_seq, before_seq=before_seq, limit=limit
            )

    async def post_automated_message(
        self,
        principal: Principal,
        conversation_id: str,
        text: str | None,
        reason: str,
        action_data: ActionData | None = None,
    ) -> Message:
        """Store an automated message (no sender, same seq counter) and announce it.

        For backend services (the service role): the REST route and the embedding API.
        """
        if not may_manage(principal):
            raise Forbidden("The service role is required")
        stored = await self._store.send(
            NewMessage(
                conversation_id=conversation_id,
                sender_id=None,
                kind="automated",
                text=text,
                action_data=action_data,
            )
        )
        event = AutomatedMessageCreated(stored.message, stored.conversation, reason)
        await self._publisher.publish([event])
        return stored.message
