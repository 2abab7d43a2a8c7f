"""The media of connections this node holds while another node runs their meeting's media (the pin is
there: signalling/media/pins.py).

Their `media.join`, `media.answer`, `media.share` and leaving are passed to that node, the runner, as
calls (signalling/media/courier.py). The runner's peer connection sends its offers and `media.ended`
back as notices, which this node hands to the socket; notices from any other node (one that ran the
connection's media before) are dropped, so they cannot disturb the media where it runs now. When a
runner no longer holds the meeting's pin (it died and the pin lapsed, or it lost it), its peers are
gone with it: this node tells each of its connections there `media.ended` with `moved`, and the
browser joins the media again, where the pin says it runs now.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import Counter
from typing import Any

import socketio

from hub.commands import MediaJoin
from hub.errors import HubError
from hub.meetings import Actor
from hub.models import Model, Role
from hub.store import OUTAGES, Doc, Store
from signalling.media.courier import Courier, Moved, Unreachable
from signalling.media.pins import node_of

log = logging.getLogger(__name__)

# Leaving waits this long at most for the runner: a dead one has lost the peer anyway.
RELEASE_SECONDS = 3.0
_NOT_RELEASED: tuple[type[Exception], ...] = (Unreachable, Moved, HubError, *OUTAGES)


def encode(sid: str, meeting_id: str, actor: Actor, command: Model | None) -> Doc:
    return {
        "sid": sid,
        "meeting_id": meeting_id,
        "actor": {**dataclasses.asdict(actor), "role": actor.role.value},
        "command": None if command is None else command.model_dump(mode="json"),
    }


def decode_actor(body: Doc) -> Actor:
    return Actor(**{**body["actor"], "role": Role(body["actor"]["role"])})


@dataclasses.dataclass(eq=False)
class Runner:
    owner: str
    """The pin of the process that runs the media."""
    meeting_id: str

    @property
    def node(self) -> str:
        return node_of(self.owner)


class Remote:
    def __init__(self, sio: socketio.AsyncServer, courier: Courier, store: Store) -> None:
        self.sio, self.courier, self.store = sio, courier, store
        self.runners: dict[str, Runner] = {}
        """By connection id: where the media of each connection held here runs."""
        self._owners: dict[str, Counter[str]] = {}
        """By meeting: the runners (pins) of its connections held here, each with how many."""
        self._telling: dict[str, bool] = {}
        """Meetings whose runners are being told of a change: whether another came meanwhile."""
        self._tasks: set[asyncio.Task[None]] = set()

    def runner(self, sid: str) -> str | None:
        """The pin of the process that runs the connection's media, if another does."""
        entry = self.runners.get(sid)
        return None if entry is None else entry.owner

    async def join(self, owner: str, sid: str, meeting_id: str, actor: Actor, command: MediaJoin) -> Any:
        before = self.runners.get(sid)
        entry = Runner(owner, meeting_id)
        node = entry.node
        # Before the call: the runner's first offer may come before its reply.
        self._set(sid, entry)
        try:
            reply = await self.courier.call(node, "join", encode(sid, meeting_id, actor, command))
        except BaseException as exc:
            # A refusal leaves a peer the connection had there as it was, and starts none.
            if self.runners.get(sid) is entry:
                if before is not None:
                    self._set(sid, before)
                else:
                    self._drop(sid)
            if isinstance(exc, Unreachable):
                # The join may have got there all the same: whatever it started ends unanswered.
                await self._release_at(node, sid)
            raise
        if self.runners.get(sid) is not entry or not self.sio.manager.is_connected(sid, "/"):
            # Left or dropped while the join was on its way: the release may have got there first.
            await self._release_at(node, sid)
            raise HubError("media.not_joined", "The connection is closing.")
        return reply

    async def call(self, sid: str, op: str, meeting_id: str, actor: Actor, command: Model) -> Any:
        return await self.courier.call(self.runners[sid].node, op, encode(sid, meeting_id, actor, command))

    async def release(self, sid: str) -> None:
        entry = self._drop(sid)
        if entry is not None:
            await self._release_at(entry.node, sid)

    async def delivered(self, sender: str, body: Doc) -> None:
        """A runner's notice: an event for one of the connections here."""
        sid, event = body["sid"], body["event"]
        entry = self.runners.get(sid)
        if entry is None or entry.node != sender:
            return
        if event == "media.ended":
            self._drop(sid)
        await self.sio.emit(event, body["data"], to=sid, ignore_queue=True)

    async def check(self) -> None:
        """Connections whose runner no longer runs their meeting's media: it went with the runner."""
        for meeting_id, owners in list(self._owners.items()):
            pinned = await self.store.media_node(meeting_id)
            for owner in [o for o in owners if o != pinned]:
                log.warning(
                    "media of %s no longer on %s: its connections here join it again", meeting_id, owner
                )
                for sid, entry in list(self.runners.items()):
                    if entry.owner == owner and entry.meeting_id == meeting_id:
                        self._drop(sid)
                        await self.sio.emit("media.ended", {"reason": "moved"}, to=sid, ignore_queue=True)

    def changed(self, meeting_id: str) -> None:
        """A command on the meeting committed here: its runners look at it now, not within a second.
        One notice per meeting is in flight at a time; changes meanwhile make one more after it."""
        if meeting_id not in self._owners:
            return
        if meeting_id in self._telling:
            self._telling[meeting_id] = True
            return
        self._telling[meeting_id] = False
        task = asyncio.create_task(self._tell_changed(meeting_id), name=f"media courier changed {meeting_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        for sid in list(self.runners):
            await self.release(sid)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # Helpers.

    async def _tell_changed(self, meeting_id: str) -> None:
        try:
            while True:
                for owner in list(self._owners.get(meeting_id, ())):
                    try:
                        await self.courier.tell(node_of(owner), "changed", {"meeting_id": meeting_id})
                    except OUTAGES:
                        pass  # The runner looks again within a second anyway.
                if not self._telling.get(meeting_id):
                    return
                self._telling[meeting_id] = False
        finally:
            self._telling.pop(meeting_id, None)

    async def _release_at(self, node: str, sid: str) -> None:
        try:
            await self.courier.call(node, "release", {"sid": sid}, timeout=RELEASE_SECONDS)
        except _NOT_RELEASED as exc:
            # Its peer ends on its own: unanswered offers, or the connection gone from the meeting.
            log.info("media of %s on %s not released there: %r", sid, node, exc)

    def _set(self, sid: str, entry: Runner) -> None:
        self._drop(sid)
        self.runners[sid] = entry
        self._owners.setdefault(entry.meeting_id, Counter())[entry.owner] += 1

    def _drop(self, sid: str) -> Runner | None:
        entry = self.runners.pop(sid, None)
        if entry is not None:
            owners = self._owners[entry.meeting_id]
            owners[entry.owner] -= 1
            if owners[entry.owner] <= 0:
                del owners[entry.owner]
            if not owners:
                del self._owners[entry.meeting_id]
        return entry
