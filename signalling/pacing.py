"""Coalesced sends: a storm of changes to one meeting becomes a few sends to its room."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import socketio

# Sends to a room start at least this much per member apart, so that a storm of sends leaves time for
# the commands causing them. A delivery costs the process 15-25 µs since frames go straight to idle
# members' transports (signalling/delivery.py): 40 µs leaves about half the core to commands. At 100 µs
# (when a delivery cost about 45 µs) a tally to 3,500 members could go only every 350 ms, and the vote
# storm's p99 at 3,500 was 580 ms; at 40 µs it was 261-885 ms in runs minutes apart (docs/performance.md).
# Spacing by how long the last send took was tried too: under load a send's time is mostly other tasks
# running while it yields, and tallies came later.
PER_CLIENT = 40e-6


def room_size(sio: socketio.AsyncServer, room: str) -> int:
    # python-socketio keeps rooms as namespace -> room -> {sid: engine.io sid}.
    return len(sio.manager.rooms.get("/", {}).get(room, ()))


def spacing(sio: socketio.AsyncServer, room: str, floor: float) -> float:
    """How far apart sends to `room` should start."""
    return max(floor, PER_CLIENT * room_size(sio, room))


class Pacer:
    """At most one send per key in flight. Requests made while one is pending ride along with it; a
    request made during a send gets one more send afterwards. Sends to a key start at least
    `interval(key)` seconds apart; an idle key's first send goes out at once."""

    def __init__(self, interval: Callable[[Any], float]) -> None:
        self.interval = interval
        self._tasks: dict[Hashable, asyncio.Task[None]] = {}
        self._again: set[Hashable] = set()
        self._last_sent: dict[Hashable, float] = {}

    def request(self, key: Hashable, send: Callable[[], Awaitable[None]]) -> None:
        if key in self._tasks:
            self._again.add(key)
            return
        self._tasks[key] = asyncio.create_task(self._run(key, send))

    async def _run(self, key: Hashable, send: Callable[[], Awaitable[None]]) -> None:
        try:
            while True:
                wait = self._last_sent.get(key, 0.0) + self.interval(key) - time.monotonic()
                # Yield at least once so that requests made together share the send.
                await asyncio.sleep(max(wait, 0))
                self._again.discard(key)
                self._last_sent[key] = time.monotonic()
                await send()
                if key not in self._again:
                    return
        finally:
            del self._tasks[key]

    async def stop(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
