"""Media at the edge: the Socket.IO handlers for joining, answering, sharing and leaving, one room of
peers per meeting, and the hooks that keep forwarding in step with the meeting.

The relay runs in the process that holds the participant's socket. Chair commands (mute, settings)
are ordinary rules; once one commits, `meeting_changed` makes the room re-apply the policy.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import socketio
from aiortc import RTCBundlePolicy, RTCConfiguration, RTCIceServer

from hub import media
from hub.commands import MediaAnswer, MediaJoin, MediaLeave, MediaShare
from hub.config import IceServer
from hub.errors import HubError
from hub.meetings import Actor
from hub.models import Meeting
from hub.service import Hub
from signalling.media.peer import Peer
from signalling.media.room import Room

log = logging.getLogger(__name__)

Handler = Callable[[str, str, Actor, Any], Awaitable[Any]]


class Relay:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        hub: Hub,
        room_name: Callable[[str], str],
        ice_servers: Sequence[IceServer] = (),
    ) -> None:
        self.sio = sio
        self.hub = hub
        self.room_name = room_name
        self.ice_servers = tuple(ice_servers)
        self.rooms: dict[str, Room] = {}
        self.peers: dict[str, Peer] = {}
        """By connection id."""
        self._room_of: dict[str, Room] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def handlers(self) -> dict[str, Handler]:
        return {
            "media.join": self.join,
            "media.answer": self.answer,
            "media.share": self.share,
            "media.leave": self.leave,
        }

    def configuration(self) -> RTCConfiguration:
        servers = [RTCIceServer(list(s.urls), s.username, s.credential) for s in self.ice_servers]
        return RTCConfiguration(iceServers=servers, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)

    async def join(self, sid: str, meeting_id: str, actor: Actor, command: MediaJoin) -> Any:
        media.check_mode(actor.role, command.mode)
        meeting = await self._present(meeting_id, actor)
        # From here to the end nothing awaits, so a disconnect or a second join cannot interleave.
        if not self.sio.manager.is_connected(sid, "/"):
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
            room.add(peer)
        elif peer.mode != command.mode:
            # The next offer drops or adds the sources and feeds the new mode changes.
            peer.mode = command.mode
            peer.sharing = peer.sharing and command.mode != "listen"
            peer.renegotiate()
        return {
            "mode": peer.mode,
            "stream_id": peer.stream_id,
            "ice_servers": [s.as_dict() for s in self.ice_servers],
            "active_speaker": room.activity.current,
        }

    async def answer(self, sid: str, meeting_id: str, actor: Actor, command: MediaAnswer) -> Any:
        peer = self._peer(sid)
        await self._present(meeting_id, actor)
        await peer.accept(command.sdp)
        return None

    async def share(self, sid: str, meeting_id: str, actor: Actor, command: MediaShare) -> Any:
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
        return None

    async def release(self, sid: str) -> None:
        """End the connection's media, if any: peer connection, publishers, subscribers and tasks."""
        peer = self.peers.pop(sid, None)
        if peer is None:
            return
        room = self._room_of.pop(sid)
        room.remove(peer)
        try:
            await peer.close()
        finally:
            room.publishers_changed()
            if not room.peers and self.rooms.get(room.meeting_id) is room:
                del self.rooms[room.meeting_id]
                await room.stop()

    async def meeting_changed(self, meeting_id: str) -> None:
        """A command on this meeting committed: re-apply the policy before the command is acked, so a
        chair whose mute is acked knows it holds. The meeting just committed is in the hub's cache."""
        room = self.rooms.get(meeting_id)
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
        for sid in list(self.peers):
            await self.release(sid)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

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
            return (await self.hub.current(meeting_id)).meeting

        async def announce(member_id: str | None) -> None:
            await self.sio.emit(
                "media.active_speaker", {"member_id": member_id}, room=self.room_name(meeting_id)
            )

        return Room(meeting, load=load, clock=self.hub.clock, announce=announce, end=self._end)

    async def _offer(self, peer: Peer, offer: dict[str, Any]) -> None:
        await self.sio.emit("media.offer", offer, to=peer.sid)

    def _end(self, peer: Peer, reason: str) -> None:
        """Release a peer whose media cannot go on, and tell its browser why."""

        async def end() -> None:
            if self.peers.get(peer.sid) is not peer:
                return
            await self.release(peer.sid)
            await self.sio.emit("media.ended", {"reason": reason}, to=peer.sid)

        task = asyncio.create_task(end(), name=f"media:end:{peer.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
