"""What the services need from storage, as Protocols (storage implements them).

Services depend on these, not on ``chinwag.storage``; the composition root passes
a ``chinwag.storage.Database``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from chinwag.domain.conversation import Campaign, ChatStatus, Conversation
from chinwag.domain.flow import FlowState
from chinwag.domain.message import Message, NewMessage
from chinwag.domain.principal import Principal


class StoredMessageLike(Protocol):
    """A committed message and whether an earlier send had stored it."""

    @property
    def message(self) -> Message: ...

    @property
    def duplicate(self) -> bool: ...

    @property
    def conversation(self) -> Conversation: ...


class Campaigns(Protocol):
    """Campaign repository."""

    async def create(self, name: str, member_ids: Sequence[str]) -> Campaign: ...

    async def get(self, campaign_id: str) -> Campaign | None: ...

    async def member_ids(self, campaign_id: str) -> tuple[str, ...]: ...

    async def update(
        self,
        campaign_id: str,
        *,
        name: str | None = None,
        member_ids: Sequence[str] | None = None,
    ) -> tuple[Campaign, Campaign] | None: ...


class Conversations(Protocol):
    """Conversation repository."""

    async def create(
        self, campaign_id: str, chat_status: ChatStatus, participant_ids: Sequence[str]
    ) -> Conversation: ...

    async def get(self, conversation_id: str) -> Conversation | None: ...

    async def update(
        self,
        conversation_id: str,
        *,
        chat_status: ChatStatus | None = None,
        participant_ids: Sequence[str] | None = None,
    ) -> tuple[Conversation, Conversation] | None: ...

    async def list_for(self, principal: Principal) -> list[tuple[Conversation, int]]: ...


class Messages(Protocol):
    """Message repository."""

    async def get(self, message_id: str) -> Message | None: ...

    async def page(
        self,
        conversation_id: str,
        *,
        after_seq: int | None = None,
        before_seq: int | None = None,
        limit: int | None = None,
    ) -> list[Message]: ...

    async def after(
        self, conversation_id: str, after_seq: int, limit: int | None = None
    ) -> tuple[list[Message], bool]: ...


class Reads(Protocol):
    """Read-receipt repository."""

    async def mark_read(
        self,
        conversation_id: str,
        reader_id: str,
        read_at: datetime,
        *,
        message_ids: Sequence[str] | None = None,
        up_to_message_id: str | None = None,
    ) -> list[str]: ...


class Flows(Protocol):
    """Flow-state repository; ``append`` stores messages inside the open transaction."""

    async def get(self, conversation_id: str) -> FlowState | None: ...

    async def put(self, state: FlowState) -> None: ...

    async def claim(self, conversation_id: str, prompt_message_id: str) -> bool: ...

    async def cancel(self, conversation_id: str) -> bool: ...

    async def answer_of(self, prompt_message_id: str) -> str | None: ...

    async def record_answer(self, prompt_message_id: str, answer_message_id: str) -> None: ...

    async def sent(self, sender_id: str, client_nonce: str) -> tuple[Message, str] | None: ...

    async def append(self, items: Sequence[NewMessage]) -> Sequence[StoredMessageLike]: ...


class Session(Protocol):
    """The repositories over one connection (one transaction when writing)."""

    @property
    def campaigns(self) -> Campaigns: ...

    @property
    def conversations(self) -> Conversations: ...

    @property
    def messages(self) -> Messages: ...

    @property
    def reads(self) -> Reads: ...

    @property
    def flows(self) -> Flows: ...


class Store(Protocol):
    """The database: read snapshots, write transactions, the group-commit send path."""

    def read(self) -> AbstractAsyncContextManager[Session]: ...

    def write(self) -> AbstractAsyncContextManager[Session]: ...

    async def send(self, item: NewMessage) -> StoredMessageLike: ...
