"""Redis goes away and comes back while two chinwag processes share one PostgreSQL database.

Each process has a steady sender, and a room member (``GapFiller``) that watches the other
process's messages arrive through Redis. Redis is killed (SIGKILL) for a few seconds and started
again on the same port, empty. Meanwhile both processes must keep serving (acks go on, each one
stored once); the messages published during the outage are lost for the other process, and its
member finds the gap from ``seq`` on the next ``chat:new`` and fills it with ``chat:sync`` (the
rule of docs/guide.md, "Gaps after an outage"). Cross-process delivery must come back by itself,
soon after Redis does. The per-user limits are on (they fall back to each process's own counts).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio

pytest.register_assert_rewrite("tests.support.client", "tests.support.steady")

from chinwag.config import Settings  # noqa: E402
from chinwag.transport.limits.cluster_limits import RedisUserLimits  # noqa: E402
from chinwag.transport.limits.scripts import sockets_key  # noqa: E402
from tests.support.client import Api, ChatClient, Tokens, make_scene, new_user  # noqa: E402
from tests.support.crash import Database  # noqa: E402
from tests.support.postgres import PostgresCluster  # noqa: E402
from tests.support.redis import RedisServer  # noqa: E402
from tests.support.server import ServerFactory  # noqa: E402
from tests.support.steady import GapFiller, Progress, SteadySender, cancel_all  # noqa: E402

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

#: How long Redis stays away at least (the senders must also get OUTAGE_ACKS acks each).
OUTAGE_S = 3.0
ACKS_BEFORE = 10
OUTAGE_ACKS = 5
#: Redis back → the first live cross-process chat:new, at most (stock python-socketio's
#: listener backs off 1, 2, 4, 8 … s and took ~4 s after a 3 s outage, ~7 s after 8 s).
RESUME_LIMIT_S = 2.5
TIMEOUT = 60.0


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A redis-server of the test's own: it is killed."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def database(pg_cluster: PostgresCluster) -> Iterator[Database]:
    name = f"t_redis_outage_{uuid.uuid4().hex[:12]}"
    yield Database("postgresql", pg_cluster.create_database(name))
    pg_cluster.drop_database(name)


@pytest_asyncio.fixture
async def clients() -> AsyncIterator[list[ChatClient]]:
    opened: list[ChatClient] = []
    yield opened
    await asyncio.gather(*(client.disconnect() for client in opened), return_exceptions=True)
    for client in opened:
        client.check()


async def test_redis_outage_keeps_both_processes_serving_and_members_fill_the_gap_with_sync(
    own_redis: RedisServer,
    database: Database,
    server_factory: ServerFactory,
    jwt_secret: str,
    clients: list[ChatClient],
) -> None:
    env = {"CHINWAG_REDIS_URL": own_redis.url, "CHINWAG_RATE_LIMIT_USER": 1000}
    a, b = server_factory(database.url, **env), server_factory(database.url, **env)
    tokens = Tokens(jwt_secret)
    senders_ids, members_ids = [new_user("sender"), new_user("sender")], [new_user("member")] * 2
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=a.url, timeout=30) as http:
        scene = await make_scene(Api(http, tokens), participants=senders_ids + members_ids[:1])
    cid = scene.conversation_id
    progress = Progress()

    async def open_client(url: str, user: str, name: str) -> ChatClient:
        client = ChatClient(name)
        clients.append(client)
        await client.connect(url, None, ["websocket"])
        await client.authenticate(tokens.user(user))
        await client.join(cid)
        return client

    # sender_a and member_a live on process A, sender_b and member_b on B.
    senders = [
        SteadySender(await open_client(server.url, user, f"sender@{tag}"), cid, progress)
        for server, user, tag in ((a, senders_ids[0], "A"), (b, senders_ids[1], "B"))
    ]
    members = [
        GapFiller(await open_client(server.url, members_ids[0], f"member@{tag}"), cid, progress)
        for server, tag in ((a, "A"), (b, "B"))
    ]
    # Each member watches the sender of the OTHER process: those messages cross Redis.
    watched = [(members[0], senders_ids[1]), (members[1], senders_ids[0])]
    followers = [asyncio.create_task(member.follow()) for member in members]
    stop = asyncio.Event()
    sending = [asyncio.create_task(sender.run(stop)) for sender in senders]

    def acks_after(moment: float) -> int:
        return min(sum(end > moment for _, end in s.timings) for s in senders)

    def first_live(member: GapFiller, sender_id: str, after: float) -> float | None:
        times = [t for t, m in member.live if m["sender_id"] == sender_id and t > after]
        return min(times, default=None)

    try:
        await progress.until(lambda: acks_after(0) >= ACKS_BEFORE, TIMEOUT, "acks before")
        killed = loop.time()
        own_redis.kill()
        # Both processes keep acking while Redis is away (for OUTAGE_S at least).
        await asyncio.gather(
            progress.until(lambda: acks_after(killed) >= OUTAGE_ACKS, TIMEOUT, "outage acks"),
            asyncio.sleep(OUTAGE_S),
        )
        await asyncio.to_thread(own_redis.restart)
        back = loop.time()
        # Cross-process delivery comes back by itself, both ways.
        await progress.until(
            lambda: all(first_live(m, s, back) is not None for m, s in watched),
            TIMEOUT,
            "live cross-process chat:new after Redis returned",
        )
        resumed = [first_live(m, s, back) or 0.0 for m, s in watched]
    except BaseException:
        await cancel_all(sending + followers)
        raise
    stop.set()
    outcomes = await asyncio.wait_for(asyncio.gather(*sending, return_exceptions=True), TIMEOUT)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    # A last message each: when a member has it, it must hold every message up to it.
    fences = [await sender.send_one("fence") for sender in senders]
    last_seq = max(message["seq"] for message in fences)
    await progress.until(
        lambda: all(member.last_seq >= last_seq for member in members), TIMEOUT, "fences"
    )
    await cancel_all(followers)

    during = [end - start for s in senders for start, end in s.timings if killed < end < back]
    print(
        f"\nRedis outage timeline (s): down {back - killed:.2f}; "
        f"up → first cross-process chat:new on A {resumed[0] - back:.2f}, on B "
        f"{resumed[1] - back:.2f}; acks during the outage {len(during)}, slowest "
        f"{max(during):.3f} s; gaps filled by chat:sync: A {members[0].gaps}, B {members[1].gaps}"
    )
    assert max(resumed) - back <= RESUME_LIMIT_S
    # Acked = stored once, seq gap-free; nothing but acks (no retryable error was needed).
    stored = await database.messages(cid)
    acked = {nonce: mid for sender in senders for nonce, mid in sender.acked.items()}
    assert [row["seq"] for row in stored] == list(range(1, len(stored) + 1))
    assert {row["client_nonce"]: row["id"] for row in stored} == acked
    assert all(not sender.retried for sender in senders)
    # What crossed during the outage was lost live, found as a gap and filled: each member holds
    # exactly the stored messages.
    for member in members:
        assert member.gaps, f"{member.client.name} saw no gap: was nothing lost?"
        assert {seq: m["id"] for seq, m in member.messages.items()} == {
            row["seq"]: row["id"] for row in stored
        }


async def test_per_user_limits_count_locally_while_redis_is_away_and_rejoin_the_cluster_after(
    own_redis: RedisServer,
) -> None:
    """What the README says of the per-user limits during an outage, on the real scripts."""
    settings = Settings(max_sockets_per_user=2, rate_limit_user=1, socket_heartbeat_s=0.5)
    limits = [RedisUserLimits(own_redis.url, settings, f"p{i}") for i in range(2)]
    user = new_user()
    try:
        assert await limits[0].admit(user, "s1")
        assert await limits[1].admit(user, "s2")
        assert not await limits[1].admit(user, "s3")  # cluster-wide: two already
        own_redis.kill()
        # Each process counts its own sockets only: one more place on each (2 per process).
        assert [await limits[i].admit(user, f"o{i}") for i in range(2)] == [True, True]
        assert not await limits[0].admit(user, "o3")
        # The rate limit is per process too: a burst of 2 on each.
        assert [await limits[0].throttle(user) > 0 for _ in range(3)] == [False, False, True]
        await asyncio.to_thread(own_redis.restart)  # back, and empty
        for process in limits:
            await process.refresh()  # the next heartbeat puts every live socket back
        assert await limits[0].redis.zcard(sockets_key(user)) == 4
        # Over the limit now: nobody is disconnected, but no new socket gets in.
        assert not await limits[1].admit(user, "s5")
        await limits[0].release(user, "s1")
        await limits[0].release(user, "o0")
        await limits[1].release(user, "o1")
        assert await limits[1].admit(user, "s5")
    finally:
        for process in limits:
            await process.redis.aclose()
