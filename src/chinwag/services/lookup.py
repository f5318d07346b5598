"""Loading what a principal may see, with "not found" for what they may not."""

from __future__ import annotations

from chinwag.domain.access import can_join_campaign, can_read_conversation
from chinwag.domain.conversation import Campaign, Conversation
from chinwag.domain.principal import Principal
from chinwag.errors import NotFound
from chinwag.services.membership import MembershipProvider
from chinwag.services.ports import Session


async def readable_conversation(
    session: Session,
    principal: Principal,
    conversation_id: str,
    membership: MembershipProvider | None = None,
) -> Conversation:
    """The conversation if the principal may read it (access or service role), else NotFound.

    ``membership`` (the host's provider) decides instead of chinwag's tables when given.
    """
    conversation = await session.conversations.get(conversation_id)
    if conversation is None:
        raise NotFound("Conversation not found")
    if principal.is_service:
        return conversation
    if membership is not None:
        if not await membership.may_access_conversation(
            principal.user_id, conversation.id, conversation.campaign_id
        ):
            raise NotFound("Conversation not found")
        return conversation
    members = await session.campaigns.member_ids(conversation.campaign_id)
    if not can_read_conversation(principal, conversation, members):
        raise NotFound("Conversation not found")
    return conversation


async def joinable_campaign(
    session: Session,
    principal: Principal,
    campaign_id: str,
    membership: MembershipProvider | None = None,
) -> Campaign:
    """The campaign if the principal is a member (or service role), else NotFound."""
    campaign = await session.campaigns.get(campaign_id)
    if campaign is None:
        raise NotFound("Campaign not found")
    if membership is not None and not principal.is_service:
        member = await membership.is_campaign_member(principal.user_id, campaign_id)
    else:
        member = can_join_campaign(principal, campaign.member_ids)
    if not member:
        raise NotFound("Campaign not found")
    return campaign
