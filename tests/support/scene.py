"""Fresh test data on a shared server: unique user ids and a new campaign with one conversation.

Tests share one server per module (``chat_server``), so isolation comes from never reusing ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from tests.support.contract import Payload
from tests.support.rest import Api


def new_user(prefix: str = "user") -> str:
    """A unique user id (the tests share one server per module)."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Scene:
    """A campaign with members and one conversation with participants, fresh for one test."""

    campaign: Payload
    conversation: Payload

    @property
    def campaign_id(self) -> str:
        """The campaign's id."""
        return str(self.campaign["id"])

    @property
    def conversation_id(self) -> str:
        """The conversation's id."""
        return str(self.conversation["id"])


async def make_scene(
    api: Api,
    members: Sequence[str] = (),
    participants: Sequence[str] = (),
    chat_status: str = "real_time",
) -> Scene:
    """Create a campaign and one conversation in it."""
    campaign = await api.create_campaign(members)
    conversation = await api.create_conversation(campaign["id"], participants, chat_status)
    return Scene(campaign, conversation)
