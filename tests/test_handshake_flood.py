"""A handshake flood: many unauthenticated sockets at once while users chat (issue 13, point 5).

Every unauthenticated socket is closed at the auth deadline, the chatting users are served
throughout, and once the burst of closes is over the server frees what the closed sockets
held (one ``memory released`` line counting them). The flood does not flood the log: its
sockets are counted in ``unauthenticated sockets closed`` lines, not logged one by one. The
full-size figures (2,000 sockets, p99 ack latency, RSS) are row (f) of ``make bench``.
"""

from __future__ import annotations

import asyncio
import re

from chinwag.transport.socketio.memory import MemoryRelease
from chinwag.transport.socketio.paced_close import BATCH, PacedCloser
from tests.support import ServerProcess
from tests.support.client import Api, Connect, make_scene, new_user

pytest_plugins = ("tests.support.client",)

DEADLINE_S = 1.0
FLOOD = 40
CHAT_SERVER_ENV = {
    "CHINWAG_AUTH_DEADLINE_S": DEADLINE_S,
    "CHINWAG_MEMORY_RELEASE_AFTER": FLOOD // 2,
    "CHINWAG_GARBAGE_WINDOW_S": 0.5,  # the summary line's window
}


RELEASED = re.compile(r"memory released.*?closed_sockets\W+(\d+)")
SUMMARY = re.compile(r"unauthenticated sockets closed.*?count\W+(\d+)")


def summarised(server: ServerProcess) -> int:
    """Sockets counted by the ``unauthenticated sockets closed`` lines so far."""
    return sum(int(n) for n in SUMMARY.findall(server.read_log()))


def logged_sids(server: ServerProcess) -> set[str]:
    """Socket ids named by a ``socket connected`` or ``socket disconnected`` line."""
    found = re.findall(r"socket (?:dis)?connected.*?sid\W+([\w-]+)", server.read_log())
    return set(found)


def released(server: ServerProcess) -> list[int]:
    """``closed_sockets`` of every ``memory released`` line so far."""
    return [int(n) for n in RELEASED.findall(server.read_log())]


async def test_unauthenticated_flood_is_closed_at_the_deadline_while_users_chat(
    connect: Connect, api: Api, chat_server: ServerProcess
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, participants=[alice, bob])
    sender, reader = await connect(alice), await connect(bob)
    await sender.join(scene.conversation_id)
    await reader.join(scene.conversation_id)
    loop = asyncio.get_running_loop()
    before = sum(released(chat_server))
    summarised_before = summarised(chat_server)

    started = loop.time()
    flood = await asyncio.gather(*(connect() for _ in range(FLOOD)))
    connected = loop.time()
    flood_sids = {c.sio.get_sid() for c in flood}
    # The users chat while the flood is open and while it is being closed.
    for k in range(5):
        message = await sender.send(scene.conversation_id, f"during the flood {k}")
        assert await reader.wait_for("chat:new") == {"message": message}
    await asyncio.wait_for(asyncio.gather(*(c.disconnected.wait() for c in flood)), 10)
    closed = loop.time()
    # Not before the deadline (each socket connected at most `connected - started` after
    # `started`), and not long after it.
    assert closed - started >= DEADLINE_S
    assert closed - connected <= DEADLINE_S + 3.0
    assert sender.connected and reader.connected
    message = await sender.send(scene.conversation_id, "after the flood")
    assert await reader.wait_for("chat:new") == {"message": message}

    async def release_logged() -> None:
        # The log is the server process's file: nothing to await but its next line.
        while sum(released(chat_server)) - before < FLOOD:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    await asyncio.wait_for(release_logged(), 10)

    async def summary_logged() -> None:
        while summarised(chat_server) - summarised_before < FLOOD:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    await asyncio.wait_for(summary_logged(), 10)
    assert summarised(chat_server) - summarised_before == FLOOD
    # The users' sockets have their lines; the flood's have none of their own.
    logged = logged_sids(chat_server)
    assert {sender.sio.get_sid(), reader.sio.get_sid()} <= logged
    assert None not in flood_sids
    assert not logged & flood_sids
    # uvicorn's own three lines per websocket are left for --log-level debug.
    log = chat_server.read_log()
    assert "connection open" not in log and '"WebSocket /socket.io' not in log


async def test_paced_closer_closes_every_queued_socket_in_batches() -> None:
    turns: list[int] = []
    closed: list[str] = []
    turn = 0

    async def close(sid: str) -> None:
        turns.append(turn)
        closed.append(sid)
        if sid == "s3":
            raise RuntimeError("a failing close does not stop the others")

    async def count_turns() -> None:
        nonlocal turn
        while len(closed) < 3 * BATCH:
            turn += 1
            await asyncio.sleep(0)

    closer = PacedCloser(close)
    for k in range(3 * BATCH):
        closer.close_soon(f"s{k}")
    await asyncio.wait_for(count_turns(), 5)
    assert closed == [f"s{k}" for k in range(3 * BATCH)]
    # BATCH closes per turn of the loop at most: others ran in between.
    assert max(turns.count(t) for t in set(turns)) <= BATCH
    assert len(set(turns)) >= 3


async def test_memory_is_released_after_a_burst_but_not_for_churn_among_many_open_sockets() -> None:
    """A full collection walks every open socket's objects: 300 sockets closing among 100
    still open are a burst worth one; the same closes among 10,000 open sockets are churn,
    left to the collector's own schedule."""
    open_now = 100
    memory = MemoryRelease(after=200, open_sockets=lambda: open_now)

    async def settled(expect_releases: int) -> None:
        while memory.closed or memory.releases != expect_releases:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    for _ in range(300):
        memory.socket_closed()
    await asyncio.wait_for(settled(1), 10)  # after QUIET_S without a close
    open_now = 10_000
    for _ in range(300):
        memory.socket_closed()
    await asyncio.wait_for(settled(1), 10)  # the count starts over, nothing collected
