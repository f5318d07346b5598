"""Who may see what, when the host backend owns users and campaigns.

By default chinwag's own tables answer (a conversation's ``participant_ids``, a campaign's
``member_ids``): no provider is configured and the checks run inside chinwag's queries. A host
that keeps memberships itself gives a :class:`MembershipProvider` (a Python object, or an HTTP
callback: :class:`HttpMembership`), wrapped in :class:`CachedMembership` so that each answer is
reused for a short, bounded time. When the host changes a membership it reports it
(``SocketEmitter.report_membership_change``): the cached answers for that user are dropped on
every process and the user's sockets leave the rooms they lost, at once.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import httpx

log = logging.getLogger("chinwag.membership")


class MembershipProvider(Protocol):
    """The three questions chinwag asks about membership."""

    async def may_access_conversation(
        self, user_id: str, conversation_id: str, campaign_id: str
    ) -> bool:
        """May ``user_id`` read, join and write in the conversation?"""
        ...

    async def is_campaign_member(self, user_id: str, campaign_id: str) -> bool:
        """Is ``user_id`` staff of the campaign (may join its work room)?"""
        ...

    async def participants(self, conversation_id: str, campaign_id: str) -> Sequence[str]:
        """Who takes part in the conversation (their user rooms get its list updates)."""
        ...


class HttpMembership:
    """Asks the host over HTTP: ``POST url`` with a JSON question, a JSON answer back.

    Questions (JSON objects with these keys) and answers:

    - ``question: "conversation_access"``, ``user_id``, ``conversation_id``, ``campaign_id``
      → ``{"allowed": bool}``
    - ``question: "campaign_member"``, ``user_id``, ``campaign_id`` → ``{"allowed": bool}``
    - ``question: "participants"``, ``conversation_id``, ``campaign_id`` → ``{"user_ids": [...]}``

    A failing callback denies access (an error never grants it) and names no participants.
    """

    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        self.url = url
        self._client = httpx.AsyncClient(timeout=timeout_s)

    async def _ask(self, question: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._client.post(self.url, json=question)
            response.raise_for_status()
            answer = response.json()
        except (httpx.HTTPError, ValueError):
            log.warning("membership callback failed for %r: denying", question, exc_info=True)
            return {}
        return answer if isinstance(answer, dict) else {}

    async def may_access_conversation(
        self, user_id: str, conversation_id: str, campaign_id: str
    ) -> bool:
        """``conversation_access``."""
        question = {
            "question": "conversation_access",
            "user_id": user_id,
            "conversation_id": conversation_id,
            "campaign_id": campaign_id,
        }
        return (await self._ask(question)).get("allowed") is True

    async def is_campaign_member(self, user_id: str, campaign_id: str) -> bool:
        """``campaign_member``."""
        question = {"question": "campaign_member", "user_id": user_id, "campaign_id": campaign_id}
        return (await self._ask(question)).get("allowed") is True

    async def participants(self, conversation_id: str, campaign_id: str) -> Sequence[str]:
        """``participants``."""
        question = {
            "question": "participants",
            "conversation_id": conversation_id,
            "campaign_id": campaign_id,
        }
        ids = (await self._ask(question)).get("user_ids")
        return [str(i) for i in ids] if isinstance(ids, list) else []

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


class CachedMembership:
    """A provider's answers kept for ``ttl_s`` seconds, at most ``max_entries`` of them (LRU).

    Only successful answers are kept; :meth:`forget_user` drops a user's answers (and every
    participant list, which may name them) when the host reports a change.
    """

    def __init__(
        self,
        inner: MembershipProvider,
        ttl_s: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[tuple[str, ...], tuple[float, Any]] = OrderedDict()

    def _get(self, key: tuple[str, ...]) -> tuple[bool, Any]:
        found = self._entries.get(key)
        if found is None or found[0] <= self._clock():
            return False, None
        self._entries.move_to_end(key)
        return True, found[1]

    def _put(self, key: tuple[str, ...], value: Any) -> None:
        if self.ttl_s <= 0:
            return
        self._entries[key] = (self._clock() + self.ttl_s, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def may_access_conversation(
        self, user_id: str, conversation_id: str, campaign_id: str
    ) -> bool:
        """Cached ``may_access_conversation``."""
        key = ("access", user_id, conversation_id)
        hit, value = self._get(key)
        if not hit:
            value = await self.inner.may_access_conversation(user_id, conversation_id, campaign_id)
            self._put(key, value)
        return bool(value)

    async def is_campaign_member(self, user_id: str, campaign_id: str) -> bool:
        """Cached ``is_campaign_member``."""
        key = ("member", user_id, campaign_id)
        hit, value = self._get(key)
        if not hit:
            value = await self.inner.is_campaign_member(user_id, campaign_id)
            self._put(key, value)
        return bool(value)

    async def participants(self, conversation_id: str, campaign_id: str) -> Sequence[str]:
        """Cached ``participants``."""
        key = ("participants", conversation_id)
        hit, value = self._get(key)
        if not hit:
            value = tuple(await self.inner.participants(conversation_id, campaign_id))
            self._put(key, value)
        return tuple(value)

    def forget_user(self, user_id: str) -> None:
        """Drop what is known about ``user_id`` (and all participant lists)."""
        stale = [k for k in self._entries if k[0] == "participants" or k[1] == user_id]
        for key in stale:
            del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)

    async def close(self) -> None:
        """Close the provider when it holds resources (the HTTP callback's client)."""
        close = getattr(self.inner, "close", None)
        if close is not None:
            await close()
