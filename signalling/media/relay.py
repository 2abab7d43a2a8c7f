"""Media at the edge: the Socket.IO handlers for joining, answering, sharing and leaving, one room of
peers per meeting, and the hooks that keep forwarding in step with the meeting.

A meeting's media runs on one node, the one holding its pin (signalling/media/pins.py), so its members
meet in one relay whichever node or worker holds their socket. A connection held here whose meeting's
media runs elsewhere has its `media.*` events passed to that node (signalling/media/remote.py), which
keeps its peer and sends its offers back through this node; the browser's WebRTC goes straight to the
node that runs the media. Chair commands (mute, settings) are ordinary rules; once one commits,
`meeting_changed` makes the room re-apply the policy (before the ack when the room is on this node).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import socketio
from aiortc import RTCBundlePolicy, RTCConfiguration, RTCIceServer

from hub import media, turn
from hub.commands import MediaAnswer, MediaFollow, MediaJoin, MediaLeave, MediaShare
from hub.config import IceServer
from hub.errors import HubError
from hub.meetings import Actor
from hub.models import MediaUse, Meeting, Model
from hub.service import Hub
from hub.store import OUTAGES, Doc
from signalling.live import recordings
from signalling.live.station import Station
from signalling.media.courier import Courier, Moved, Unreachable
from signalling.media.peer import Peer
from signalling.media.pins import RENEW_SECONDS, Pins
from signalling.media.remote import Remote, decode_actor
from signalling.media.room import Room

log = logging.getLogger(__name__)

Handler = Callable[[str, str, Actor, Any], Awaitable[Any]]

# A join asks the pin again this many times when the node it named lets go meanwhile.
ROUTES = 3


def _unavailable() -> HubError:
    return HubError(
        "media.unavailable",
        "The meeting's audio and video cannot be reached just now; trying again.",
        {"retry_after": 1},
    )


@dataclass(frozen=True)
class Holder:
    """The node holding the socket of a peer that runs here, and the connection's session there."""

    node: str
    session: str


