"""Domain events → contract events. The services publish after commit; this fans out.

Also keeps rooms honest: when a membership shrinks, every socket of a user who lost
access leaves the rooms that access granted, at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

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
from chinwag.domain.principal import Principal
from chinwag.domain.time import format_timestamp
from chinwag.handlers.presenters import message_to_wire, optional_message_to_wire
from chinwag_contract.emitter import (
    ConversationRoom,
    Emitter,
    UserRoom,
    WorkRoom,
    dump_payload,
    user_room,
)

Revoke = Callable[[str, dict[str, Any] | None], Awaitable[None]]
"""Revoke a user's lost rooms (and send the ``removed`` notice, when given)."""

ROOM_PREFIX = "room:"
WORK_PREFIX = "room:work:"


class RoomDirectory(Protocol):
    """Room membership operations the transport offers (for evictions)."""

    async def sockets_of_user(self, user_id: str) -> Sequence[str]:
        """Socket ids of the user's sockets."""
        ...

    async def rooms_of(self, sid: str) -> Sequence[str]:
        """Rooms a socket is in."""
        ...

    async def remove_from_room(self, sid: str, room: str) -> None:
        """Take a socket out of a room."""
        ...

    async def emit_local(self, event: str, data: dict[str, Any], room: str) -> None:
        """Emit to the sockets of ``room`` on this process only."""
        ...


class AccessChecker(Protocol):
    """Answers whether a principal may still be in a room."""

    async def can_listen_conversation(self, principal: Principal, conversation_id: str) -> bool:
        """Access to the conversation (or service role)."""
        ...

    async def can_listen_campaign(self, principal: Principal, campaign_id: str) -> bool:
        """Campaign membership (or service role)."""
        ...


class Notifier:
    """Publishes domain events as contract events (the services' Publisher)."""

    def __init__(self, emitter: Emitter, rooms: RoomDirectory, access: AccessChecker) -> None:
        self.emitter = emitter
        self.rooms = rooms
        self.access = access
        # Replaced by a cross-process broadcast when several processes share the rooms.
        self.revoke_everywhere: Revoke = self.revoke_locally

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Emit each event, in order."""
        for event in events:
            await self._publish_one(event)

    async def _publish_one(self, event: DomainEvent) -> None:
        if isinstance(event, MessageCreated):
            wire = message_to_wire(event.message)
            await self.emitter.chat_new(
                {"message": wire},
                to=[ConversationRoom(event.message.conversation_id)],
                skip_sid=event.origin,
            )
            await self._list_updated(event.conversation, event.message, "new_message", wire)
        elif isinstance(event, AutomatedMessageCreated):
            wire = message_to_wire(event.message)
            await self.emitter.chat_automated(
                {"message": wire, "reason": event.reason},
                to=[ConversationRoom(event.message.conversation_id)],
            )
            await self._list_updated(event.conversation, event.message, "new_message", wire)
        elif isinstance(event, MessagesRead):
            if event.message_ids:
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
        elif isinstance(event, ConversationCreated):
            await self._list_updated_latest(event.conversation, "created")
        elif isinstance(event, ChatStatusChanged):
            conversation = event.conversation
            await self.emitter.chat_status(
                {
                    "conversationId": conversation.id,
                    "chat_status": conversation.chat_status,
                },
                to=[ConversationRoom(conversation.id)],
            )
            await self._list_updated_latest(conversation, "status_changed")
        elif isinstance(event, ParticipantsChanged):
            await self._participants_changed(event)
        elif isinstance(event, CampaignMembersChanged):
            for user_id in event.removed_user_ids:
                await self.revoke_everywhere(user_id, None)

    async def _participants_changed(self, event: ParticipantsChanged) -> None:
        conversation = event.conversation
        await self._list_updated_latest(conversation, "participants_changed")
        removed = {
            "conversation_id": conversation.id,
            "message": optional_message_to_wire(conversation.last_message),
            "action": "removed",
        }
        for user_id in event.removed_user_ids:
            await self.revoke_everywhere(user_id, removed)

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
        targets.extend(UserRoom(u) for u in conversation.participant_ids)
        await self.emitter.conversation_list_updated(
            {"conversation_id": conversation.id, "message": wire, "action": action},
            to=targets,
        )

    async def revoke_locally(self, user_id: str, removed: dict[str, Any] | None) -> None:
        """On this process: evict the user's sockets from rooms it lost, THEN tell them.

        Evicting before the ``removed`` notice (both on the process that holds the sockets)
        means a client that saw ``removed`` can rely on getting nothing more from the room.
        """
        await self.revalidate_rooms(user_id)
        if removed is not None:
            data = dump_payload("conversation_list_updated", removed)
            await self.rooms.emit_local("conversation_list_updated", data, user_room(user_id))

    async def revalidate_rooms(self, user_id: str) -> None:
        """Take every socket of ``user_id`` out of the rooms it may no longer be in."""
        principal = Principal(user_id=user_id, role="user")
        for sid in await self.rooms.sockets_of_user(user_id):
            for room in await self.rooms.rooms_of(sid):
                if not await self._may_stay(principal, room):
                    await self.rooms.remove_from_room(sid, room)

    async def _may_stay(self, principal: Principal, room: str) -> bool:
        if room.startswith(WORK_PREFIX):
            return await self.access.can_listen_campaign(principal, room[len(WORK_PREFIX) :])
        if room.startswith(ROOM_PREFIX):
            return await self.access.can_listen_conversation(principal, room[len(ROOM_PREFIX) :])
        return True
