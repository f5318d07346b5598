"""``LeanQueue`` behaves as ``asyncio.Queue`` does for what engine.io uses, and holds no memory
while it is empty (every engine.io socket has one)."""

from __future__ import annotations

import asyncio
import sys

import pytest

from chinwag.transport.socketio.lean_queue import LeanQueue


async def test_fifo_and_queue_empty() -> None:
    queue = LeanQueue()
    assert queue.empty() and queue.qsize() == 0
    with pytest.raises(asyncio.QueueEmpty):
        queue.get_nowait()
    for k in range(3):
        await queue.put(k)
    queue.put_nowait(None)
    assert queue.qsize() == 4
    assert [await queue.get(), queue.get_nowait(), await queue.get(), queue.get_nowait()] == [
        0,
        1,
        2,
        None,
    ]
    assert queue.empty()


async def test_get_waits_for_a_put_and_waiters_are_served_in_order() -> None:
    queue = LeanQueue()
    first = asyncio.create_task(queue.get())
    second = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    assert not first.done() and not second.done()
    queue.put_nowait("a")
    queue.put_nowait("b")
    assert await asyncio.wait_for(first, 5) == "a"
    assert await asyncio.wait_for(second, 5) == "b"


async def test_a_cancelled_get_loses_nothing_and_passes_its_wake_up_on() -> None:
    queue = LeanQueue()
    cancelled = asyncio.create_task(queue.get())
    waiting = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("item")  # wakes `cancelled`...
    cancelled.cancel()  # ...which is cancelled before it takes the item
    assert await asyncio.wait_for(waiting, 5) == "item"
    assert cancelled.cancelled()
    # A get cancelled while waiting (the writer's timeout) leaves the queue usable.
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await queue.get()
    queue.put_nowait("next")
    assert await asyncio.wait_for(queue.get(), 5) == "next"


async def test_join_waits_for_task_done() -> None:
    queue = LeanQueue()
    await asyncio.wait_for(queue.join(), 5)  # nothing put: at once
    queue.put_nowait(1)
    queue.put_nowait(2)
    joined = asyncio.create_task(queue.join())
    queue.get_nowait()
    queue.task_done()
    await asyncio.sleep(0)
    assert not joined.done()
    await queue.get()
    queue.task_done()
    await asyncio.wait_for(joined, 5)
    with pytest.raises(ValueError):
        queue.task_done()


def test_an_empty_queue_is_far_smaller_than_asyncios() -> None:
    queue = LeanQueue()
    queue.put_nowait(1)
    queue.get_nowait()
    stock: asyncio.Queue[int] = asyncio.Queue()
    stock_size = sys.getsizeof(stock) + sum(
        sys.getsizeof(part)
        for part in (stock._queue, stock._getters, stock._putters, stock._finished._waiters)  # type: ignore[attr-defined]
    )
    assert sys.getsizeof(queue) * 10 < stock_size
