"""Heartbeats between hub processes sharing a store, and the sweep of a node that stopped beating.

Every node renews a key with a time to live (`Store.beat`) and lists itself among the known nodes. Every
live node looks, now and then, for known nodes whose key has expired: a node killed with SIGKILL, or a
machine that went away. It sweeps that node's connections from every meeting (`Hub.sweep`), so its members
are no longer counted present, in the quorum or in the next vote's electorate, and then forgets the node.
Two live nodes may sweep the same dead one at once: the sweep rule changes nothing the second time, and
the meeting's compare-and-set serialises the commits. Members a sweep leaves with no connection keep
their place for the grace period, as after any dropped connection; every node also looks each second
for members whose grace period is over (`Hub.depart_due`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from hub.config import Settings
from hub.service import Hub
from hub.store import OUTAGES

log = logging.getLogger(__name__)

# How often each node looks for members away for longer than the grace period: they go within this
# much of its end.
DEPART_EVERY = 1.0


class Nodes:
    def __init__(
        self,
        hub: Hub,
        name: str,
        settings: Settings,
        on_lapsed: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.hub, self.name = hub, name
        # Called when this node's own heartbeat had lapsed (the node stalled, or lost the store, for
        # longer than the expiry): the live nodes may have swept its members, who are still connected.
        self.on_lapsed = on_lapsed
        self.beat_every = settings.node_beat_seconds
        self.expiry = settings.node_expiry_seconds
        self.scan_every = settings.node_scan_seconds
        # Since when this node's own beats have been reaching the store without a break.
        self._beating_since: float | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        """The first beat before the node serves: a node sweeping this name's previous life stops."""
        await self.hub.store.beat(self.name, self.expiry)
        self._beating_since = time.monotonic()
        self._tasks = [
            asyncio.create_task(self._every(self.beat_every, self.beat), name="node heartbeat"),
            asyncio.create_task(self._every(self.scan_every, self.sweep_dead), name="dead node sweep"),
            # Every node looks for members whose grace period is over: the one that held them may be gone.
            asyncio.create_task(self._every(DEPART_EVERY, self.hub.depart_due), name="departures"),
        ]

    async def stop(self) -> None:
        # The flag as well as the cancel: redis-py may swallow a cancellation that lands inside a call.
        self._stopping.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            await self.hub.store.node_stopped(self.name)
        except OUTAGES:
            pass  # It expires on its own; its connections were left already.

    async def beat(self) -> None:
        try:
            lapsed = await self.hub.store.beat(self.name, self.expiry)
        except OUTAGES:
            if self._beating_since is not None:
                log.warning("node %s cannot reach the store for its heartbeat", self.name)
            self._beating_since = None
            return
        if self._beating_since is None:
            self._beating_since = time.monotonic()
        if lapsed and self.on_lapsed is not None:
            log.warning("node %s: its heartbeat had lapsed; its members join again", self.name)
            await self.on_lapsed()

    def _steady(self) -> bool:
        # After the store was out of reach (restarted, partitioned), every node's key may have expired
        # meanwhile: judge others only once they have had a whole expiry to beat again.
        since = self._beating_since
        return since is not None and time.monotonic() - since >= self.expiry

    async def sweep_dead(self) -> list[str]:
        """Sweep every known node whose heartbeat has expired; the names swept."""
        if not self._steady():
            return []
        swept = []
        for node in await self.hub.store.nodes():
            if node == self.name or await self.hub.store.node_alive(node):
                continue

            async def still_gone(node: str = node) -> bool:
                return not await self.hub.store.node_alive(node)

            meetings = await self.hub.sweep(node, still_gone)
            # Forgotten only when the sweep went through to the end; else the next look tries again.
            if await still_gone() and await self.hub.store.forget_node(node):
                log.warning("node %s stopped beating: swept its connections from %d meetings", node, meetings)
                swept.append(node)
        return swept

    async def _every(self, seconds: float, job: Callable[[], Awaitable[object]]) -> None:
        while True:
            try:
                async with asyncio.timeout(seconds):
                    await self._stopping.wait()
                return
            except TimeoutError:
                pass
            try:
                await job()
            except OUTAGES:
                pass  # The store is down: the beat says so once; try again next time.
            except Exception:
                log.exception("%s failed", asyncio.current_task())
