"""Meeting events go out to the meeting's room in batches: whatever commits while a send is pending
rides along, so a burst of joins or ballots costs a few emits instead of one per event per client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import socketio

from hub.models import Event

# At most one send per meeting per this many seconds while events keep coming; an idle meeting's
# first event goes out at once. A send to a big room takes longer than this, and the next one then
# waits as long as the last took, so fan-out never takes more than half the process's time.
MIN_INTERVAL = 0.02


class Broadcaster:
    def __init__(self, sio: socketio.AsyncServer, room: Callable[[str], str]) -> None:
        self.sio = sio
        self.room = room
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._last_sent: dict[str, float] = {}
        self._last_cost: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def publish(self, meeting_id: str, event: Event) -> None:
        batch = self._pending.get(meeting_id)
        if batch is not None:
            batch.append(event.model_dump(mode="json"))
            return
        self._pending[meeting_id] = [event.model_dump(mode="json")]
        task = asyncio.create_task(self._send(meeting_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, meeting_id: str) -> None:
        interval = max(MIN_INTERVAL, self._last_cost.get(meeting_id, 0.0))
        wait = self._last_sent.get(meeting_id, 0.0) + interval - time.monotonic()
        # Yield at least once so that commits finishing together share the send.
        await asyncio.sleep(max(wait, 0))
        batch = self._pending.pop(meeting_id)
        started = time.monotonic()
        await self.sio.emit("meeting.events", batch, room=self.room(meeting_id))
        self._last_sent[meeting_id] = done = time.monotonic()
        self._last_cost[meeting_id] = done - started

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
