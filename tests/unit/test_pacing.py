"""The pacer that turns a storm of changes into a few sends."""

from __future__ import annotations

import asyncio
import time

from signalling.pacing import Pacer


async def test_requests_made_together_share_one_send() -> None:
    pacer = Pacer(lambda key: 0.01)
    sent: list[float] = []

    async def send() -> None:
        sent.append(time.monotonic())

    for _ in range(5):
        pacer.request("m", send)
    await asyncio.sleep(0.05)
    assert len(sent) == 1


async def test_a_request_during_a_send_gets_one_more_send_an_interval_later() -> None:
    pacer = Pacer(lambda key: 0.15)
    sends: list[tuple[float, float]] = []
    started = asyncio.Event()

    async def slow_send() -> None:
        began = time.monotonic()
        started.set()
        await asyncio.sleep(0.1)
        sends.append((began, time.monotonic()))

    pacer.request("m", slow_send)
    await started.wait()
    pacer.request("m", slow_send)
    pacer.request("m", slow_send)
    await asyncio.sleep(0.4)
    assert len(sends) == 2
    assert sends[1][0] - sends[0][0] >= 0.15


async def test_keys_are_paced_apart_and_stop_cancels_what_is_pending() -> None:
    pacer = Pacer(lambda key: 10)
    sent: list[str] = []

    async def send(key: str) -> None:
        sent.append(key)

    pacer.request("a", lambda: send("a"))
    pacer.request("b", lambda: send("b"))
    await asyncio.sleep(0.01)
    assert sorted(sent) == ["a", "b"]
    pacer.request("a", lambda: send("a"))  # waits ten seconds behind the first
    await pacer.stop()
    assert sorted(sent) == ["a", "b"]
