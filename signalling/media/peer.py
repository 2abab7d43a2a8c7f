"""One participant connection's RTCPeerConnection: what it sends the relay, what the relay forwards to
it, and the offer/answer exchange that keeps both in step.

The relay always offers and the browser answers, one negotiation at a time; a change that comes while
an offer waits for its answer is offered next. The participant's own sources arrive on `recvonly`
transceivers and become passthrough Publishers; every other participant's source goes out on a
`sendonly` transceiver carrying a passthrough Subscriber. A transceiver whose source has gone is set
`inactive` and never reused: a stopped Subscriber ends its sender for good, and aiortc does not recycle
m-lines.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpTransceiver, RTCSessionDescription

from hub.errors import HubError
from hub.models import MediaMode
from signalling.media.passthrough import AudioLevel, Publisher, Subscriber, pin_codec, set_stream_id

log = logging.getLogger(__name__)

Source = Literal["microphone", "camera", "screen"]
KIND: dict[Source, str] = {"microphone": "audio", "camera": "video", "screen": "video"}
# A feed is one source of one peer: (peer id, source).
FeedKey = tuple[str, Source]

# How long the browser has to answer an offer before its media is ended.
ANSWER_TIMEOUT = 20.0
# How long closing a peer connection may take before the leave goes on without it.
PC_CLOSE_SECONDS = 5.0

# What each direction we offer allows in the answer.
ANSWERABLE = {
    "recvonly": {"sendonly", "inactive"},
    "sendonly": {"recvonly", "inactive"},
    "inactive": {"inactive"},
}
DIRECTIONS = {"sendrecv", "sendonly", "recvonly", "inactive"}


def media_sections(sdp: str) -> list[tuple[str | None, str]]:
    """The mid and direction of each media section of an SDP (RFC 4566: sendrecv when none is given)."""
    sections: list[tuple[str | None, str]] = []
    for line in sdp.splitlines():
        if line.startswith("m="):
            sections.append((None, "sendrecv"))
        elif sections and line.startswith("a=mid:"):
            sections[-1] = (line.removeprefix("a=mid:").strip(), sections[-1][1])
        elif sections and line.startswith("a=") and line[2:].strip() in DIRECTIONS:
            sections[-1] = (sections[-1][0], line[2:].strip())
    return sections


@dataclass(frozen=True)
class Feed:
    """A source another participant sends, as offered to a subscriber."""

    publisher: Publisher
    member_id: str
    name: str
    source: Source
    stream_id: str


class PeerRoom(Protocol):
    """What a peer needs from the room it is in."""

    def sources(self, peer: Peer) -> set[Source]:
        """The sources this peer should send."""

    def feeds(self, peer: Peer) -> Mapping[FeedKey, Feed]:
        """The other participants' sources this peer should receive."""

    def forwarded(self, feed: Feed) -> bool:
        """Whether the policy lets this feed through now."""

    def publishers_changed(self) -> None:
        """A peer started or stopped sending something."""

    def heard(self, member_id: str, level: AudioLevel) -> None:
        """An audio level reading from a participant's microphone."""

    def ended(self, peer: Peer, reason: str) -> None:
        """The peer's media cannot go on (no answer, connection failed)."""


@dataclass(eq=False)
class Inbound:
    """One of the participant's own sources, received on a recvonly transceiver."""

    source: Source
    transceiver: RTCRtpTransceiver
    publisher: Publisher | None = None


@dataclass(eq=False)
class Outbound:
    """Another participant's source, forwarded on a sendonly transceiver."""

    feed: Feed
    transceiver: RTCRtpTransceiver
    subscriber: Subscriber


_ids = itertools.count(1)


