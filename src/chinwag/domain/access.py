"""Who may do what: pure rules over principals, campaigns and conversations."""

from __future__ import annotations

from collections.abc import Collection

from chinwag.domain.conversation import Conversation
from chinwag.domain.principal import Principal


def can_access_conversation(
    principal: Principal,
    conversation: Conversation,
    campaign_member_ids: Collection[str],
) -> bool:
    """A user may access a conversation as a participant or a member of its campaign.

    This is the user rule only; the service role is handled by the operation-specific
    functions below (it reads and listens everywhere but never writes as a user).
    """
    return (
        principal.user_id in conversation.participant_ids
        or principal.user_id in campaign_member_ids
    )


def can_read_conversation(
    principal: Principal,
    conversation: Conversation,
    campaign_member_ids: Collection[str],
) -> bool:
    """REST reads, ``chat:join`` and ``chat:sync``: access, or the service role."""
    return principal.is_service or can_access_conversation(
        principal, conversation, campaign_member_ids
    )


def may_write_as_user(principal: Principal) -> bool:
    """``chat:send``, ``chat:read`` and ``chat:action`` are for users, not the service role."""
    return not principal.is_service


def can_join_campaign(principal: Principal, campaign_member_ids: Collection[str]) -> bool:
    """``work:join``: campaign membership, or the service role."""
    return principal.is_service or principal.user_id in campaign_member_ids


def may_manage(principal: Principal) -> bool:
    """REST management routes are for the service role."""
    return principal.is_service
