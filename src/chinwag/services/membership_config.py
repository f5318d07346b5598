"""The membership provider a process runs with, from settings or from the embedding host."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from chinwag.config import Settings
from chinwag.domain.conversation import Conversation
from chinwag.services.membership import CachedMembership, HttpMembership, MembershipProvider

Revoke = Callable[[str, dict[str, Any] | None], Awaitable[None]]


def configured_membership(
    settings: Settings, given: MembershipProvider | None = None
) -> CachedMembership | None:
    """The host's provider (``given``, else ``CHINWAG_MEMBERSHIP_URL``) behind the TTL cache.

    None when neither is set: chinwag's own tables decide, inside its queries.
    """
    inner = given
    if inner is None and settings.membership_url:
        inner = HttpMembership(settings.membership_url)
    if inner is None:
        return None
    return CachedMembership(inner, settings.membership_cache_s, settings.membership_cache_size)


def forgetting(membership: CachedMembership | None, revoke: Revoke) -> Revoke:
    """``revoke``, after dropping the user's cached answers (so the re-check asks the host)."""
    if membership is None:
        return revoke

    async def revoke_fresh(user_id: str, removed: dict[str, Any] | None) -> None:
        membership.forget_user(user_id)
        await revoke(user_id, removed)

    return revoke_fresh


def participants_of(
    membership: CachedMembership | None,
) -> Callable[[Conversation], Awaitable[Sequence[str]]] | None:
    """The provider's participant lists for the notifier (None: the conversation's own)."""
    if membership is None:
        return None
    provider = membership

    async def participants(conversation: Conversation) -> Sequence[str]:
        return await provider.participants(conversation.id, conversation.campaign_id)

    return participants