class Relay:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        hub: Hub,
        room_name: Callable[[str], str],
        ice_servers: Sequence[IceServer] = (),
        node: str = "node",
    ) -> None:
        self.sio = sio
        self.node = node
        self.hub = hub
        self.room_name = room_name
        self.ice_servers = tuple(ice_servers)
        # Browsers gather only relayed candidates (`Settings.ice_relay_only`).
        self.relay_only = False
        self.rooms: dict[str, Room] = {}
        self.peers: dict[str, Peer] = {}
        """By connection id."""
        self._room_of: dict[str, Room] = {}
        self.holders: dict[str, Holder] = {}
        """By connection id, for the peers here whose socket another node holds."""
        self._actors: dict[str, Actor] = {}
        """By connection id: who each peer here is, to record its media's end."""
        self._tasks: set[asyncio.Task[None]] = set()
        self._keeper: asyncio.Task[None] | None = None
        self._stopping = False
        # Where livestreams write (`Settings.live_root`), and each meeting streamed from here.
        self.live_root = Path("live")
        self._stations: dict[str, Station] = {}
        self._starting: set[str] = set()
        self._live_turns: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    # Made on first use: the relay is built before the hub's store is open.

    @functools.cached_property
    def courier(self) -> Courier:
        return Courier(self.hub.store, self.node, self._serve)

    @functools.cached_property
    def pins(self) -> Pins:
        return Pins(self.hub.store, self.node)

    @functools.cached_property
    def remote(self) -> Remote:
        return Remote(self.sio, self.courier, self.hub.store)

    def handlers(self) -> dict[str, Handler]:
        return {
            "media.join": self.join,
            "media.answer": self.answer,
            "media.share": self.share,
            "media.leave": self.leave,
            "media.follow": self.follow,
        }

    def configuration(self) -> RTCConfiguration:
        servers = [
            RTCIceServer(list(s.urls), s.username, s.credential) for s in turn.for_relay(self.ice_servers)
        ]
        return RTCConfiguration(iceServers=servers, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)

    async def join(self, sid: str, meeting_id: str, actor: Actor, command: MediaJoin) -> Any:
        media.check_mode(actor.role, command.mode)
        await self._present(meeting_id, actor)
        try:
            await self._start()
            for _ in range(ROUTES):
                owner = await self.pins.claim(meeting_id)
                here = owner == self.pins.owner
                if self.remote.runner(sid) not in (None, owner) or (not here and sid in self.peers):
                    # The meeting's media moved since this connection joined it: end it where it ran.
                    await self.release(sid)
                if here:
                    reply = await self._join_here(sid, meeting_id, actor, command, None)
                else:
                    try:
                        reply = await self.remote.join(owner, sid, meeting_id, actor, command)
                    except Moved:
                        continue  # That node let go of the meeting meanwhile: ask the pin again.
                break
            else:
                raise _unavailable()
        except Unreachable:
            raise _unavailable() from None
        use = MediaUse(mode=reply["mode"], microphone=command.microphone and reply["mode"] != "listen")
        try:
            await self.hub.execute(meeting_id, actor, lambda m, now: media.used(m, actor, use))
        except Exception:
            # Not recorded, not joined: the browser, refused, and the relay must agree.
            await self.release(sid)
            raise
        return reply

    async def _join_here(
        self, sid: str, meeting_id: str, actor: Actor, command: MediaJoin, holder: str | None
    ) -> Any:
        """Join on this node's relay; `holder` is the node holding the socket, if not this one."""
        meeting = await self._present(meeting_id, actor)
        # From here to the end nothing awaits, so a disconnect or a second join cannot interleave.
        if holder is None and not self.sio.manager.is_connected(sid, "/"):
            raise HubError("media.not_joined", "The connection is closing.")
        room = self.rooms.get(meeting_id)
        if room is None:
            room = self.rooms[meeting_id] = self._room(meeting)
        room.changed(meeting)
        peer = self.peers.get(sid)
        if peer is None:
            peer = Peer(
                sid, actor.member_id, actor.name, command.mode, room, self.configuration(), self._offer
            )
            self.peers[sid] = peer
            self._room_of[sid] = room
            self._actors[sid] = actor
            if holder is not None:
                self.holders[sid] = Holder(holder, actor.session)
            room.add(peer)
        elif peer.mode != command.mode:
            # The next offer drops or adds the sources and feeds the new mode changes.
            peer.mode = command.mode
            peer.sharing = peer.sharing and command.mode != "listen"
            peer.renegotiate()
        return {
            "mode": peer.mode,
            "stream_id": peer.stream_id,
            # TURN credentials are made against the wall clock: the TURN server checks them against its own.
            "ice_servers": turn.for_member(self.ice_servers, actor.member_id, time.time()),
            "ice_transport_policy": "relay" if self.relay_only else "all",
            "active_speaker": room.activity.current,
        }

    async def answer(self, sid: str, meeting_id: str, actor: Actor, command: MediaAnswer) -> Any:
        if self.remote.runner(sid) is not None:
            return await self._elsewhere(sid, "answer", meeting_id, actor, command)
        peer = self._peer(sid)
        await self._present(meeting_id, actor)
        await peer.accept(command.sdp)
        return None

    async def share(self, sid: str, meeting_id: str, actor: Actor, command: MediaShare) -> Any:
        if self.remote.runner(sid) is not None:
            return await self._elsewhere(sid, "share", meeting_id, actor, command)
        peer = self._peer(sid)
        await self._present(meeting_id, actor)
        if peer.mode == "listen":
            raise HubError("media.listen_only", "Listening only: join with audio or video to share a screen.")
        if command.on and not peer.sharing:
            peer.sharing = True
            peer.renegotiate()
        elif not command.on and peer.sharing:
            await peer.stop_sharing()
        return {"sharing": peer.sharing}

    async def leave(self, sid: str, meeting_id: str, actor: Actor, command: MediaLeave) -> Any:
        await self.release(sid)
        await self.hub.execute(meeting_id, actor, lambda m, now: media.used(m, actor, None))
        return None

    async def follow(self, sid: str, meeting_id: str, actor: Actor, command: MediaFollow) -> Any:
        """Recorded first, so a refusal (the livestream is off) leaves a peer in the relay as it was."""
        await self._present(meeting_id, actor)
        await self.hub.execute(meeting_id, actor, lambda m, now: media.follow(m, actor))
        await self.release(sid)
        return None

    async def release(self, sid: str) -> None:
        """End the connection's media, if any: peer connection, publishers, subscribers and tasks, here
        or on the node that runs it."""
        await self.remote.release(sid)
        peer = self.peers.pop(sid, None)
        if peer is None:
            return
        self.holders.pop(sid, None)
        self._actors.pop(sid, None)
        room = self._room_of.pop(sid)
        room.remove(peer)
        try:
            await peer.close()
        finally:
            room.publishers_changed()
            if not room.peers and room.studio is None and self.rooms.get(room.meeting_id) is room:
                await self._close(room)

    async def meeting_changed(self, meeting_id: str) -> None:
        """A command on this meeting committed: re-apply the policy before the command is acked, so a
        chair whose mute is acked knows it holds. The meeting just committed is in the hub's cache.
        Nodes that run the media of connections held here hear of it too, and look within a tick."""
        self.remote.changed(meeting_id)
        room = self.rooms.get(meeting_id)
        if room is None:
            room = await self._streamed(meeting_id)
        if room is None:
            return
        try:
            meeting = (await self.hub.current(meeting_id)).meeting
        except Exception:
            # The command is committed whatever happens here; the room reloads on its next tick.
            log.exception("media room %s: reload after a commit failed", meeting_id)
            room.changed()
            return
        room.changed(meeting)

    async def stop(self) -> None:
        # The flag as well as the cancel: redis-py may swallow a cancellation that lands inside a call.
        self._stopping = True
        # All at once: each feed may take seconds to finish its files, and a hub streaming several
        # meetings must stop within its grace period.
        stopped = await asyncio.gather(
            *(self._stop_streaming(room) for room in list(self.rooms.values())), return_exceptions=True
        )
        for failed in (s for s in stopped if isinstance(s, BaseException)):
            log.error("a livestream did not stop cleanly", exc_info=failed)
        # A feed whose stop is under way (its room may be gone) is let finish: cut off, its worker
        # would outlive the hub.
        for turns in list(self._live_turns.values()):
            async with turns:
                pass
        if self._keeper is not None:
            self._keeper.cancel()
            await asyncio.gather(self._keeper, return_exceptions=True)
        for sid in list(self.peers):
            holder = self.holders.get(sid)
            await self.release(sid)
            if holder is not None:
                # Its browser joins again, and the meeting's media starts on another node.
                await self._send(holder.node, sid, "media.ended", {"reason": "moved"})
        await self.remote.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.courier.stop()

    # Between nodes.

    async def _start(self) -> None:
        """From the first media join on, this node hears other nodes and keeps its pins."""
        if self._stopping:
            raise Unreachable(self.node)
        await self.courier.start()
        if self._keeper is None:
            self._keeper = asyncio.create_task(self._keep(), name="media pin keeper")

    async def _serve(self, op: str, sender: str, body: Doc) -> Any:
        """What another node asks: for a connection it holds whose media runs here, or the other way."""
        if op == "emit":
            return await self.remote.delivered(sender, body)
        if op == "changed":
            room = self.rooms.get(body["meeting_id"])
            if room is not None:
                room.refresh_soon()
            return None
        if op == "release":
            if body["sid"] in self.holders:
                await self.release(body["sid"])
            return None
        sid, meeting_id, actor = body["sid"], body["meeting_id"], decode_actor(body)
        if op == "join":
            if await self.pins.claim(meeting_id) != self.pins.owner:
                raise Moved(self.node)
            return await self._join_here(
                sid, meeting_id, actor, MediaJoin.model_validate(body["command"]), sender
            )
        if op == "answer":
            return await self.answer(sid, meeting_id, actor, MediaAnswer.model_validate(body["command"]))
        if op == "share":
            return await self.share(sid, meeting_id, actor, MediaShare.model_validate(body["command"]))
        raise ValueError(f"no media operation {op!r}")

    async def _elsewhere(self, sid: str, op: str, meeting_id: str, actor: Actor, command: Model) -> Any:
        try:
            return await self.remote.call(sid, op, meeting_id, actor, command)
        except (Unreachable, Moved):
            raise _unavailable() from None

    async def _send(self, holder: str | None, sid: str, event: str, data: Any) -> None:
        """An event for a connection: straight to its socket here, or through the node holding it."""
        if holder is None:
            await self.sio.emit(event, data, to=sid, ignore_queue=True)
            return
        try:
            await self.courier.tell(holder, "emit", {"sid": sid, "event": event, "data": data})
        except OUTAGES:
            log.warning("%s for %s on %s lost: the store is unreachable", event, sid, holder)

    async def _keep(self) -> None:
        """Renews this node's pins, ending the media of meetings whose pin another node took, and looks
        for connections here whose media ran on a node that no longer holds their meeting's pin."""
        while not self._stopping:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                for meeting_id in await self.pins.renew(list(self.rooms)):
                    room = self.rooms.get(meeting_id)
                    log.warning("media of %s moved to another node: its peers here join again", meeting_id)
                    for peer in list(room.peers.values()) if room is not None else []:
                        self._end(peer, "moved")
                await self.remote.check()
                await self._adopt_livestreams()
            except OUTAGES:
                pass  # The pins last their time to live; the next round tries again.
            except Exception:
                log.exception("media pin keeper failed")

    async def _unpin(self, meeting_id: str) -> None:
        """No peers of the meeting here any more: another node may take its media."""
        try:
            await self.pins.release(meeting_id)
            if meeting_id in self.rooms:
                # A join came in meanwhile: hold the meeting again.
                await self.pins.claim(meeting_id)
        except OUTAGES:
            pass  # The pin lapses on its own.

    def _departed(self, meeting: Meeting) -> None:
        """End the peers whose socket another node holds and whose connection is no longer in the
        meeting: that node died and was swept, or its release did not arrive."""
        room = self.rooms.get(meeting.id)
        for sid, peer in list(room.peers.items()) if room is not None else []:
            holder = self.holders.get(sid)
            if holder is None:
                continue
            participant = meeting.participants.get(peer.member_id)
            if participant is None or holder.session not in participant.sessions or participant.waiting:
                self._end(peer, "left")

    async def _ended(self, meeting_id: str, actor: Actor) -> None:
        """The others see that this connection's media ended (`media.ended`)."""
        try:
            await self.hub.execute(meeting_id, actor, lambda m, now: media.used(m, actor, None))
        except OUTAGES:
            log.warning(
                "the end of %s's media in %s went unrecorded: the store is unreachable",
                actor.name,
                meeting_id,
            )
        except Exception:
            log.exception("the end of %s's media in %s went unrecorded", actor.name, meeting_id)

    # Livestreams: the node running a meeting's media runs its feed, with or without peers here.

    async def _streamed(self, meeting_id: str) -> Room | None:
        """A room with no peers yet for a meeting whose livestream is on, if its media may run here."""
        meeting = await self.hub.known(meeting_id)
        if not meeting.livestream.on or self._stopping:
            return None
        await self._start()
        if await self.pins.claim(meeting_id) != self.pins.owner:
            # Its media runs on another node, which hears of the change and starts the feed there.
            return None
        room = self.rooms.get(meeting_id)
        if room is None:
            room = self.rooms[meeting_id] = self._room(meeting)
        return room

    async def _adopt_livestreams(self) -> None:
        """Livestreams this node knows to be on whose media runs nowhere (the node that ran it died, and
        its pin lapsed): the first live node to claim the pin runs the feed, continuing its playlist."""
        for meeting_id in self.hub.livestreams():
            if meeting_id in self.rooms or self._stopping:
                continue
            # The process's copy may be behind: the store says whether it is still on.
            if (await self.hub.current(meeting_id)).meeting.livestream.on:
                await self._streamed(meeting_id)

    def _livestream(self, room: Room, meeting: Meeting) -> None:
        """The room took a new meeting: start or stop its feed as the meeting's livestream says."""
        starting = room.meeting_id in self._starting
        if meeting.livestream.on and room.studio is None and not starting and not self._stopping:
            # The room takes meetings often (every command, every reload): start one feed.
            self._starting.add(room.meeting_id)
            self._track(self._start_streaming(room), f"live:start:{room.meeting_id}")
        elif not meeting.livestream.on and (room.studio is not None or starting):
            self._track(self._end_streaming(room), f"live:stop:{room.meeting_id}")
        elif (station := self._stations.get(room.meeting_id)) is not None:
            station.update(meeting)

    async def _start_streaming(self, room: Room) -> None:
        # Starts and stops of one meeting's feed take turns: a stop asked while the feed starts waits
        # for it, and a start finds the meeting as it is by then.
        async with self._live_turns[room.meeting_id]:
            try:
                if room.studio is None and not self._stopping and room.meeting.livestream.on:
                    await self._streaming(room)
            finally:
                # A failure is tried again at the room's next reload.
                self._starting.discard(room.meeting_id)

    async def _streaming(self, room: Room) -> None:
        station = Station(self.hub, room.meeting, self.live_root)
        self._stations[room.meeting_id] = station
        try:
            # The room holds the studio before the worker starts: a room that streams is kept.
            room.studio = await station.open()
            await station.start()
        except BaseException:
            room.studio = None
            self._stations.pop(room.meeting_id, None)
            await station.stop()
            raise
        room.apply()
        log.info("livestream of %s started", room.meeting_id)

    async def _end_streaming(self, room: Room) -> None:
        recording = await self._stop_streaming(room)
        if not room.peers and self.rooms.get(room.meeting_id) is room:
            await self._close(room)
        if recording is not None:
            # The livestream stopped: its recording is finished (a remux, in a thread) and said. A hub
            # that stops leaves it to go on when it starts again.
            await recordings.record(self.hub, room.meeting_id, recording)

    def recover_recordings(self) -> None:
        """At start-up: finish the recordings a crash or a stop left (signalling/live/recordings.py)."""
        root = self.live_root.parent / "recordings"
        self._track(self._recover(root), "live:recover")

    async def _recover(self, root: Path) -> None:
        await recordings.recover(self.hub, root)

    async def _stop_streaming(self, room: Room) -> Path | None:
        """Stop the room's feed; the directory of its recording, if it made one."""
        async with self._live_turns[room.meeting_id]:
            return await self._unstream(room)

    async def _unstream(self, room: Room) -> Path | None:
        room.studio = None
        station = self._stations.pop(room.meeting_id, None)
        if station is None:
            return None
        recording = await station.stop()
        log.info("livestream of %s stopped", room.meeting_id)
        return recording

    async def _close(self, room: Room) -> None:
        del self.rooms[room.meeting_id]
        await room.stop()
        await self._unpin(room.meeting_id)

    def _track(self, work: Coroutine[Any, Any, None], name: str) -> None:
        async def logged() -> None:
            try:
                await work
            except Exception:
                log.exception("%s failed", name)

        task = asyncio.create_task(logged(), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # Helpers.

    def _peer(self, sid: str) -> Peer:
        peer = self.peers.get(sid)
        if peer is None:
            raise HubError("media.not_joined", "Join the meeting's audio and video first.")
        return peer

    async def _present(self, meeting_id: str, actor: Actor) -> Meeting:
        """The meeting, if this connection has joined it (media rides on a joined connection)."""
        current = await self.hub.current(meeting_id)
        participant = current.meeting.participants.get(actor.member_id)
        if participant is None or actor.session not in participant.sessions or participant.waiting:
            raise HubError(
                "attendance.not_present", "Join the meeting first: business is done by those present."
            )
        return current.meeting

    def _room(self, meeting: Meeting) -> Room:
        meeting_id = meeting.id

        async def load() -> Meeting:
            meeting = (await self.hub.current(meeting_id)).meeting
            self._departed(meeting)
            return meeting

        async def announce(member_id: str | None) -> None:
            await self.sio.emit(
                "media.active_speaker", {"member_id": member_id}, room=self.room_name(meeting_id)
            )

        room = Room(meeting, load=load, clock=self.hub.clock, announce=announce, end=self._end)
        room.on_meeting = lambda taken: self._livestream(room, taken)
        self._livestream(room, meeting)
        return room

    async def _offer(self, peer: Peer, offer: dict[str, Any]) -> None:
        holder = self.holders.get(peer.sid)
        await self._send(None if holder is None else holder.node, peer.sid, "media.offer", offer)

    def _end(self, peer: Peer, reason: str) -> None:
        """Release a peer whose media cannot go on, and tell its browser why."""

        async def end() -> None:
            if self.peers.get(peer.sid) is not peer:
                return
            holder = self.holders.get(peer.sid)
            actor, meeting_id = self._actors[peer.sid], self._room_of[peer.sid].meeting_id
            await self.release(peer.sid)
            await self._send(
                None if holder is None else holder.node, peer.sid, "media.ended", {"reason": reason}
            )
            if reason != "moved":
                # A browser whose media moved joins again at once, and records its media itself.
                await self._ended(meeting_id, actor)

        task = asyncio.create_task(end(), name=f"media:end:{peer.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
