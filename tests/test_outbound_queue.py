"""The bounded outbound queue (``chinwag.transport.socketio.outbound_queue``) and the process-wide
slow-consumer counter, in this process; the end-to-end scenarios are in ``test_slow_readers``."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from engineio import packet as eio_packet

from chinwag.app import create_app
from chinwag.config import Settings
from chinwag.transport.socketio import backpressure
from chinwag.transport.socketio.outbound_queue import OutboundQueue, packet_size
from contract_tests.serve import serve_app
from tests.support import RawPolling, free_port
from tests.support.client import Api, ChatClient, Tokens, make_scene, new_user

pytestmark = pytest.mark.timeout(120)

BOUND = 256 * 1024
TEXT = "x" * 9000


async def test_an_abort_is_counted_in_the_process_stats(tmp_path: Path, jwt_secret: str) -> None:
    """The process-wide counter the metrics exporter reads moves once per aborted socket (the
    server runs in this process, uvicorn in a thread, so its counter is readable here)."""
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'stats.db'}",
        jwt_secret=jwt_secret,
        rate_limit_socket=0,
        rate_limit_user=0,
        max_socket_buffer=BOUND,
        shutdown_deadline_s=1,
    )
    tokens = Tokens(jwt_secret)
    before = backpressure.stats.slow_consumer_aborts
    with serve_app(create_app(settings), free_port()) as (url, _stop):
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            api = Api(http, tokens)
            alice, stalled_user = new_user("alice"), new_user("stalled")
            scene = await make_scene(api, participants=[alice, stalled_user])
            stalled = await RawPolling.open(http, tokens.user(stalled_user))
            await stalled.call("chat:join", {"conversationId": scene.conversation_id})
            sender = ChatClient("alice")
            await sender.connect(url, tokens.user(alice), ["websocket"])
            for _ in range(2 * BOUND // len(TEXT)):
                await sender.send(scene.conversation_id, TEXT)
            await sender.disconnect()
    assert backpressure.stats.slow_consumer_aborts == before + 1
    assert backpressure.stats.slow_consumer_bytes > BOUND


async def test_the_outbound_queue_counts_what_waits_and_a_batch_until_the_next_get() -> None:
    """What the bound relies on: every put counts, a taken batch counts until its consumer
    comes back with ``get`` (asyncio's ``put``/``get`` go through the ``_nowait`` methods),
    one overflow, and after it only control packets and the stop sentinel pass."""
    overflows: list[int] = []
    queue = OutboundQueue(10_000, lambda _queue, pending: overflows.append(pending))
    pkt = eio_packet.Packet(eio_packet.MESSAGE, "a" * 1000)
    size = packet_size(pkt)
    await queue.put(pkt)
    queue.put_nowait(pkt)
    assert (queue.queued, queue.taken) == (2 * size, 0)
    assert await queue.get() is pkt
    queue.get_nowait()
    assert (queue.queued, queue.taken) == (0, 2 * size)
    await queue.put(pkt)
    await queue.get()  # the consumer is back: its previous batch is written
    assert (queue.queued, queue.taken) == (0, size)
    for _ in range(20):
        queue.put_nowait(pkt)
    assert len(overflows) == 1 and overflows[0] > 10_000
    assert queue.aborted
    queue.discard()
    queue.put_nowait(pkt)
    assert queue.empty()
    queue.put_nowait(eio_packet.Packet(eio_packet.CLOSE))
    queue.put_nowait(None)
    assert queue.qsize() == 2
