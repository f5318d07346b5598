"""Per-user limits shared by every process through Redis (see :mod:`.user_limits`).

* Sockets per user: a sorted set ``chinwag:sockets:<userId>`` of ``<process-id>:<sid>`` scored by
  last-seen time (ms). Each process re-scores its own live members every heartbeat; a count
  ignores members older than :data:`STALE_HEARTBEATS` heartbeats, so the sockets of a crashed
  process stop counting on their own. Prune, count and add run in one script: two processes
  racing for a user's last place cannot both win it.
* Events per user: a token bucket in the hash ``chinwag:rl:user:<userId>``, updated by a script.
  It expires once it would be full again, so idle users leave nothing behind.

Every script reads the Redis server's clock (``TIME``), so processes with skewed clocks agree.
When Redis fails, the limits fall back to this process's own counts until it answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import uuid

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from chinwag.config import Settings
from chinwag.transport.limits.scripts import (
    ADMIT_LUA,
    BUCKET_LUA,
    HEARTBEAT_LUA,
    bucket_key,
    sockets_key,
)
from chinwag.transport.limits.user_limits import LocalUserLimits

log = logging.getLogger("chinwag.limits")

#: A member not refreshed for this many heartbeats belongs to a dead process.
STALE_HEARTBEATS = 3
#: Redis commands that take longer fail over to the local limits instead of stalling events.
REDIS_TIMEOUT_S = 2.0


class RedisUserLimits:
    """Cluster-wide :class:`~chinwag.transport.limits.user_limits.UserLimits`."""

    def __init__(self, url: str, settings: Settings, process_id: str | None = None) -> None:
        self.redis = aioredis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
        )
        self.max_sockets = settings.max_sockets_per_user
        self.rate = settings.rate_limit_user
        self.burst = 2 * self.rate
        self.heartbeat_s = settings.socket_heartbeat_s
        self.stale_ms = math.ceil(STALE_HEARTBEATS * self.heartbeat_s * 1000)
        self.process_id = process_id or f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        # This process's admitted sockets (what the heartbeat refreshes) and the fallback.
        self.local = LocalUserLimits(settings)
        self._admit = self.redis.register_script(ADMIT_LUA)
        self._heartbeat = self.redis.register_script(HEARTBEAT_LUA)
        self._bucket = self.redis.register_script(BUCKET_LUA)
        self._task: asyncio.Task[None] | None = None
        self._degraded = False

    def member(self, sid: str) -> str:
        """This process's member name for socket ``sid``."""
        return f"{self.process_id}:{sid}"

    async def start(self) -> None:
        """Load the scripts (events then only EVALSHA) and start the heartbeat."""
        for script in (self._admit, self._heartbeat, self._bucket):
            script.sha = await self.redis.script_load(script.script)
        self._task = asyncio.create_task(self._beat())

    async def stop(self) -> None:
        """Stop the heartbeat, take this process's sockets out of the counts, close."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for user_id, sids in self.local.sockets.items():
                    pipe.zrem(sockets_key(user_id), *map(self.member, sids))
                await pipe.execute()
        except RedisError as exc:  # they expire after the stale window anyway
            log.warning("could not release this process's sockets: %s", exc)
        await self.redis.aclose()

    async def admit(self, user_id: str, sid: str) -> bool:
        """Count ``sid`` cluster-wide unless the user holds ``max_sockets`` live sockets."""
        args = (self.member(sid), self.max_sockets, self.stale_ms, 2 * self.stale_ms)
        try:
            admitted = bool(await self._admit(keys=[sockets_key(user_id)], args=args))
        except RedisError as exc:
            self._degrade(exc)
            return await self.local.admit(user_id, sid)
        self._recover()
        if admitted:
            self.local.sockets[user_id].add(sid)
        return admitted

    async def release(self, user_id: str, sid: str) -> None:
        """Stop counting ``sid``."""
        await self.local.release(user_id, sid)
        try:
            await self.redis.zrem(sockets_key(user_id), self.member(sid))
        except RedisError as exc:  # the member goes stale without heartbeats
            self._degrade(exc)

    async def throttle(self, user_id: str) -> int:
        """Take one token from the user's shared bucket."""
        if self.rate <= 0:
            return 0
        try:
            wait = int(await self._bucket(keys=[bucket_key(user_id)], args=(self.rate, self.burst)))
        except RedisError as exc:
            self._degrade(exc)
            return await self.local.throttle(user_id)
        self._recover()
        return wait

    async def refresh(self) -> None:
        """One heartbeat: mark this process's live sockets as seen now."""
        snapshot = {user_id: list(sids) for user_id, sids in self.local.sockets.items()}
        if not snapshot:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for user_id, sids in snapshot.items():
                members = [self.member(sid) for sid in sids]
                args: list[str | int] = [2 * self.stale_ms, *members]
                await self._heartbeat(keys=[sockets_key(user_id)], args=args, client=pipe)
            await pipe.execute()
        # A socket released while the heartbeat was in flight may have been re-added: remove it.
        gone = [
            (user_id, sid)
            for user_id, sids in snapshot.items()
            for sid in sids
            if sid not in self.local.sockets.get(user_id, ())
        ]
        if gone:
            async with self.redis.pipeline(transaction=False) as pipe:
                for user_id, sid in gone:
                    pipe.zrem(sockets_key(user_id), self.member(sid))
                await pipe.execute()

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            try:
                await self.refresh()
            except RedisError as exc:
                self._degrade(exc)
            except Exception:  # the heartbeat must outlive any one failure
                log.exception("socket heartbeat failed")
            else:
                self._recover()

    def _degrade(self, exc: RedisError) -> None:
        if not self._degraded:
            self._degraded = True
            log.error("Redis failed (%s): per-user limits count this process only", exc)

    def _recover(self) -> None:
        if self._degraded:
            self._degraded = False
            log.warning("Redis answers again: per-user limits are cluster-wide")
