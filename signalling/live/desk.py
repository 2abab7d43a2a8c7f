"""The console's view of a livestream (`livestream.status`): the report the node running the feed keeps
in the store (signalling/live/station.py) and the number of viewers the viewer pages count. Read on
whichever node holds the officer's connection; changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from hub.commands import LivestreamStatus
from hub.meetings import Actor, require_present
from hub.service import Hub


class LivestreamDesk:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def handlers(self) -> dict[str, Callable[[str, str, Actor, Any], Awaitable[Any]]]:
        return {"livestream.status": self.status}

    async def status(self, sid: str, meeting_id: str, actor: Actor, command: LivestreamStatus) -> Any:
        current = await self.hub.current(meeting_id)
        require_present(current.meeting, actor)
        on = current.meeting.livestream.on
        store = self.hub.store
        return {
            "version": current.version,
            "on": on,
            "report": await store.live_report(meeting_id) if on else None,
            "viewers": await store.live_viewers(meeting_id, self.hub.clock()) if on else 0,
        }
