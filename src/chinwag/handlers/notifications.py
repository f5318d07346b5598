"""Domain events → contract events. The services publish after commit; this fans out.

One table maps each domain event type to its broadcast (:attr:`Notifier.broadcasts`): a new
broadcast is one method and one entry. Membership losses are handed to ``revoke`` (see
:mod:`chinwag.handlers.evictions`), which reaches every process sharing the rooms.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from chinwag.domain.conversation import Conversation
from chinwag.domain.events import (
    AutomatedMessageCreated,
    CampaignMembersChanged,
    ChatStatusChanged,
    ConversationCreated,
    DomainEvent,
    MessageCreated,
    MessagesRead,
    ParticipantsChanged,
)
from chinwag.domain.message import Message
from chinwag.domain.time import format_timestamp
from chinwag.handlers.evictions import Revoke
from chinwag.handlers.presenters import message_to_wire, optional_message_to_wire
from chinwag_contract.emitter import ConversationRoom, Emitter, UserRoom, WorkRoom

Participants = Callable[[Conversation], Awaitable[Sequence[str]]]
"""The user ids whose user rooms get a conversation's list updates."""


class Notifier:
    """Publishes domain events as contract events (the services' Publisher)."""

    def __init__(
        self, emitter: Emitter, revoke: Revoke, participants: Participants | None = None
    ) -> None:
        self.emitter = emitter
        self.revoke = revoke
        #: Who gets a conversation's list updates in their user room (default: its
        #: ``participant_ids``; a host's membership provider when one is configured).
        self.participants = participants
        #: Domain event type → its broadcast.
        self.broadcasts: dict[type[Any], Callable[[Any], Awaitable[None]]] = {
            MessageCreated: self._message_created,
            AutomatedMessageCreated: self._automated_message_created,
            MessagesRead: self._messages_read,
            ConversationCreated: self._conversation_created,
            ChatStatusChanged: self._chat_status_changed,
            ParticipantsChanged: self._participants_changed,
            CampaignMembersChanged: self._campaign_members_changed,
        }

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Emit each event, in order."""
        for event in events:
            await self.broadcasts[type(event)](event)

    async def _message_created(self, event: MessageCreated) -> None:
        wire = message_to_wire(event.message)
        await self.emitter.chat_new(
            {"message": wire},
            to=[ConversationRoom(event.message.conversation_id)],
            skip_sid=event.origin,
        )
        await self._list_updated(event.conversation, event.message, "new_message", wire)

    async def _automated_message_created(self, event: AutomatedMessageCreated) -> None:
        wire = message_to_wire(event.message)
        await self.emitter.chat_automated(
            {"message": wire, "reason": event.reason},
            to=[ConversationRoom(event.message.conversation_id)],
        )
        await self._list_updated(event.conversation, event.message, "new_message", wire)

    async def _messages_read(self, event: MessagesRead) -> None:
        if not event.message_ids:
            return
        await self.emitter.chat_read_receipt(
            {
                "messageIds": list(event.message_ids),
                "readerId": event.reader_id,
                "readAt": format_timestamp(event.read_at),
                "conversationId": event.conversation_id,
            },
            to=[ConversationRoom(event.conversation_id)],
            skip_sid=event.origin,
        )

    async def _conversation_created(self, event: ConversationCreated) -> None:
        await self._list_updated_latest(event.conversation, "created")

    async def _chat_status_changed(self, event: ChatStatusChanged) -> None:
        conversation = event.conversation
        await self.emitter.chat_status(
            {"conversationId": conversation.id, "chat_status": conversation.chat_status},
            to=[ConversationRoom(conversation.id)],
        )
        await self._list_updated_latest(conversation, "status_changed")

    async def _participants_changed(self, event: ParticipantsChanged) -> None:
        conversation = event.conversation
        await self._list_updated_latest(conversation, "participants_changed")
        removed = {
            "conversation_id": conversation.id,
            "message": optional_message_to_wire(conversation.last_message),
            "action": "removed",
        }
        for user_id in event.removed_user_ids:
            await self.revoke(user_id, removed)

    async def _campaign_members_changed(self, event: CampaignMembersChanged) -> None:
        for user_id in event.removed_user_ids:
            await self.revoke(user_id, None)

    async def _list_updated_latest(self, conversation: Conversation, action: str) -> None:
        wire = optional_message_to_wire(conversation.last_message)
        await self._list_updated(conversation, conversation.last_message, action, wire)

    async def _list_updated(
        self,
        conversation: Conversation,
        message: Message | None,
        action: str,
        wire: dict[str, Any] | None,
    ) -> None:
        targets: list[WorkRoom | UserRoom] = [WorkRoom(conversation.campaign_id)]
        users = (
            conversation.participant_ids
            if self.participants is None
            else await self.participants(conversation)
        )
        targets.extend(UserRoom(u) for u in users)
        await self.emitter.conversation_list_updated(
            {"conversation_id": conversation.id, "message": wire, "action": action},
            to=targets,
        )
