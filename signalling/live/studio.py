"""A meeting's livestream at the relay: the scene the procedure sets (hub/programme.py) handed to the
feed whenever it changes, and a tap on each source the scene shows or mixes, and on no other.

A tap is a subscriber with no peer connection on the source's publisher (signalling/media/passthrough.py,
`Publisher.subscribe(None)`): it starts at a keyframe and skips to the next one when it falls behind.
Its packets go to the feed (signalling/live/feed.py) as they come, never awaited. Sources are numbered
for the feed once and never again, so a packet still on its way from an old source is never taken for
a new one's.

The relay re-applies its policy whenever the meeting or the publishers change and calls `update`; the
studio also looks once a second, for what only time changes (a result leaves the screen).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from itertools import count
from typing import Protocol

from hub import programme
from hub.media import Forwarding
from hub.models import Meeting
from hub.programme import Scene
from signalling.media.passthrough import Publisher, Subscriber
from signalling.media.peer import Peer, Source

log = logging.getLogger(__name__)

# The codecs the feed decodes, by the MIME type the relay receives.
CODECS = {"video/VP8": "vp8", "video/H264": "h264", "audio/opus": "opus"}
LOOK_SECONDS = 1.0


class Sink(Protocol):
    """What the studio feeds (signalling/live/feed.py `Feed`)."""

    def show(self, scene: Scene, video: int | None, audio: Sequence[int]) -> None: ...

    def packet(self, source: int, codec: str, pts: int, data: bytes, keyframe: bool) -> None: ...


class Tap:
    """One source on its way to the feed."""

    def __init__(self, publisher: Publisher, number: int, sink: Sink) -> None:
        self.publisher = publisher
        self.number = number
        self._sink = sink
        self._subscriber: Subscriber = publisher.subscribe(None)
        self._task = asyncio.create_task(self._pump(), name=f"live:tap:{number}")

    async def _pump(self) -> None:
        try:
            while True:
                packet = await self._subscriber.recv()
                codec = CODECS.get(self.publisher.codec or "")
                if codec is None:
                    continue
                self._sink.packet(
                    self.number, codec, int(packet.pts or 0), bytes(packet), bool(packet.is_keyframe)
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            # The source ended (its sender left, its track stopped): the scene moves on without it.
            pass

    def stop(self) -> None:
        self._subscriber.stop()
        self._task.cancel()


class Studio:
    def __init__(self, sink: Sink, clock: Callable[[], datetime]) -> None:
        self.sink = sink
        self._clock = clock
        self._taps: dict[tuple[str, Source], Tap] = {}
        self._numbers = count(1)
        self._shown: tuple[Scene, int | None, tuple[int, ...]] | None = None
        self._state: tuple[Meeting, Forwarding, list[Peer]] | None = None
        self._looker = asyncio.create_task(self._look(), name="live:studio")

    @property
    def scene(self) -> Scene | None:
        return None if self._shown is None else self._shown[0]

    def update(self, meeting: Meeting, forwarding: Forwarding, peers: Iterable[Peer]) -> None:
        """The room's latest meeting, policy and peers: the scene, and the taps it needs."""
        self._state = (meeting, forwarding, list(peers))
        self._apply()

    def request_keyframe(self, number: int) -> None:
        """The feed could not decode a source: ask its sender for a keyframe."""
        for tap in self._taps.values():
            if tap.number == number:
                tap.publisher.request_keyframe()

    async def stop(self) -> None:
        self._looker.cancel()
        await asyncio.gather(self._looker, return_exceptions=True)
        for tap in self._taps.values():
            tap.stop()
        self._taps.clear()

    def _apply(self) -> None:
        if self._state is None:
            return
        meeting, forwarding, peers = self._state
        publishers = _publishers(peers)
        cameras = {member for member, source in publishers if source == "camera"}
        scene = programme.scene(
            meeting,
            self._clock(),
            cameras=cameras,
            forwarding=forwarding,
            language=meeting.livestream.language,
        )
        wanted: list[tuple[str, Source]] = [(m, "microphone") for m in scene.audio]
        if scene.video is not None:
            wanted.append(scene.video)
        for key in [k for k in self._taps if k not in wanted or self._taps[k].publisher.closed]:
            self._taps.pop(key).stop()
        for key in wanted:
            publisher = publishers.get(key)
            if key not in self._taps and publisher is not None:
                self._taps[key] = Tap(publisher, next(self._numbers), self.sink)
        video = None if scene.video is None else self._number(scene.video)
        audio = tuple(n for n in (self._number((m, "microphone")) for m in scene.audio) if n is not None)
        shown = (scene, video, audio)
        if shown != self._shown:
            self._shown = shown
            self.sink.show(scene, video, audio)

    def _number(self, key: tuple[str, Source]) -> int | None:
        tap = self._taps.get(key)
        return None if tap is None else tap.number

    async def _look(self) -> None:
        while True:
            await asyncio.sleep(LOOK_SECONDS)
            try:
                self._apply()
            except Exception:
                log.exception("livestream: the scene could not be made")


def _publishers(peers: Iterable[Peer]) -> dict[tuple[str, Source], Publisher]:
    """Each member's publisher of each source (their first connection's that sends it)."""
    found: dict[tuple[str, Source], Publisher] = {}
    for peer in peers:
        for source in peer.inbound:
            publisher = peer.publisher(source)
            if publisher is not None:
                found.setdefault((peer.member_id, source), publisher)
    return found
