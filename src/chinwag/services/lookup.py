"""Loading what a principal may see, with "not found" for what they may not."""

from __future__ import annotations

from chinwag.domain.access import can_join_campaign, can_read_conversation
from chinwag.domain.conversation import Campaign, Conversation
from chinwag.domain.principal import Principal
from chinwag.errors import NotFound
from chinwag.services.ports import Session


async def readable_conversation(
    session: Session, principal: Principal, conversation_id: str
) -> Conversation:
    """The conversation if the principal may read it (access or service role), else NotFound."""
    conversation = await session.conversations.get(conversation_id)
    if conversation is None:
        raise NotFound("Conversation not found")
    if principal.is_service:
        return conversation
    members = await session.campaigns.member_ids(conversation.campaign_id)
    if not can_read_conversation(principal, conversation, members):
        raise NotFound("Conversation not found")
    return conversation


async def joinable_campaign(session: Session, principal: Principal, campaign_id: str) -> Campaign:
    """The campaign if the principal is a member (or service role), else NotFound."""
    campaign = await session.campaigns.get(campaign_id)
    if campaign is None or not can_join_campaign(principal, campaign.member_ids):
        raise NotFound("Campaign not found")
    return campaign
