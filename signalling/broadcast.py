"""Meeting events go out to the meeting's room in batches: whatever commits while a send is pending
rides along, so a burst of joins or ballots costs a few emits instead of one per event per client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import socketio

from hub.models import Event
from signalling.pacing import Pacer, spacing

# At most one send per meeting per this many seconds while events keep coming (more in a big room);
# an idle meeting's first event goes out at once.
MIN_INTERVAL = 0.02


class Broadcaster:
    def __init__(self, sio: socketio.AsyncServer, room: Callable[[str], str]) -> None:
        self.sio = sio
        self.room = room
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._pacer = Pacer(lambda meeting_id: spacing(sio, room(meeting_id), MIN_INTERVAL))

    async def publish(self, meeting_id: str, event: Event) -> None:
        self._pending.setdefault(meeting_id, []).append(event.model_dump(mode="json"))
        self._pacer.request(meeting_id, lambda: self._send(meeting_id))

    async def _send(self, meeting_id: str) -> None:
        batch = self._pending.pop(meeting_id, [])
        if batch:
            await self.sio.emit("meeting.events", batch, room=self.room(meeting_id))

    async def stop(self) -> None:
        await self._pacer.stop()
