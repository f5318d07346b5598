"""Socket-side use cases: send, read, join, sync."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from chinwag.domain.access import may_write_as_user
from chinwag.domain.conversation import Campaign, Conversation
from chinwag.domain.events import MessageCreated, MessagesRead
from chinwag.domain.message import Attachment, Message, NewMessage
from chinwag.domain.principal import Principal
from chinwag.domain.time import utc_now
from chinwag.errors import Forbidden, InvalidPayload, NotFound
from chinwag.services.lookup import joinable_campaign, readable_conversation
from chinwag.services.membership import MembershipProvider
from chinwag.services.ports import Store
from chinwag.services.publisher import Publisher
from chinwag.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class SendResult:
    """The stored message; ``duplicate`` when a retry found the original."""

    message: Message
    duplicate: bool


@dataclass(frozen=True, slots=True)
class ReadResult:
    """A read receipt: the ids newly read by ``reader_id`` (possibly none)."""

    conversation_id: str
    message_ids: tuple[str, ...]
    reader_id: str
    read_at: datetime


class ChatService:
    """Use cases behind ``chat:*`` and ``work:*`` socket events."""

    def __init__(
        self, store: Store, publisher: Publisher, membership: MembershipProvider | None = None
    ) -> None:
        self._store = store
        self._publisher = publisher
        self._membership = membership

    async def send(
        self,
        principal: Principal,
        conversation_id: str,
        text: str | None,
        attachments: Sequence[Attachment] = (),
        client_nonce: str | None = None,
        origin: str | None = None,
    ) -> SendResult:
        """Store a user message and announce it (``MessageCreated``) after the commit.

        Checks, in order: service role → ``forbidden``; blank text without attachments
        → ``invalid_payload``; then, all in the write transaction: no access or unknown
        conversation → ``not_found``; the idempotency key (sender, client_nonce) and only
        after it the chat status. So a retry of a message that is already stored
        returns the original (``duplicate=True``, no new event) even when the
        conversation left ``real_time`` since: the client only learns the outcome of a
        send it already made. Same key, other conversation or content →
        ``idempotency_conflict``; a new message in a non-real_time conversation →
        ``not_real_time`` (checked atomically with the seq increment).
        """
        if not may_write_as_user(principal):
            raise Forbidden("The service role cannot send messages")
        if (text is None or not text.strip()) and not attachments:
            raise InvalidPayload(
                "A message needs text or an attachment",
                details=[
                    {
                        "loc": ["text"],
                        "msg": "blank text and no attachments",
                        "type": "value_error",
                    }
                ],
            )
        # Access, idempotency and status are all checked inside the group-commit
        # transaction: one set of queries per batch instead of reads per send. A host's
        # membership provider is asked first instead (it cannot answer inside the batch).
        if self._membership is not None:
            await self.join_conversation(principal, conversation_id)
        stored = await self._store.send(
            NewMessage(
                conversation_id=conversation_id,
                sender_id=principal.user_id,
                kind="user",
                text=text,
                attachments=tuple(attachments),
                client_nonce=client_nonce,
                require_real_time=True,
                require_access=self._membership is None,
            )
        )
        if not stored.duplicate:
            await self._publisher.publish(
                [MessageCreated(stored.message, stored.conversation, origin)]
            )
        return SendResult(stored.message, stored.duplicate)

    async def join_conversation(self, principal: Principal, conversation_id: str) -> Conversation:
        """The conversation, if the principal may listen to it (access or service role)."""
        async with self._store.read() as session:
            return await readable_conversation(
                session, principal, conversation_id, self._membership
            )

    async def join_campaign(self, principal: Principal, campaign_id: str) -> Campaign:
        """The campaign, if the principal may join its work room (member or service role)."""
        async with self._store.read() as session:
            return await joinable_campaign(session, principal, campaign_id, self._membership)

    async def mark_read(
        self,
        principal: Principal,
        conversation_id: str,
        message_ids: Sequence[str] | None = None,
        up_to_message_id: str | None = None,
        origin: str | None = None,
    ) -> ReadResult:
        """Mark messages read; ``MessagesRead`` is published (after commit) when any were new.

        Exactly one of ``message_ids`` / ``up_to_message_id``. The result lists only
        the newly read ids; the caller replies with it even when it is empty.
        """
        if not may_write_as_user(principal):
            raise Forbidden("The service role cannot mark messages read")
        if (message_ids is None) == (up_to_message_id is None):
            raise InvalidPayload("Give exactly one of messageIds or upToMessageId")
        read_at = utc_now()
        async with UnitOfWork(self._store, self._publisher) as uow:
            conversation = await readable_conversation(
                uow.session, principal, conversation_id, self._membership
            )
            newly = await uow.session.reads.mark_read(
                conversation_id,
                principal.user_id,
                read_at,
                message_ids=message_ids,
                up_to_message_id=up_to_message_id,
            )
            if newly:
                uow.emit(
                    MessagesRead(
                        conversation_id=conversation_id,
                        campaign_id=conversation.campaign_id,
                        reader_id=principal.user_id,
                        message_ids=tuple(newly),
                        read_at=read_at,
                        origin=origin,
                    )
                )
        return ReadResult(conversation_id, tuple(newly), principal.user_id, read_at)

    async def sync(
        self,
        principal: Principal,
        conversation_id: str,
        after_seq: int,
        limit: int | None = None,
    ) -> tuple[list[Message], bool]:
        """Messages after ``after_seq`` (pages of ≤ 200) and whether more follow."""
        async with self._store.read() as session:
            await readable_conversation(session, principal, conversation_id, self._membership)
            return await session.messages.after(conversation_id, after_seq, limit)

    async def can_access(self, principal: Principal, conversation_id: str) -> bool:
        """Whether the principal may (still) read the conversation."""
        try:
            await self.join_conversation(principal, conversation_id)
        except NotFound:
            return False
        return True
