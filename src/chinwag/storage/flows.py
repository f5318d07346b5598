"""Flow repository: per-conversation flow state, answers, and messages written in-transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.domain.flow import FlowState
from chinwag.domain.message import Message, NewMessage
from chinwag.domain.time import utc_now
from chinwag.errors import ChinwagError
from chinwag.storage.schema import flow_answers, flow_states
from chinwag.storage.send import StoredMessage, find_by_keys, write_batch_on


def _state(row: Any) -> FlowState:
    return FlowState(
        conversation_id=row["conversation_id"],
        flow_id=row["flow_id"],
        step_id=row["step_id"],
        status=row["status"],
        turn=row["turn"],
        prompt_id=row["prompt_id"],
        prompt_message_id=row["prompt_message_id"],
        data=dict(row["data"] or {}),
        updated_at=row["updated_at"],
    )


def _values(state: FlowState) -> dict[str, Any]:
    return {
        "flow_id": state.flow_id,
        "step_id": state.step_id,
        "status": state.status,
        "turn": state.turn,
        "prompt_id": state.prompt_id,
        "prompt_message_id": state.prompt_message_id,
        "data": dict(state.data),
        "updated_at": state.updated_at,
    }


class FlowRepository:
    """Flow state of conversations, on one connection/transaction.

    Row locks are taken in one order everywhere (flow_states, then conversations) so that
    concurrent PostgreSQL transactions cannot deadlock.
    """

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, conversation_id: str) -> FlowState | None:
        """The conversation's flow state (of its latest flow), or None."""
        row = (
            (
                await self._conn.execute(
                    select(flow_states).where(flow_states.c.conversation_id == conversation_id)
                )
            )
            .mappings()
            .first()
        )
        return _state(row) if row is not None else None

    async def put(self, state: FlowState) -> None:
        """Insert or replace the conversation's flow state (locks its row first)."""
        changed = await self._conn.execute(
            update(flow_states)
            .where(flow_states.c.conversation_id == state.conversation_id)
            .values(**_values(state))
        )
        if changed.rowcount == 0:
            await self._conn.execute(
                insert(flow_states).values(conversation_id=state.conversation_id, **_values(state))
            )

    async def claim(self, conversation_id: str, prompt_message_id: str) -> bool:
        """Lock the active state waiting for ``prompt_message_id``; False when it is not that.

        A compare-and-set: of two answers racing for one prompt, only the first one wins.
        """
        changed = await self._conn.execute(
            update(flow_states)
            .where(
                flow_states.c.conversation_id == conversation_id,
                flow_states.c.prompt_message_id == prompt_message_id,
                flow_states.c.status == "active",
            )
            .values(updated_at=utc_now())
        )
        return changed.rowcount == 1

    async def cancel(self, conversation_id: str) -> bool:
        """Mark an active flow cancelled; True when there was one."""
        changed = await self._conn.execute(
            update(flow_states)
            .where(
                flow_states.c.conversation_id == conversation_id,
                flow_states.c.status == "active",
            )
            .values(status="cancelled", updated_at=utc_now())
        )
        return changed.rowcount == 1

    async def answer_of(self, prompt_message_id: str) -> str | None:
        """The id of the message that answered the prompt, or None."""
        return (
            await self._conn.execute(
                select(flow_answers.c.answer_message_id).where(
                    flow_answers.c.prompt_message_id == prompt_message_id
                )
            )
        ).scalar()

    async def record_answer(self, prompt_message_id: str, answer_message_id: str) -> None:
        """Remember that ``answer_message_id`` answered the prompt (at most once)."""
        await self._conn.execute(
            insert(flow_answers).values(
                prompt_message_id=prompt_message_id, answer_message_id=answer_message_id
            )
        )

    async def sent(self, sender_id: str, client_nonce: str) -> tuple[Message, str] | None:
        """A message stored earlier under (sender, clientNonce), with its fingerprint."""
        found = await self._conn.run_sync(find_by_keys, [(sender_id, client_nonce)])
        return found.get((sender_id, client_nonce))

    async def append(self, items: Sequence[NewMessage]) -> list[StoredMessage]:
        """Store messages in this transaction, in order, with consecutive seqs.

        Uses the group-commit batch writer's statements on this connection, so seq stays
        gap-free: the conversation's counter is bumped under its row lock and rolled back
        with the transaction. Raises the first item's error.
        """
        outcomes = await self._conn.run_sync(write_batch_on, items)
        stored = []
        for outcome in outcomes:
            if isinstance(outcome, ChinwagError):
                raise outcome
            stored.append(outcome)
        return stored
