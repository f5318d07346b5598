"""A worker process for the embedding tests: no socket server, only the two URLs.

``python -m tests.support.embed_worker CONVERSATION_ID USER_ID`` with ``CHINWAG_DATABASE_URL`` and
``CHINWAG_REDIS_URL`` set. It first tries an invalid emit (which must raise before anything is
published), then posts an automated message and emits to the user; it prints one JSON line with
what happened. ``--report USER_ID`` only reports a membership change of that user.
"""

from __future__ import annotations

import asyncio
import json
import sys

from pydantic import ValidationError

from chinwag.embed import worker_emitter
from chinwag_contract import models


async def main(conversation_id: str, user_id: str) -> dict[str, object]:
    async with worker_emitter() as emitter:
        try:
            # conversation_list_updated without `action`: breaks the contract.
            await emitter.emit_to_user(
                user_id, "conversation_list_updated", {"conversation_id": "x", "message": None}
            )
            invalid = "sent"
        except ValidationError as exc:
            invalid = type(exc).__name__
        message = await emitter.post_automated_message(
            conversation_id, text="from the worker", reason="worker-test"
        )
        await emitter.emit_to_user(
            user_id,
            "conversation_list_updated",
            models.ConversationListUpdatedPayload(
                conversation_id=conversation_id,
                message=message,
                action="new_message",
            ),
        )
    return {"invalid": invalid, "message": message.model_dump(mode="json")}


async def report(user_id: str) -> dict[str, object]:
    """``python -m tests.support.embed_worker --report USER_ID``: a membership changed."""
    async with worker_emitter() as emitter:
        await emitter.report_membership_change(user_id)
    return {"reported": user_id}


if __name__ == "__main__":
    if sys.argv[1] == "--report":
        print(json.dumps(asyncio.run(report(sys.argv[2]))))
    else:
        print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2]))))
