"""The peers of one meeting: who sends what, who gets what, and whether the meeting's procedure lets
it through now (hub/media.py decides; the room pauses and resumes the passthrough Subscribers).

The room keeps the meeting as last seen. It takes the new one when a command on this node commits,
before the command is acked, and reloads it at least every `RELOAD_INTERVAL` otherwise, which catches
changes committed on other nodes and a speech running past its time. Active speaker detection runs
every `TICK`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from hub import media
from hub.models import Meeting
from signalling.media.activity import ActiveSpeaker
from signalling.media.passthrough import AudioLevel
from signalling.media.peer import Feed, FeedKey, Peer, Source

if TYPE_CHECKING:
    from signalling.live.studio import Studio

log = logging.getLogger(__name__)

TICK = 0.2
RELOAD_INTERVAL = 1.0

NOBODY = media.Forwarding(frozenset(), frozenset(), frozenset())


class Room:
    def __init__(
        self,
        meeting: Meeting,
        *,
        load: Callable[[], Awaitable[Meeting]],
        clock: Callable[[], datetime],
        announce: Callable[[str | None], Awaitable[None]],
        end: Callable[[Peer, str], None],
    ) -> None:
        self.meeting_id = meeting.id
        self.meeting = meeting
        self.peers: dict[str, Peer] = {}
        """By connection id, in the order they joined."""
        self.activity = ActiveSpeaker()
        self.forwarding = NOBODY
        self._load = load
        self._clock = clock
        self._announce = announce
        self._end = end
        self._stale = False
        self._stopping = False
        self._wake = asyncio.Event()
        # The meeting's livestream, while this node runs it (signalling/live/studio.py).
        self.studio: Studio | None = None
        # Told of every meeting the room takes, from a command here or a reload.
        self.on_meeting: Callable[[Meeting], None] | None = None
        self._task = asyncio.create_task(self._run(), name=f"media:room:{self.meeting_id}")

    # What the peers ask.

    def sources(self, peer: Peer) -> set[Source]:
        wanted: set[Source] = set()
        if peer.mode in ("full", "audio"):
            wanted.add("microphone")
            if peer.sharing:
                wanted.add("screen")
        if peer.mode == "full":
            wanted.add("camera")
        return wanted

    def feeds(self, peer: Peer) -> Mapping[FeedKey, Feed]:
        feeds: dict[FeedKey, Feed] = {}
        for other in self.peers.values():
            # Never one's own streams back, not even from another device.
            if other.member_id == peer.member_id:
                continue
            for source in other.inbound:
                publisher = other.publisher(source)
                # Audio only and listening only receive audio only: no camera, no screen (a member on a
                # poor connection chose it to spare the link).
                if publisher is None or (peer.mode != "full" and publisher.kind != "audio"):
                    continue
                feeds[(other.id, source)] = Feed(
                    publisher, other.member_id, other.name, source, other.stream_of(source)
                )
        return feeds

    def forwarded(self, feed: Feed) -> bool:
        if feed.source == "microphone":
            return feed.member_id in self.forwarding.audio
        if feed.source == "camera":
            return feed.member_id in self.forwarding.cameras
        return feed.member_id in self.forwarding.screens

    def publishers_changed(self) -> None:
        self.apply()
        for peer in self.peers.values():
            if peer.out_of_step(self.feeds(peer)):
                peer.renegotiate()

    def heard(self, member_id: str, level: AudioLevel) -> None:
        self.activity.hear(member_id, level.dbov, level.voice, level.at)

    def ended(self, peer: Peer, reason: str) -> None:
        self._end(peer, reason)

    # Membership.

    def add(self, peer: Peer) -> None:
        self.peers[peer.sid] = peer
        peer.renegotiate()

    def remove(self, peer: Peer) -> None:
        self.peers.pop(peer.sid, None)
        if not any(p.member_id == peer.member_id for p in self.peers.values()):
            self.activity.forget(peer.member_id)

    # Policy.

    def changed(self, meeting: Meeting | None = None) -> None:
        """The meeting changed: use `meeting`, or reload it on the next tick."""
        if meeting is not None:
            self._take(meeting)
            self.apply()
        else:
            self._stale = True
            self._wake.set()

    def refresh_soon(self) -> None:
        """The meeting changed on another node: reload it on the next tick, not at once, so a storm of
        commits there costs this node a reload per tick at most."""
        self._stale = True

    def apply(self) -> None:
        """Pause and resume every forwarded feed as the policy says now."""
        senders: dict[Source, list[str]] = {"microphone": [], "camera": [], "screen": []}
        for peer in self.peers.values():
            for source in peer.inbound:
                if peer.publisher(source) is not None:
                    senders[source].append(peer.member_id)
        self.forwarding = media.forwarding(
            self.meeting,
            microphones=senders["microphone"],
            cameras=senders["camera"],
            screens=senders["screen"],
            recent=self.activity.recent,
            now=self._clock(),
        )
        for peer in self.peers.values():
            for out in peer.outbound.values():
                if self.forwarded(out.feed):
                    out.subscriber.resume()
                else:
                    out.subscriber.pause()
        if self.studio is not None:
            self.studio.update(self.meeting, self.forwarding, self.peers.values())

    def _take(self, meeting: Meeting) -> None:
        self.meeting = meeting
        if self.on_meeting is not None:
            self.on_meeting(meeting)

    async def stop(self) -> None:
        # The flag ends the loop even if the cancellation is lost: python-socketio's emit can swallow one.
        self._stopping = True
        self._wake.set()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_load = loop.time() + RELOAD_INTERVAL
        while not self._stopping:
            try:
                async with asyncio.timeout(TICK):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            if self._stopping:
                return
            try:
                if self._stale or loop.time() >= next_load:
                    self._stale = False
                    next_load = loop.time() + RELOAD_INTERVAL
                    self._take(await self._load())
                    self.apply()
                if self.activity.decide(loop.time(), self.forwarding.audio):
                    # The recent speakers choose the cameras.
                    self.apply()
                    await self._announce(self.activity.current)
            except Exception:
                log.exception("media room %s: refresh failed", self.meeting_id)
