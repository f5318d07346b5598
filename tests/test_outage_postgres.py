"""PostgreSQL restarts under load: chinwag keeps its promises while its database is away.

Senders keep ``chat:send`` going (one request in flight per socket) while the test stops the
PostgreSQL server (fast shutdown: every session is terminated, sends in flight lose their
connection) and starts it again on the same port and data. Sends during the outage must get
``chat:error`` ``unavailable`` with ``retryAfter`` (never ``internal``); the senders honour it and
resend the same payload, as the protocol says. Afterwards the same server process, without a
restart of its own, acks again (its pool reconnects by itself), and the store holds exactly the
acked messages: each once, seq gap-free.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio

pytest.register_assert_rewrite("tests.support.client", "tests.support.steady")

from tests.support.client import Api, ChatClient, Tokens, make_scene, new_user  # noqa: E402
from tests.support.crash import Database  # noqa: E402
from tests.support.postgres import PostgresCluster  # noqa: E402
from tests.support.server import ServerFactory, ServerProcess  # noqa: E402
from tests.support.steady import Progress, SteadySender  # noqa: E402

pytestmark = [pytest.mark.postgres]

SENDERS = 4
#: Acks collected before the stop, and after the restart.
ACKS_BEFORE = 20
ACKS_AFTER = 20
TIMEOUT = 60.0


@pytest.fixture(scope="module")
def own_pg() -> Iterator[PostgresCluster]:
    """A cluster of the module's own: stopping the session's would break other tests' servers."""
    with PostgresCluster() as cluster:
        yield cluster


@pytest_asyncio.fixture
async def clients() -> AsyncIterator[list[ChatClient]]:
    opened: list[ChatClient] = []
    yield opened
    await asyncio.gather(*(client.disconnect() for client in opened), return_exceptions=True)
    for client in opened:
        client.check()  # every payload received, chat:error included, matches the contract


async def test_postgresql_restart_under_load_gets_unavailable_then_recovers_storing_each_ack_once(
    own_pg: PostgresCluster,
    server_factory: ServerFactory,
    jwt_secret: str,
    clients: list[ChatClient],
) -> None:
    db = Database("postgresql", own_pg.create_database("outage"))
    server: ServerProcess = server_factory(db.url)
    tokens = Tokens(jwt_secret)
    users = [new_user(f"s{i}") for i in range(SENDERS)]
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        api = Api(http, tokens)
        scene = await make_scene(api, participants=users)
        cid = scene.conversation_id
        progress = Progress()
        senders = []
        for user in users:
            client = ChatClient(user)
            clients.append(client)
            await client.connect(server.url, None, ["websocket"])
            await client.authenticate(tokens.user(user))
            senders.append(SteadySender(client, cid, progress))
        stop = asyncio.Event()
        tasks = [asyncio.create_task(sender.run(stop)) for sender in senders]

        def acks() -> int:
            return sum(len(sender.acked) for sender in senders)

        try:
            await progress.until(lambda: acks() >= ACKS_BEFORE, TIMEOUT, "acks before the stop")
            await asyncio.to_thread(own_pg.halt)
            # Every sender is told to come back later (its send failed with the connection, or
            # found no database), and so are reads, over sockets and REST alike.
            await progress.until(
                lambda: all(sender.retried for sender in senders), TIMEOUT, "unavailable replies"
            )
            joined = await senders[0].client.fails(
                "chat:join", {"conversationId": cid}, "unavailable"
            )
            assert joined["retryAfter"] > 0
            body = await api.expect("GET", f"/api/conversations/{cid}", 503)
            assert body["error"]["code"] == "unavailable" and body["error"]["retryAfter"] > 0

            await asyncio.to_thread(own_pg.resume)
            restarted_at = acks()
            await progress.until(
                lambda: acks() >= restarted_at + ACKS_AFTER, TIMEOUT, "acks after the restart"
            )
        finally:
            stop.set()
            done = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), TIMEOUT)
        for outcome in done:
            if isinstance(outcome, BaseException):
                raise outcome

        # Nothing but unavailable was ever said, and the same process serves on.
        for sender in senders:
            assert {reply["code"] for reply in sender.retried} == {"unavailable"}
        assert server.running and server.health() == 200
        await senders[1].client.join(cid)

        # Acked = stored: every acked nonce once, nothing else, seq 1..N.
        stored = await db.messages(cid)
        acked = {nonce: mid for sender in senders for nonce, mid in sender.acked.items()}
        assert [row["seq"] for row in stored] == list(range(1, len(stored) + 1))
        assert {row["client_nonce"]: row["id"] for row in stored} == acked
        assert len(stored) == len(acked)
