"""Campaign repository."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.domain.conversation import Campaign
from chinwag.domain.time import utc_now
from chinwag.storage.schema import campaign_members, campaigns


class CampaignRepository:
    """Campaigns and their members, on one connection/transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def create(self, name: str, member_ids: Sequence[str]) -> Campaign:
        """Insert a campaign with its members."""
        campaign = Campaign(
            id=str(uuid.uuid4()),
            name=name,
            member_ids=tuple(sorted(set(member_ids))),
            created_at=utc_now(),
        )
        await self._conn.execute(
            insert(campaigns).values(
                id=campaign.id, name=campaign.name, created_at=campaign.created_at
            )
        )
        await self._set_members(campaign.id, campaign.member_ids)
        return campaign

    async def get(self, campaign_id: str) -> Campaign | None:
        """The campaign, or None."""
        row = (
            (await self._conn.execute(select(campaigns).where(campaigns.c.id == campaign_id)))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return Campaign(
            id=row["id"],
            name=row["name"],
            member_ids=await self.member_ids(campaign_id),
            created_at=row["created_at"],
        )

    async def member_ids(self, campaign_id: str) -> tuple[str, ...]:
        """Member user ids of a campaign (empty for an unknown one)."""
        result = await self._conn.execute(
            select(campaign_members.c.user_id)
            .where(campaign_members.c.campaign_id == campaign_id)
            .order_by(campaign_members.c.user_id)
        )
        return tuple(result.scalars())

    async def update(
        self,
        campaign_id: str,
        *,
        name: str | None = None,
        member_ids: Sequence[str] | None = None,
    ) -> tuple[Campaign, Campaign] | None:
        """Change name and/or members; returns (before, after), or None when unknown."""
        before = await self.get(campaign_id)
        if before is None:
            return None
        if name is not None:
            await self._conn.execute(
                update(campaigns).where(campaigns.c.id == campaign_id).values(name=name)
            )
        if member_ids is not None:
            await self._conn.execute(
                delete(campaign_members).where(campaign_members.c.campaign_id == campaign_id)
            )
            await self._set_members(campaign_id, sorted(set(member_ids)))
        after = await self.get(campaign_id)
        assert after is not None
        return before, after

    async def _set_members(self, campaign_id: str, member_ids: Sequence[str]) -> None:
        if member_ids:
            await self._conn.execute(
                insert(campaign_members),
                [{"campaign_id": campaign_id, "user_id": u} for u in member_ids],
            )
