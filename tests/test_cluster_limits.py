"""Per-user limits are cluster-wide with Redis: sockets per user and the per-user event rate.

The first half drives the Redis scripts directly (real redis-server); the second runs real server
processes on one PostgreSQL and one Redis, and crashes one of them.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import redis.asyncio as aioredis

from chinwag.config import Settings
from chinwag.transport.limits.cluster_limits import (
    STALE_HEARTBEATS,
    RedisUserLimits,
)
from chinwag.transport.limits.scripts import bucket_key, sockets_key
from tests.support import LOCALHOST, PostgresCluster, RedisServer, ServerProcess, free_port
from tests.support.client import (
    Api,
    ChatClient,
    ConnectRefused,
    Tokens,
    make_scene,
    new_user,
)

pytestmark = [pytest.mark.redis]

MAX_SOCKETS = 2
USER_RATE = 5
HEARTBEAT_S = 0.5
#: Reconnect attempts while waiting for the cluster to free a place (about 10 s in all).
ATTEMPTS = 100


# -- the scripts, against the real Redis ----------------------------------------------------------


@pytest_asyncio.fixture
async def limiters(redis_server: RedisServer) -> AsyncIterator[list[RedisUserLimits]]:
    """Two "processes" of limits on the test Redis; not started, so no heartbeat runs."""
    settings = Settings(
        max_sockets_per_user=3, rate_limit_user=USER_RATE, socket_heartbeat_s=HEARTBEAT_S
    )
    made = [RedisUserLimits(redis_server.url, settings, f"p{i}") for i in range(2)]
    yield made
    for limits in made:
        await limits.redis.aclose()


async def test_bucket_allows_a_burst_of_twice_the_rate_then_says_how_long_to_wait(
    limiters: list[RedisUserLimits],
) -> None:
    limits, user = limiters[0], new_user()
    assert [await limits.throttle(user) for _ in range(2 * USER_RATE)] == [0] * (2 * USER_RATE)
    wait = await limits.throttle(user)
    # One token comes back every 1000 / rate ms.
    assert 0 < wait <= 1000 // USER_RATE
    await asyncio.sleep(wait / 1000)
    assert await limits.throttle(user) == 0


async def test_bucket_is_shared_by_processes(limiters: list[RedisUserLimits]) -> None:
    user = new_user()
    waits = [await limiters[i % 2].throttle(user) for i in range(2 * USER_RATE + 4)]
    assert waits[: 2 * USER_RATE] == [0] * (2 * USER_RATE)
    assert all(wait > 0 for wait in waits[2 * USER_RATE :])


async def test_bucket_runs_on_the_redis_clock_and_expires_once_full_again(
    limiters: list[RedisUserLimits],
) -> None:
    limits, user = limiters[0], new_user()
    await limits.throttle(user)
    seconds, micros = await limits.redis.time()
    stamp = int(float(await limits.redis.hget(bucket_key(user), "stamp")))
    assert abs(seconds * 1_000_000 + micros - stamp) < 1_000_000
    # One token short: full again after 1000 / rate ms; the key lives about that long.
    ttl = await limits.redis.pttl(bucket_key(user))
    assert 0 < ttl <= 1000 // USER_RATE + 1000


async def test_admission_never_exceeds_the_limit_when_processes_race(
    limiters: list[RedisUserLimits],
) -> None:
    user = new_user()
    admitted = await asyncio.gather(*(limiters[i % 2].admit(user, f"sid{i}") for i in range(20)))
    assert admitted.count(True) == 3
    assert await limiters[0].redis.zcard(sockets_key(user)) == 3
    # A counted socket admitted again keeps its place.
    winner = admitted.index(True)
    assert await limiters[winner % 2].admit(user, f"sid{winner}")


async def test_a_released_socket_frees_its_place(limiters: list[RedisUserLimits]) -> None:
    a, b = limiters
    user = new_user()
    for sid in ("s1", "s2", "s3"):
        assert await a.admit(user, sid)
    assert not await b.admit(user, "s4")
    await a.release(user, "s2")
    assert await b.admit(user, "s4")


async def test_sockets_not_seen_for_three_heartbeats_stop_counting_unless_refreshed(
    limiters: list[RedisUserLimits],
) -> None:
    a, b = limiters
    user = new_user()
    for sid in ("s1", "s2", "s3"):
        assert await a.admit(user, sid)
    key = sockets_key(user)

    async def age_all() -> None:
        seconds, micros = await a.redis.time()
        old = seconds * 1000 + micros // 1000 - a.stale_ms - 1
        await a.redis.zadd(key, {member: old for member in await a.redis.zrange(key, 0, -1)})

    assert a.stale_ms == STALE_HEARTBEATS * HEARTBEAT_S * 1000
    await age_all()
    await a.refresh()  # a live process's heartbeat brings them back
    assert not await b.admit(user, "s4")
    await age_all()  # a silent (crashed) process's sockets stop counting
    assert await b.admit(user, "s4")
    assert await a.redis.zcard(key) == 1


async def test_heartbeat_runs_and_stop_gives_the_places_back(
    limiters: list[RedisUserLimits],
) -> None:
    a = limiters[0]
    user = new_user()
    await a.start()
    try:
        assert await a.admit(user, "s1")
        key, member = sockets_key(user), a.member("s1")
        first = await a.redis.zscore(key, member)
        for _ in range(ATTEMPTS):
            if (await a.redis.zscore(key, member) or 0) > (first or 0):
                break
            await asyncio.sleep(HEARTBEAT_S / 5)
        else:
            pytest.fail("the heartbeat never refreshed the member")
    finally:
        await a.stop()
    assert await limiters[1].redis.zcard(sockets_key(user)) == 0


async def test_without_redis_the_limits_fall_back_to_this_process() -> None:
    settings = Settings(max_sockets_per_user=2, rate_limit_user=1)
    limits = RedisUserLimits(f"redis://{LOCALHOST}:{free_port()}/0", settings)
    try:
        assert [await limits.admit("u", f"s{i}") for i in range(3)] == [True, True, False]
        assert [await limits.throttle("u") > 0 for _ in range(3)] == [False, False, True]
    finally:
        await limits.redis.aclose()


# -- real server processes --------------------------------------------------------------------


@dataclass
class Cluster:
    """Two chinwag processes sharing one PostgreSQL database and one Redis."""

    env: dict[str, str]
    folder: Path
    servers: list[ServerProcess] = field(default_factory=list)

    def start(self, name: str) -> ServerProcess:
        server = ServerProcess(self.env, log_dir=self.folder / name).start()
        self.servers.append(server)
        return server


@pytest.fixture(scope="module")
def cluster(
    pg_cluster: PostgresCluster,
    redis_server: RedisServer,
    jwt_secret: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    name = f"t_cl_{uuid.uuid4().hex[:12]}"
    env = {
        "CHINWAG_DATABASE_URL": pg_cluster.create_database(name),
        "CHINWAG_REDIS_URL": redis_server.url,
        "CHINWAG_JWT_SECRET": jwt_secret,
        "CHINWAG_MAX_SOCKETS_PER_USER": str(MAX_SOCKETS),
        "CHINWAG_RATE_LIMIT_USER": str(USER_RATE),
        "CHINWAG_RATE_LIMIT_SOCKET": "0",
        "CHINWAG_SOCKET_HEARTBEAT_S": str(HEARTBEAT_S),
    }
    made = Cluster(env, tmp_path_factory.mktemp("cluster-limits"))
    try:
        made.start("a")
        made.start("b")
        yield made
    finally:
        for server in made.servers:
            if server.running:
                server.stop()
        pg_cluster.drop_database(name)


@pytest.fixture
def pair(cluster: Cluster) -> tuple[ServerProcess, ServerProcess]:
    return cluster.servers[0], cluster.servers[1]


@pytest.fixture(scope="module")
def tokens(jwt_secret: str) -> Tokens:
    return Tokens(jwt_secret)


@pytest_asyncio.fixture
async def clients() -> AsyncIterator[list[ChatClient]]:
    opened: list[ChatClient] = []
    yield opened
    await asyncio.gather(*(client.disconnect() for client in opened), return_exceptions=True)
    for client in opened:
        client.check()


@pytest_asyncio.fixture
async def connect(clients: list[ChatClient], tokens: Tokens) -> AsyncIterator[Any]:
    """``await connect(server, user)``: a socket authenticated in the handshake (or raises
    ConnectRefused)."""

    async def open_client(server: ServerProcess, user: str) -> ChatClient:
        client = ChatClient(f"{user}@{server.port}")
        clients.append(client)
        await client.connect(server.url, tokens.user(user), ["websocket"])
        await client.wait_for("authenticated")
        return client

    yield open_client


async def admitted_after_retries(connect: Any, server: ServerProcess, user: str) -> ChatClient:
    """Reconnect until the cluster has a place for ``user`` (bounded)."""
    for _attempt in range(ATTEMPTS):
        try:
            return await connect(server, user)  # type: ignore[no-any-return]
        except ConnectRefused as refused:
            assert refused.data["data"]["code"] == "too_many_sockets"
            await asyncio.sleep(0.1)
    pytest.fail(f"no place for {user} on {server.url} after {ATTEMPTS} attempts")


@pytest.mark.postgres
async def test_a_socket_over_the_limit_is_refused_on_either_process(
    pair: tuple[ServerProcess, ServerProcess], connect: Any, tokens: Tokens
) -> None:
    alice = new_user("alice")
    await connect(pair[0], alice)
    await connect(pair[1], alice)
    for server in pair:
        with pytest.raises(ConnectRefused) as refused:
            await connect(server, alice)
        assert refused.value.data["data"]["code"] == "too_many_sockets"
    late = ChatClient("late")
    await late.connect(pair[1].url, None, ["websocket"])
    name, reply = await late.request("authenticate", {"token": tokens.user(alice)})
    assert (name, reply["code"]) == ("auth_error", "too_many_sockets")
    await asyncio.wait_for(late.disconnected.wait(), 5)
    await connect(pair[0], new_user("bob"))  # other users are not affected


@pytest.mark.postgres
async def test_a_closed_socket_on_one_process_frees_a_place_on_the_other(
    pair: tuple[ServerProcess, ServerProcess], connect: Any
) -> None:
    alice = new_user("alice")
    await connect(pair[0], alice)
    on_b = await connect(pair[1], alice)
    await on_b.disconnect()
    await admitted_after_retries(connect, pair[0], alice)


@pytest.mark.postgres
async def test_sockets_of_one_user_on_two_processes_share_one_rate_limit(
    pair: tuple[ServerProcess, ServerProcess], connect: Any, tokens: Tokens
) -> None:
    alice = new_user("alice")
    async with httpx.AsyncClient(base_url=pair[0].url, timeout=30) as http:
        scene = await make_scene(Api(http, tokens), participants=[alice])
    payload = {"conversationId": scene.conversation_id}
    on_a, on_b = await connect(pair[0], alice), await connect(pair[1], alice)
    # Empty the shared bucket (burst 2 × rate) from process A alone ...
    started = time.monotonic()
    drained = await asyncio.gather(*(on_a.request("chat:join", payload) for _ in range(15)))
    passed = sum(name == "chat:joined" for name, _ in drained)
    assert passed <= 2 * USER_RATE + USER_RATE * (time.monotonic() - started) + 1
    assert passed < 15
    # ... and process B, whose own sockets sent nothing yet, finds it empty too: a bucket of its
    # own would pass all three; the shared one passes only what refilled since (a loaded machine
    # may take a while between the two gathers, so the bound counts the time that passed).
    drained_at = time.monotonic()
    replies = await asyncio.gather(*(on_b.request("chat:join", payload) for _ in range(3)))
    passed_b = sum(name == "chat:joined" for name, _ in replies)
    refilled = USER_RATE * (time.monotonic() - drained_at)
    assert passed_b <= refilled + 1, f"process B ignored the shared bucket: {replies!r}"
    limited = [reply for name, reply in replies if name == "chat:error"]
    assert all(r["code"] == "rate_limited" and r["retryAfter"] > 0 for r in limited)
    await asyncio.sleep(max((r["retryAfter"] for r in limited), default=0) / 1000)
    await on_b.join(scene.conversation_id)


@pytest.mark.postgres
async def test_a_crashed_process_sockets_stop_counting_after_the_stale_window(
    cluster: Cluster,
    pair: tuple[ServerProcess, ServerProcess],
    connect: Any,
    redis_server: RedisServer,
) -> None:
    alice = new_user("alice")
    victim = cluster.start("victim")
    try:
        await connect(victim, alice)
        await connect(victim, alice)
        with pytest.raises(ConnectRefused):
            await connect(pair[0], alice)
        victim.kill()
        # SIGKILL: nobody released the victim's two places; they stay in Redis ...
        redis = aioredis.Redis.from_url(redis_server.url)
        try:
            assert await redis.zcard(sockets_key(alice)) == MAX_SOCKETS
        finally:
            await redis.aclose()
        crashed = time.monotonic()
        # ... and stop counting once the victim missed three heartbeats (each on its own
        # schedule: a heartbeat may have run between the two connects).
        await admitted_after_retries(connect, pair[0], alice)
        await admitted_after_retries(connect, pair[1], alice)
        assert time.monotonic() - crashed < STALE_HEARTBEATS * HEARTBEAT_S + 5
    finally:
        if victim.running:
            victim.stop()
        cluster.servers.remove(victim)
