"""Reactions at the edge: each is gathered (hub/reactions.py) and the meeting's room is sent a burst
of them at most every REACTION_INTERVAL seconds (BIG_ROOM_INTERVAL in a big room), through the same
coalesced room emit as the meeting's events (signalling/pacing.py, signalling/delivery.py). So
however many react at once, each member receives at most one frame per interval from each node,
never one per reaction. Nothing is stored."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from hub.commands import ReactionSend
from hub.meetings import Actor, require_present
from hub.reactions import Gathering
from hub.service import Hub
from signalling.pacing import Pacer, room_size, spacing

REACTION_INTERVAL = 0.5
BIG_ROOM_INTERVAL = 1.0


class ReactionDesk:
    def __init__(
        self, sio: socketio.AsyncServer, hub: Hub, room: Callable[[str], str], crowd_above: int
    ) -> None:
        self.sio = sio
        self.hub = hub
        self.room = room
        self.gathering = Gathering()
        self._pacer = Pacer(self._interval)
        self._crowd_above = crowd_above

    def handlers(self) -> dict[str, Callable[[str, str, Actor, Any], Awaitable[Any]]]:
        return {"reaction.send": self.send}

    def _interval(self, meeting_id: str) -> float:
        big = room_size(self.sio, self.room(meeting_id)) > self._crowd_above
        return spacing(self.sio, self.room(meeting_id), BIG_ROOM_INTERVAL if big else REACTION_INTERVAL)

    async def send(self, sid: str, meeting_id: str, actor: Actor, command: ReactionSend) -> Any:
        # Those in the meeting react: not the lobby, not a connection that never joined.
        require_present((await self.hub.current(meeting_id)).meeting, actor)
        self.gathering.add(meeting_id, actor.member_id, actor.name, command.kind, time.monotonic())
        self._pacer.request(meeting_id, lambda: self._burst(meeting_id))
        return None

    async def _burst(self, meeting_id: str) -> None:
        burst = self.gathering.take(meeting_id, time.monotonic())
        if burst is not None:
            await self.sio.emit("reaction.burst", burst.model_dump(mode="json"), room=self.room(meeting_id))

    async def stop(self) -> None:
        await self._pacer.stop()
