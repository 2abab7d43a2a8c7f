"""Coalesced sends: a storm of changes to one meeting becomes a few sends to its room."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable


class Pacer:
    """At most one send per key in flight. Requests made while one is pending ride along with it; a
    request made during a send gets one more send afterwards. Sends to a key start at least `interval`
    apart; an idle key's first send goes out at once.

    Spacing sends by how long the last one took was tried and made tallies later: under load a send's
    time is mostly other tasks running while it yields."""

    def __init__(self, interval: float) -> None:
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
                wait = self._last_sent.get(key, 0.0) + self.interval - time.monotonic()
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
