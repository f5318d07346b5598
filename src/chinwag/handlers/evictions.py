"""Keeping rooms honest: when a membership shrinks, a user's sockets leave the rooms it granted.

The notifier asks for a revocation (through the control channel when several processes share
the rooms); every process then runs :meth:`RoomEvictions.revoke_locally` for its own sockets.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from chinwag.domain.principal import Principal
from chinwag_contract.emitter import conversation_room, dump_payload, user_room, work_room

Revoke = Callable[[str, dict[str, Any] | None], Awaitable[None]]
"""Revoke a user's lost rooms, then send the ``removed`` notice when one is given."""

CONVERSATION_PREFIX = conversation_room("")
WORK_PREFIX = work_room("")


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


class RoomEvictions:
    """Evicts this process's sockets of a user from the rooms the user lost."""

    def __init__(self, rooms: RoomDirectory, access: AccessChecker) -> None:
        self.rooms = rooms
        self.access = access

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
        if room.startswith(CONVERSATION_PREFIX):
            conversation_id = room[len(CONVERSATION_PREFIX) :]
            return await self.access.can_listen_conversation(principal, conversation_id)
        return True
