"""Adjourned meetings resume at the time they were adjourned to, by themselves: a timer for each
adjourned meeting this node knows of (one it adjourned, one where it holds connections, one it found
adjourned on starting). Every timer that fires, on any node or worker, asks the hub for the resumption,
and the rule commits it once (hub/lifecycle.py `resume_due`). A timer lost with its node, or one that met
a store outage, is made up for by the next business or join (signalling/gateway.py) and by the
gateway's periodic check of its meetings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from hub.errors import HubError
from hub.service import Hub
from hub.store import OUTAGES

log = logging.getLogger(__name__)


class Resumptions:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._timers: dict[str, tuple[datetime, asyncio.Task[None]]] = {}

    def watch(self, meeting_id: str, until: datetime) -> None:
        """Resume the meeting at `until`; a timer already set for that time stands."""
        held = self._timers.get(meeting_id)
        if held is not None:
            if held[0] == until and not held[1].done():
                return
            held[1].cancel()
        self._timers[meeting_id] = (until, asyncio.create_task(self._at(meeting_id, until)))

    async def _at(self, meeting_id: str, until: datetime) -> None:
        # The event loop's clock is not the hub's: a sleep may end a little before `until`.
        while (left := (until - self.hub.clock()).total_seconds()) > 0:  # noqa: ASYNC110 (a time, not an event)
            await asyncio.sleep(left)
        try:
            await self.hub.resume_due(meeting_id)
        except OUTAGES:
            log.warning("could not resume meeting %s: the store is unreachable", meeting_id)
        except HubError as exc:
            log.warning("could not resume meeting %s: %s", meeting_id, exc.code)

    async def stop(self) -> None:
        timers = [task for _, task in self._timers.values()]
        self._timers.clear()
        for task in timers:
            task.cancel()
        for task in timers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
