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
# first event goes out at once.
MIN_INTERVAL = 0.02


class Broadcaster:
    def __init__(self, sio: socketio.AsyncServer, room: Callable[[str], str]) -> None:
        self.sio = sio
        self.room = room
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._last_sent: dict[str, float] = {}
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
        wait = self._last_sent.get(meeting_id, 0.0) + MIN_INTERVAL - time.monotonic()
        # Yield at least once so that commits finishing together share the send.
        await asyncio.sleep(max(wait, 0))
        batch = self._pending.pop(meeting_id)
        self._last_sent[meeting_id] = time.monotonic()
        await self.sio.emit("meeting.events", batch, room=self.room(meeting_id))

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
