"""Meeting events go out to the meeting's room in batches: whatever commits while a send is pending
rides along, so a burst of joins or ballots costs a few emits instead of one per event per client.

A big room (hub/crowds.py) is sent each event as its crowd patch, with `prior`, and none for events
that only change who is here; its presence counts go out as `meeting.presence`, coalesced to at most
one send per COUNTS_INTERVAL whatever the rate of joins and leaves."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from hub.models import Event
from hub.service import Shown
from hub.store import OUTAGES
from signalling.pacing import Pacer, spacing

log = logging.getLogger(__name__)

# At most one send per meeting per this many seconds while events keep coming (more in a big room);
# an idle meeting's first event goes out at once.
MIN_INTERVAL = 0.02
# A big room's counts: at most one send per this many seconds.
COUNTS_INTERVAL = 1.0


class Broadcaster:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        room: Callable[[str], str],
        counts: Callable[[str], Awaitable[dict[str, Any]]],
    ) -> None:
        self.sio = sio
        self.room = room
        self.counts = counts
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._pacer = Pacer(lambda meeting_id: spacing(sio, room(meeting_id), MIN_INTERVAL))
        self._counts_pacer = Pacer(lambda meeting_id: COUNTS_INTERVAL)

    async def publish(self, meeting_id: str, event: Event, shown: Shown) -> None:
        if shown.crowd:
            if shown.counts:
                self._counts_pacer.request(meeting_id, lambda: self._send_counts(meeting_id))
            if not shown.patch:
                # A join or a leave that a big room hears only as counts.
                return
        # The patches are JSON already (made from views): dumping them again cost most of a dump.
        sent = event.model_dump(mode="json", exclude={"patch"})
        if shown.crowd:
            sent.update(patch=shown.patch, prior=shown.prior)
        else:
            sent["patch"] = event.patch
        self._pending.setdefault(meeting_id, []).append(sent)
        self._pacer.request(meeting_id, lambda: self._send(meeting_id))

    async def _send(self, meeting_id: str) -> None:
        batch = self._pending.pop(meeting_id, [])
        if batch:
            await self.sio.emit("meeting.events", batch, room=self.room(meeting_id))

    async def _send_counts(self, meeting_id: str) -> None:
        try:
            counts = await self.counts(meeting_id)
        except OUTAGES:
            # The next join or leave asks again; clients keep the counts they have meanwhile.
            log.warning("Counts for meeting %s not sent: the store is unavailable", meeting_id)
            return
        await self.sio.emit("meeting.presence", counts, room=self.room(meeting_id))

    async def stop(self) -> None:
        await self._pacer.stop()
        await self._counts_pacer.stop()
