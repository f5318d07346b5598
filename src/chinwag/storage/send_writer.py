"""Group commit for message inserts: many concurrent sends, one transaction.

Each caller's future resolves only after the transaction holding its message commits.
Per batch: one SELECT finds earlier sends with the same (sender, nonce), one
``UPDATE conversations SET last_seq = last_seq + k … RETURNING last_seq`` per
conversation reserves a gap-free seq range (a row lock on PostgreSQL), one multi-row
INSERT stores the messages. A retry whose original is in the same batch maps to it.
If the batch fails anyway (a retry racing its original in another transaction on
PostgreSQL, any unexpected error) it is rolled back whole, so the counters leave no
gap, and its items are redone one transaction each; a unique violation on the nonce
then means the original has committed meanwhile, and it is read and returned.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlalchemy import and_, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.domain.conversation import Conversation, with_last_message
from chinwag.domain.message import (
    Message,
    NewMessage,
    action_data_to_dict,
    attachment_to_dict,
)
from chinwag.domain.time import utc_now
from chinwag.errors import (
    ChinwagError,
    IdempotencyConflict,
    Internal,
    NotFound,
    NotRealTime,
)
from chinwag.storage.rows import MESSAGE_COLUMNS, message_from_row
from chinwag.storage.schema import conversations, messages
from chinwag.storage.send_context import load_send_contexts

log = logging.getLogger(__name__)

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A committed message; ``duplicate`` when it was stored by an earlier send."""

    message: Message
    duplicate: bool
    conversation: Conversation
    """The conversation right after the message (for events); as found, for a duplicate."""


@dataclass(slots=True)
class _Pending:
    item: NewMessage
    future: asyncio.Future[StoredMessage]


def _key(item: NewMessage) -> Key | None:
    if item.sender_id is None or item.client_nonce is None:
        return None
    return (item.sender_id, item.client_nonce)


