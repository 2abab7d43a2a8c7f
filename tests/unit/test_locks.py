from __future__ import annotations

import asyncio

import pytest

from hub.locks import PriorityLock


async def test_urgent_waiters_go_first_then_the_rest_in_arrival_order() -> None:
    lock = PriorityLock()
    order: list[str] = []

    async def command(name: str, urgent: bool) -> None:
        async with lock.hold(urgent):
            order.append(name)

    await lock.acquire()
    tasks = [
        asyncio.create_task(command(name, urgent))
        for name, urgent in [("m1", False), ("m2", False), ("chair", True), ("m3", False), ("sec", True)]
    ]
    await asyncio.sleep(0)
    assert lock.waiting() == 5
    lock.release()
    await asyncio.gather(*tasks)
    assert order == ["chair", "sec", "m1", "m2", "m3"]
    assert not lock.locked()


async def test_a_cancelled_waiter_gives_up_its_turn_and_a_newcomer_never_jumps_the_line() -> None:
    lock = PriorityLock()
    order: list[str] = []

    async def command(name: str) -> None:
        async with lock.hold(False):
            order.append(name)

    await lock.acquire()
    first, second = asyncio.create_task(command("first")), asyncio.create_task(command("second"))
    await asyncio.sleep(0)
    first.cancel()
    lock.release()
    # The lock went straight to `second`: a newcomer that arrives now waits behind it.
    late = asyncio.create_task(command("late"))
    await asyncio.gather(second, late)
    assert order == ["second", "late"]
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_a_waiter_cancelled_as_it_is_handed_the_lock_passes_it_on() -> None:
    lock = PriorityLock()
    await lock.acquire()
    handed = asyncio.create_task(lock.acquire())
    after = asyncio.create_task(lock.acquire())
    await asyncio.sleep(0)
    lock.release()  # hands the lock to `handed`, which has not run yet
    handed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await handed
    await asyncio.wait_for(after, 1)
    assert lock.locked()
    lock.release()
    assert not lock.locked()


def test_releasing_an_unheld_lock_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        PriorityLock().release()