class Peer:
    def __init__(
        self,
        sid: str,
        member_id: str,
        name: str,
        mode: MediaMode,
        room: PeerRoom,
        configuration: RTCConfiguration,
        send_offer: Callable[[Peer, dict[str, Any]], Awaitable[None]],
    ) -> None:
        self.id = f"p{next(_ids)}"
        self.sid = sid
        self.member_id = member_id
        self.name = name
        self.mode: MediaMode = mode
        self.sharing = False
        self.room = room
        self.pc = RTCPeerConnection(configuration)
        self.inbound: dict[Source, Inbound] = {}
        self.outbound: dict[FeedKey, Outbound] = {}
        self.offers = 0
        """Offers sent."""
        self.retired = 0
        """Transceivers set inactive for good."""
        self.closed = False
        self._send_offer = send_offer
        self._dirty = False
        self._task: asyncio.Task[None] | None = None
        self._answer: asyncio.Future[None] | None = None
        self._answering = False
        # Offers, answers and closing never touch the peer connection at the same time.
        self._lock = asyncio.Lock()
        self.pc.on("connectionstatechange", self._on_connection_state)

    @property
    def stream_id(self) -> str:
        """The stream of the participant's microphone and camera."""
        return self.id

    @property
    def screen_stream_id(self) -> str:
        return f"{self.id}-screen"

    def stream_of(self, source: Source) -> str:
        return self.screen_stream_id if source == "screen" else self.stream_id

    def publisher(self, source: Source) -> Publisher | None:
        inbound = self.inbound.get(source)
        if inbound is None or inbound.publisher is None or inbound.publisher.closed:
            return None
        return inbound.publisher

    def out_of_step(self, feeds: Mapping[FeedKey, Feed]) -> bool:
        """Whether what this peer is sent differs from `feeds`, counting feeds that have ended."""
        if feeds.keys() != self.outbound.keys():
            return True
        return any(
            out.feed != feeds[key] or out.subscriber.readyState != "live"
            for key, out in self.outbound.items()
        )

    @property
    def awaiting_answer(self) -> bool:
        return self._answer is not None and not self._answer.done()

    def renegotiate(self) -> None:
        """Offer again, now or once the offer in flight is answered."""
        if self.closed:
            return
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._negotiate(), name=f"media:negotiate:{self.id}")

    async def accept(self, sdp: str) -> None:
        """Apply the browser's answer to the offer in flight."""
        if not self.awaiting_answer or self._answering:
            raise HubError("media.no_offer", "There is no offer waiting for an answer.")
        self._answering = True
        try:
            async with self._lock:
                if self.closed:
                    raise HubError("media.not_joined", "Join the meeting's audio and video first.")
                self._check_answer(sdp)
                try:
                    await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
                except Exception as exc:
                    problem = {"problem": str(exc)}
                    raise HubError("media.bad_answer", "The answer could not be applied.", problem) from None
                # Synchronously after the answer: aiortc starts the receivers from a task it has just
                # scheduled, and a Publisher must take over a receiver before it starts decoding.
                adopted = self._adopt()
        finally:
            self._answering = False
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(None)
        if adopted:
            self.room.publishers_changed()

    async def stop_sharing(self) -> None:
        """Stop forwarding the screen at once; the transceiver goes in the next offer."""
        self.sharing = False
        inbound = self.inbound.get("screen")
        if inbound is not None and inbound.publisher is not None:
            await inbound.publisher.stop()
            self.room.publishers_changed()
        self.renegotiate()

    async def close(self) -> None:
        """Release everything: negotiation, publishers, subscribers and the connection."""
        self.closed = True
        # Ends a wait for the answer even if the cancellation is lost on the way (python-socketio's emit
        # can swallow one); the negotiation also checks `closed` after every await.
        if self._answer is not None:
            self._answer.cancel()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        async with self._lock:
            for inbound in self.inbound.values():
                if inbound.publisher is not None:
                    await inbound.publisher.stop()
            for out in self.outbound.values():
                out.subscriber.stop()
            # aiortc's close waits on its transports' own tasks; when those were cancelled first (the
            # process stopping), it would wait for ever and hold up the member's leave with it.
            try:
                async with asyncio.timeout(PC_CLOSE_SECONDS):
                    await self.pc.close()
            except TimeoutError:
                log.warning("peer connection of %s did not close within %s s", self.sid, PC_CLOSE_SECONDS)

    # Negotiation.

    async def _negotiate(self) -> None:
        try:
            while self._dirty and not self.closed:
                self._dirty = False
                async with self._lock:
                    if self.closed or not await self._sync():
                        continue
                    await self.pc.setLocalDescription(await self.pc.createOffer())
                    if self.closed:
                        return
                    self._answer = asyncio.get_running_loop().create_future()
                    offer = self._describe()
                self.offers += 1
                await self._send_offer(self, offer)
                try:
                    async with asyncio.timeout(ANSWER_TIMEOUT):
                        await self._answer
                except TimeoutError:
                    self.room.ended(self, "no_answer")
                    return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("negotiation with %s failed", self.sid)
            self.room.ended(self, "failed")

    async def _sync(self) -> bool:
        """Make the transceivers match what the room wants; False when there is nothing to offer."""
        retired_publisher = False
        wanted = self.room.sources(self)
        for source in list(self.inbound):
            # A source whose publisher has stopped (a screen share that ended) gets a new transceiver.
            stopped = self.inbound[source].publisher is not None and self.publisher(source) is None
            if source not in wanted or stopped:
                inbound = self.inbound.pop(source)
                if inbound.publisher is not None:
                    retired_publisher = retired_publisher or not inbound.publisher.closed
                    await inbound.publisher.stop()
                await self._retire(inbound.transceiver)
        for source in sorted(wanted - self.inbound.keys()):
            transceiver = self.pc.addTransceiver(KIND[source], direction="recvonly")
            pin_codec(transceiver)
            self.inbound[source] = Inbound(source, transceiver)
        feeds = self.room.feeds(self)
        for key in list(self.outbound):
            out = self.outbound[key]
            if feeds.get(key) != out.feed or out.subscriber.readyState != "live":
                del self.outbound[key]
                out.subscriber.stop()
                await self._retire(out.transceiver)
        for key, feed in feeds.items():
            if key in self.outbound or feed.publisher.closed:
                continue
            transceiver = self.pc.addTransceiver(feed.publisher.kind, direction="sendonly")
            pin_codec(transceiver)
            set_stream_id(transceiver.sender, feed.stream_id)
            subscriber = feed.publisher.subscribe(transceiver.sender, paused=not self.room.forwarded(feed))
            self.outbound[key] = Outbound(feed, transceiver, subscriber)
        if retired_publisher:
            self.room.publishers_changed()
        return bool(self.pc.getTransceivers())

    async def _retire(self, transceiver: RTCRtpTransceiver) -> None:
        transceiver.direction = "inactive"
        await transceiver.stop()
        self.retired += 1

    def _describe(self) -> dict[str, Any]:
        """The offer as sent: the SDP, whose stream is which, and where the browser sends its own."""
        streams: dict[str, dict[str, str]] = {}
        for out in self.outbound.values():
            feed = out.feed
            streams[feed.stream_id] = {
                "member_id": feed.member_id,
                "name": feed.name,
                "source": "screen" if feed.source == "screen" else "camera",
            }
        publish = {source: inbound.transceiver.mid for source, inbound in self.inbound.items()}
        return {"sdp": self.pc.localDescription.sdp, "type": "offer", "streams": streams, "publish": publish}

    def _check_answer(self, sdp: str) -> None:
        """Refuse an answer that would make the relay receive where it offered to send, or the reverse;
        aiortc would accept it and start decoding what arrives."""
        offered = media_sections(self.pc.localDescription.sdp)
        answered = media_sections(sdp)
        if [mid for mid, _ in answered] != [mid for mid, _ in offered]:
            raise HubError(
                "media.bad_answer",
                "The answer's media sections do not match the offer.",
                {"problem": "media sections differ"},
            )
        for (mid, ours), (_, theirs) in zip(offered, answered, strict=True):
            if theirs not in ANSWERABLE.get(ours, set()):
                raise HubError(
                    "media.bad_answer",
                    f"Media section {mid} may not be answered {theirs}.",
                    {"problem": "direction", "mid": mid, "offered": ours},
                )

    def _adopt(self) -> bool:
        """Publishers for the participant's sources that have just arrived."""
        adopted = False
        for inbound in self.inbound.values():
            receiver = inbound.transceiver.receiver
            if inbound.publisher is None and receiver.track is not None:
                on_level = self._on_audio_level if inbound.source == "microphone" else None
                inbound.publisher = Publisher(receiver, on_audio_level=on_level)
                adopted = True
        return adopted

    def _on_audio_level(self, level: AudioLevel) -> None:
        self.room.heard(self.member_id, level)

    def _on_connection_state(self) -> None:
        if self.pc.connectionState == "failed" and not self.closed:
            self.room.ended(self, "failed")