class SendWriter:
    """Batches concurrent message inserts into shared transactions (group commit)."""

    def __init__(
        self,
        begin: Callable[[], AbstractAsyncContextManager[AsyncConnection]],
        *,
        max_batch: int = 64,
        writers: int = 1,
    ) -> None:
        self._begin = begin
        self._max_batch = max_batch
        self._writers = writers
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    async def submit(self, item: NewMessage) -> StoredMessage:
        """Store ``item`` (or find its original); returns once the transaction committed."""
        if not self._tasks:
            self._tasks = [asyncio.create_task(self._run()) for _ in range(self._writers)]
        future: asyncio.Future[StoredMessage] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(item, future))
        return await future

    async def close(self) -> None:
        """Stop the writer tasks; sends still queued fail with ``Internal``."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        while not self._queue.empty():
            pending = self._queue.get_nowait()
            if not pending.future.done():
                pending.future.set_exception(Internal("shutting down"))

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit(batch)
            except Exception:  # never let the writer die: fail the batch instead
                log.exception("group commit failed")
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(Internal())

    async def _commit(self, batch: list[_Pending]) -> None:
        try:
            async with self._begin() as conn:
                outcomes = await write_batch(conn, [p.item for p in batch])
        except Exception as exc:
            if len(batch) == 1:
                outcomes = [await self._redo_single(batch[0].item, exc)]
            else:
                for pending in batch:
                    await self._commit([pending])
                return
        for pending, outcome in zip(batch, outcomes, strict=True):
            if pending.future.done():
                continue
            if isinstance(outcome, ChinwagError):
                pending.future.set_exception(outcome)
            else:
                pending.future.set_result(outcome)

    async def _redo_single(self, item: NewMessage, exc: Exception) -> StoredMessage | ChinwagError:
        key = _key(item)
        if isinstance(exc, IntegrityError) and key is not None:
            async with self._begin() as conn:
                existing = await find_by_keys(conn, [key])
                contexts = await load_send_contexts(conn, [item])
            context = contexts.get(item.conversation_id)
            if key in existing and context is not None:
                return _compare(item, *existing[key], context.conversation)
        log.error("message insert failed", exc_info=exc)
        return Internal()


def _compare(
    item: NewMessage, message: Message, stored_hash: str, conversation: Conversation
) -> StoredMessage | ChinwagError:
    if stored_hash != item.content_hash:
        return IdempotencyConflict()
    return StoredMessage(message, True, conversation)


async def find_by_keys(
    conn: AsyncConnection, keys: Sequence[Key]
) -> dict[Key, tuple[Message, str]]:
    """Stored messages by (sender_id, client_nonce), with their content hashes."""
    if not keys:
        return {}
    wanted = set(keys)
    result = await conn.execute(
        select(*MESSAGE_COLUMNS, messages.c.content_hash).where(
            and_(
                messages.c.sender_id.in_({k[0] for k in keys}),
                messages.c.client_nonce.in_({k[1] for k in keys}),
            )
        )
    )
    found: dict[Key, tuple[Message, str]] = {}
    for row in result.mappings():
        key = (row["sender_id"], row["client_nonce"])
        if key in wanted:
            found[key] = (message_from_row(row), row["content_hash"])
    return found


async def write_batch(
    conn: AsyncConnection, items: Sequence[NewMessage]
) -> list[StoredMessage | ChinwagError]:
    """Store ``items`` in the open transaction ``conn``; one outcome per item, in order."""
    outcomes: list[StoredMessage | ChinwagError | None] = [None] * len(items)
    contexts = await load_send_contexts(conn, items)
    existing = await find_by_keys(conn, [k for k in map(_key, items) if k is not None])
    first_of: dict[Key, int] = {}
    repeats: list[tuple[int, int]] = []
    fresh: dict[tuple[str, bool], list[int]] = {}
    for i, item in enumerate(items):
        key = _key(item)
        context = contexts.get(item.conversation_id)
        if context is None or not context.allows(item):
            outcomes[i] = NotFound("Conversation not found")
        elif key is not None and key in existing:
            outcomes[i] = _compare(item, *existing[key], context.conversation)
        elif key is not None and key in first_of:
            repeats.append((i, first_of[key]))
        else:
            if key is not None:
                first_of[key] = i
            fresh.setdefault((item.conversation_id, item.require_real_time), []).append(i)
    now = utc_now()
    rows = []
    # Sorted so that concurrent PostgreSQL batches lock conversation rows in one order.
    for (conversation_id, real_time_only), indexes in sorted(fresh.items()):
        stmt = (
            update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(last_seq=conversations.c.last_seq + len(indexes), updated_at=now)
            .returning(conversations.c.last_seq)
        )
        if real_time_only:
            stmt = stmt.where(conversations.c.chat_status == "real_time")
        last_seq = (await conn.execute(stmt)).scalar()
        if last_seq is None:
            for i in indexes:
                outcomes[i] = NotRealTime()
            continue
        for offset, i in enumerate(indexes):
            item = items[i]
            message = Message(
                id=str(uuid.uuid4()),
                conversation_id=conversation_id,
                seq=last_seq - len(indexes) + 1 + offset,
                sender_id=item.sender_id,
                kind=item.kind,
                text=item.text,
                attachments=item.attachments,
                action_data=item.action_data,
                client_nonce=item.client_nonce,
                created_at=now,
            )
            conversation = contexts[conversation_id].conversation
            outcomes[i] = StoredMessage(message, False, with_last_message(conversation, message))
            rows.append(_row(message, item.content_hash))
    if rows:
        await conn.execute(insert(messages), rows)
    for i, first in repeats:
        original = outcomes[first]
        if isinstance(original, StoredMessage):
            outcomes[i] = _compare(
                items[i], original.message, items[first].content_hash, original.conversation
            )
        else:
            outcomes[i] = original
    return [o if o is not None else Internal() for o in outcomes]


def _row(message: Message, content_hash: str) -> dict[str, object]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "sender_id": message.sender_id,
        "kind": message.kind,
        "text": message.text,
        "attachments": [attachment_to_dict(a) for a in message.attachments],
        "action_data": action_data_to_dict(message.action_data)
        if message.action_data is not None
        else None,
        "client_nonce": message.client_nonce,
        "content_hash": content_hash,
        "created_at": message.created_at,
    }
