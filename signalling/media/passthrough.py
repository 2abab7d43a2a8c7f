"""Encoded pass-through for aiortc: receive a participant's media without decoding it and forward it to
many peers without re-encoding it.

aiortc has no public API for this, so this is the one module that touches its internals (names starting
with an underscore). It is written against aiortc 1.16.0, which the project pins exactly; if an upgrade
moves one of them, `_require` fails loudly naming it instead of the relay silently decoding again.
The internals used, and why:

- `RTCRtpReceiver.__decoder_queue`: replaced before the receiver starts, so that each reassembled encoded
  frame becomes an `av.Packet` on the remote track instead of going to a decoder.
- `RTCRtpReceiver.__decoder_thread`: read, to refuse a receiver that has already started decoding.
- `RTCRtpReceiver.__jitter_buffer`: replaced by one that releases each frame as soon as it is complete.
  aiortc's waits for the next frame to start (33 ms at 30 fps) and, for audio, holds four more frames back
  for its own decoder (80 ms); the subscribers' jitter buffers smooth playout, the relay need not. It reads
  `JitterBuffer`'s fields and the depayloaded data aiortc leaves on each packet (`RtpPacket._data`).
- `RemoteStreamTrack._queue`: where the packets go, so that the track yields them.
- `RTCRtpReceiver._handle_rtp_packet`: wrapped per instance, to read the RFC 6464 audio level and the
  media SSRC of incoming packets. `RTCRtpReceiver._send_rtcp_pli`: called to ask a publisher for a keyframe.
- `RTCRtpSender._send_keyframe`: replaced per instance; it is the sender's PLI/FIR hook, which otherwise
  only tells aiortc's own encoder to make a keyframe.
- `RTCRtpSender._stream_id`: the msid stream id, so a browser groups a participant's audio and video.
- `aioice.ice.get_host_addresses`: only inside the test opt-in `allow_loopback_candidates`.

`RTCRtpSender` already packetizes an `av.Packet` returned by its track's `recv()` without encoding it, so a
track that returns the publisher's packets (`Subscriber`) forwards them as they came.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import math
import queue
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import aioice.ice
import aiortc
import av
from aiortc import MediaStreamTrack, RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver
from aiortc.jitterbuffer import MAX_MISORDER, JitterBuffer, JitterFrame
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtcrtpreceiver import RemoteStreamTrack
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add

logger = logging.getLogger(__name__)

# At most one keyframe request to a publisher per this many seconds, however many subscribers ask.
KEYFRAME_REQUEST_INTERVAL = 0.5
# Packets queued per subscriber before the oldest are dropped: about 0.6 s of audio or 1 s of video.
QUEUE_SIZE = 32
DEFAULT_CODECS = {"audio": "audio/opus", "video": "video/VP8"}

_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
_DECODER_THREAD = "_RTCRtpReceiver__decoder_thread"
_JITTER_BUFFER = "_RTCRtpReceiver__jitter_buffer"
_HANDLE_RTP = "_handle_rtp_packet"
_SEND_KEYFRAME = "_send_keyframe"
_DEPAYLOADED = "_data"

_DecoderTask = tuple[RTCRtpCodecParameters, JitterFrame] | None


def _require(obj: object, name: str) -> None:
    if not hasattr(obj, name):
        raise RuntimeError(
            f"aiortc {aiortc.__version__} has no {type(obj).__name__}.{name}; "
            "the media pass-through is written for aiortc 1.16.0"
        )


def is_keyframe(codec_name: str, data: bytes) -> bool:
    """Whether an encoded VP8 or H264 frame (as aiortc reassembles it) can be decoded on its own."""
    name = codec_name.upper()
    if name == "VP8":
        # RFC 6386 section 9.1: the frame tag's lowest bit is 0 on key frames, which carry a start code.
        return len(data) >= 10 and not data[0] & 0x01 and data[3:6] == b"\x9d\x01\x2a"
    if name == "H264":
        # aiortc reassembles H264 as Annex B; an IDR slice is NAL unit type 5.
        start = data.find(b"\x00\x00\x01")
        while start != -1 and start + 3 < len(data):
            if data[start + 3] & 0x1F == 5:
                return True
            start = data.find(b"\x00\x00\x01", start + 3)
    return False


class _AudioJitterBuffer(JitterBuffer):
    """Takes the place of an audio receiver's jitter buffer. An Opus packet is a whole frame, so each one
    goes out as it arrives, late and duplicate ones excepted. Concealing a lost packet is the subscriber's
    decoder's job: waiting for it here would stall everyone's audio until the buffer overflowed."""

    def __init__(self) -> None:
        super().__init__(capacity=16)
        self._last: int | None = None

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        # Far behind means the sender restarted its sequence numbers, not a late packet.
        if self._last is not None and uint16_add(self._last, -packet.sequence_number) < MAX_MISORDER:
            return False, None
        self._last = packet.sequence_number
        return False, JitterFrame(data=getattr(packet, _DEPAYLOADED), timestamp=packet.timestamp)


class _VideoJitterBuffer(JitterBuffer):
    """Takes the place of a video receiver's jitter buffer, releasing a frame once its last packet (the
    one with the RTP marker bit, for VP8 and H264) is in, instead of when the next frame's first packet
    arrives. Ordering, capacity, loss and keyframe requests stay aiortc's."""

    def __init__(self) -> None:
        super().__init__(capacity=512, is_video=True)

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        frame = super()._remove_frame(sequence_number)
        if frame is not None or self._origin is None:
            return frame
        packets: list[RtpPacket] = []
        for count in range(self.capacity):
            packet = self._packets[(self._origin + count) % self.capacity]
            if packet is None or (packets and packet.timestamp != packets[0].timestamp):
                return None
            packets.append(packet)
            if packet.marker:
                self.remove(count + 1)
                data = b"".join(getattr(p, _DEPAYLOADED) for p in packets)
                return JitterFrame(data=data, timestamp=packet.timestamp)
        return None


class _EncodedFrameSink(queue.Queue[_DecoderTask]):
    """Takes the place of a receiver's decoder input queue.

    aiortc puts each reassembled frame here from the event loop; it goes straight to the track as an
    `av.Packet`, without a decoder or a thread hop. Only the end-of-stream marker reaches the real queue,
    where the decoder thread (otherwise idle) picks it up and ends the track as it always does.
    """

    def __init__(self, track: RemoteStreamTrack) -> None:
        super().__init__()
        self.track = track
        self.codec: RTCRtpCodecParameters | None = None
        self._time_base = fractions.Fraction(1, 1)

    def put(self, item: _DecoderTask, block: bool = True, timeout: float | None = None) -> None:
        if item is None:
            super().put(item, block, timeout)
            return
        codec, frame = item
        # Padding-only packets reassemble into empty frames: there is nothing to forward.
        if not frame.data:
            return
        if codec is not self.codec:
            self.codec = codec
            self._time_base = fractions.Fraction(1, codec.clockRate)
        # A stopped track is never read again: don't let its unbounded queue grow.
        if self.track.readyState != "live":
            return
        packet = av.Packet(frame.data)
        # aiortc has already rebased the RTP timestamp to start at 0 for this stream.
        packet.pts = frame.timestamp
        packet.time_base = self._time_base
        if self.track.kind == "video":
            packet.is_keyframe = is_keyframe(codec.name, frame.data)
        self.track._queue.put_nowait(packet)


def receive_encoded(receiver: RTCRtpReceiver) -> None:
    """Make `receiver.track.recv()` return encoded `av.Packet`s (pts in RTP clock units, time base
    1/clock rate, `is_keyframe` set for video) instead of decoded frames.

    Call it once the remote track exists and before aiortc starts the receiver: from a synchronous
    "track" handler, or right after `setRemoteDescription` returns and before awaiting anything else
    (aiortc starts receivers from a task that `setRemoteDescription` schedules). Calling it again is a
    no-op.
    """
    if is_encoded(receiver):
        return
    track = receiver.track
    if not isinstance(track, RemoteStreamTrack):
        raise RuntimeError("the receiver has no remote track yet: call this after setRemoteDescription")
    for name in (_DECODER_QUEUE, _DECODER_THREAD, _JITTER_BUFFER):
        _require(receiver, name)
    _require(track, "_queue")
    if getattr(receiver, _DECODER_THREAD) is not None:
        raise RuntimeError("the receiver has already started decoding")
    setattr(receiver, _DECODER_QUEUE, _EncodedFrameSink(track))
    setattr(receiver, _JITTER_BUFFER, _AudioJitterBuffer() if track.kind == "audio" else _VideoJitterBuffer())


def is_encoded(receiver: RTCRtpReceiver) -> bool:
    """Whether `receive_encoded` has replaced this receiver's decoder."""
    return isinstance(getattr(receiver, _DECODER_QUEUE, None), _EncodedFrameSink)


@dataclass(frozen=True, slots=True)
class AudioLevel:
    """One RFC 6464 audio level reading from a publisher's RTP header extension."""

    dbov: int
    """From 0 (loudest) down to -127 (silence)."""
    voice: bool
    """The sender's voice activity flag."""
    at: float
    """When it arrived, in event loop time."""


class Publisher:
    """Fans one remote track out to many subscribers, as encoded packets.

    It reads the remote track from the start, subscribers or not, because aiortc queues received frames
    without bound. Create it where `receive_encoded` may be called (it calls it).
    """

    def __init__(
        self,
        receiver: RTCRtpReceiver,
        *,
        on_audio_level: Callable[[AudioLevel], None] | None = None,
        keyframe_interval: float = KEYFRAME_REQUEST_INTERVAL,
        queue_size: int = QUEUE_SIZE,
    ) -> None:
        _require(receiver, _HANDLE_RTP)
        if _HANDLE_RTP in vars(receiver):
            raise RuntimeError("this receiver already has a publisher")
        receive_encoded(receiver)
        sink = cast(_EncodedFrameSink, getattr(receiver, _DECODER_QUEUE))
        self.receiver = receiver
        self.track: MediaStreamTrack = sink.track
        self.kind: str = sink.track.kind
        self.on_audio_level = on_audio_level
        """Called with every audio level reading (about 50 a second while audio flows)."""
        self.audio_level: AudioLevel | None = None
        """The latest audio level reading, if the publisher sends the extension."""
        self.packets = 0
        """Encoded frames received."""
        self.keyframe_requests = 0
        """PLIs sent to the publisher."""
        self._sink = sink
        self._subscribers: list[Subscriber] = []
        self._queue_size = queue_size
        self._keyframe_interval = keyframe_interval
        self._last_pli = -math.inf
        self._pli_timer: asyncio.TimerHandle | None = None
        self._pli_tasks: set[asyncio.Task[None]] = set()
        # The SSRC seen per payload type: a PLI must name the media SSRC, not the RTX one.
        self._ssrc_by_payload_type: dict[int, int] = {}
        self._closed = False
        self._loop = asyncio.get_running_loop()
        self._handle_rtp = receiver._handle_rtp_packet
        setattr(receiver, _HANDLE_RTP, self._on_rtp)
        self._pump_task = self._loop.create_task(self._pump(), name=f"passthrough:pump:{self.kind}")

    @property
    def codec(self) -> str | None:
        """The MIME type of what the publisher sends, once a frame has arrived (e.g. "video/VP8")."""
        return self._sink.codec.mimeType if self._sink.codec is not None else None

    @property
    def subscribers(self) -> tuple[Subscriber, ...]:
        return tuple(self._subscribers)

    @property
    def closed(self) -> bool:
        return self._closed

    def subscribe(self, sender: RTCRtpSender | None = None, *, paused: bool = False) -> Subscriber:
        """Start forwarding to a new subscriber track, set on `sender` if one is given.

        The sender must not have a track yet. Forwarding starts when the sender first reads the track
        (its transport is up); video starts at a keyframe, requested then. The subscriber's peer's
        keyframe requests (PLI) are forwarded to the publisher.
        """
        if self._closed:
            raise RuntimeError("the publisher has stopped")
        if sender is not None:
            if sender.kind != self.kind:
                raise ValueError(f"cannot forward {self.kind} on a {sender.kind} sender")
            if sender.track is not None:
                raise ValueError("the sender already has a track")
        subscriber = Subscriber(self, sender, paused=paused, queue_size=self._queue_size)
        self._subscribers.append(subscriber)
        if sender is not None:
            sender.replaceTrack(subscriber)
        return subscriber

    def request_keyframe(self) -> None:
        """Ask the publisher for a keyframe with an RTCP PLI, at most once per keyframe interval.

        A request within the interval is sent when the interval ends: delayed, never lost.
        """
        if self.kind != "video" or self._closed or self._pli_timer is not None:
            return
        wait = self._last_pli + self._keyframe_interval - self._loop.time()
        if wait > 0:
            self._pli_timer = self._loop.call_later(wait, self._send_pli)
        else:
            self._send_pli()

    async def stop(self) -> None:
        """Stop reading and forwarding: subscribers' tracks end, tasks are gone when this returns.

        The remote track is stopped too; whatever the receiver still gets is dropped.
        """
        self._close()
        self._pump_task.cancel()
        await asyncio.wait({self._pump_task, *self._pli_tasks})

    def _send_pli(self) -> None:
        self._pli_timer = None
        codec = self._sink.codec
        payload_type = codec.payloadType if codec is not None else None
        ssrc = self._ssrc_by_payload_type.get(payload_type) if payload_type is not None else None
        # Before the first frame there is nothing to ask for: the stream starts with a keyframe, and
        # subscribers waiting for one ask again as frames arrive.
        if ssrc is None or self._closed:
            return
        self._last_pli = self._loop.time()
        self.keyframe_requests += 1
        task = self._loop.create_task(self.receiver._send_rtcp_pli(ssrc), name="passthrough:pli")
        self._pli_tasks.add(task)
        task.add_done_callback(self._pli_tasks.discard)

    async def _on_rtp(self, packet: RtpPacket, arrival_time_ms: int) -> None:
        self._ssrc_by_payload_type[packet.payload_type] = packet.ssrc
        level = packet.extensions.audio_level
        if level is not None:
            reading = AudioLevel(dbov=-level[1], voice=level[0], at=self._loop.time())
            self.audio_level = reading
            if self.on_audio_level is not None:
                # This runs inside the transport's receive loop: an error here must not end it.
                try:
                    self.on_audio_level(reading)
                except Exception:
                    logger.exception("audio level callback failed")
        await self._handle_rtp(packet, arrival_time_ms=arrival_time_ms)

    async def _pump(self) -> None:
        try:
            while True:
                packet = cast("av.Packet[Any]", await self.track.recv())
                self.packets += 1
                for subscriber in tuple(self._subscribers):
                    subscriber._deliver(packet)
        except MediaStreamError:
            pass
        finally:
            self._close()

    def _close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._pli_timer is not None:
            self._pli_timer.cancel()
            self._pli_timer = None
        for task in self._pli_tasks:
            task.cancel()
        for subscriber in tuple(self._subscribers):
            subscriber.stop()
        if vars(self.receiver).get(_HANDLE_RTP) == self._on_rtp:
            delattr(self.receiver, _HANDLE_RTP)
        self.track.stop()

    def _discard(self, subscriber: Subscriber) -> None:
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)


class Subscriber(MediaStreamTrack):
    """A track whose `recv()` returns a publisher's encoded packets, for one subscriber's sender.

    It has its own bounded queue, so a slow subscriber loses its oldest packets without holding up the
    others. For video a lost frame spoils the frames after it, so video skips to the next keyframe instead.
    Stopping it ends the track, and with it the RTP loop of the sender it is on (aiortc's behaviour for
    any ended track).
    """

    def __init__(
        self, publisher: Publisher, sender: RTCRtpSender | None, *, paused: bool, queue_size: int
    ) -> None:
        super().__init__()
        self.kind = publisher.kind
        self.publisher = publisher
        self.sender = sender
        self.forwarded = 0
        """Packets handed to the sender."""
        self.dropped = 0
        """Packets not forwarded: queue overflow, or video frames before a keyframe."""
        self.keyframe_requests = 0
        """PLI/FIR received from this subscriber's peer."""
        self._paused = paused
        self._started = False
        self._needs_keyframe = False
        self._packets: asyncio.Queue[av.Packet[Any] | None] = asyncio.Queue()
        self._queue_size = queue_size
        if sender is not None and self.kind == "video":
            _require(sender, _SEND_KEYFRAME)
            setattr(sender, _SEND_KEYFRAME, self._on_keyframe_request)

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        """Stop forwarding, e.g. a muted participant's audio. What is queued is dropped, not sent late."""
        self._paused = True
        self.dropped += self._clear()

    def resume(self) -> None:
        """Forward again; video restarts at a keyframe, which is requested now."""
        if self._paused and self.readyState == "live":
            self._paused = False
            if self._started:
                self._start_at_keyframe()

    async def recv(self) -> av.Packet[Any]:
        if self.readyState != "live":
            raise MediaStreamError
        if not self._started:
            # Forwarding starts when the sender starts reading (once its transport is up): packets
            # queued before then would only arrive late, and a keyframe sent earlier would be lost.
            self._started = True
            if not self._paused:
                self._start_at_keyframe()
        packet = await self._packets.get()
        if packet is None:
            raise MediaStreamError
        self.forwarded += 1
        return packet

    def stop(self) -> None:
        if self.readyState == "live":
            self.publisher._discard(self)
            if self.sender is not None and vars(self.sender).get(_SEND_KEYFRAME) == self._on_keyframe_request:
                delattr(self.sender, _SEND_KEYFRAME)
            self.dropped += self._clear()
            self._packets.put_nowait(None)
        super().stop()

    def _deliver(self, packet: av.Packet[Any]) -> None:
        if self._paused or not self._started:
            return
        if self._needs_keyframe:
            if not packet.is_keyframe:
                self.dropped += 1
                # Asks again (rate-limited) in case the request or the keyframe was lost.
                self.publisher.request_keyframe()
                return
            self._needs_keyframe = False
        if self._packets.qsize() >= self._queue_size:
            if self.kind == "video":
                self.dropped += self._clear()
                if not packet.is_keyframe:
                    self.dropped += 1
                    self._start_at_keyframe()
                    return
            else:
                self._packets.get_nowait()
                self.dropped += 1
        self._packets.put_nowait(packet)

    def _start_at_keyframe(self) -> None:
        if self.kind == "video":
            self._needs_keyframe = True
            self.publisher.request_keyframe()

    def _on_keyframe_request(self) -> None:
        self.keyframe_requests += 1
        self.publisher.request_keyframe()

    def _clear(self) -> int:
        count = 0
        while not self._packets.empty():
            self._packets.get_nowait()
            count += 1
        return count


def pin_codec(transceiver: RTCRtpTransceiver, mime_type: str | None = None) -> None:
    """Negotiate only one codec on this transceiver (plus RTX for video), so that what publishers send
    is what subscribers can be sent: VP8 for video by default ("video/H264" optional), Opus for audio.
    Call it before creating the offer."""
    kind = transceiver.kind
    wanted = (mime_type or DEFAULT_CODECS[kind]).lower()
    capabilities = RTCRtpSender.getCapabilities(kind).codecs
    chosen = [codec for codec in capabilities if codec.mimeType.lower() == wanted]
    if not chosen:
        raise ValueError(f"aiortc cannot send {wanted}")
    rtx = [codec for codec in capabilities if codec.mimeType.lower() == f"{kind}/rtx"]
    transceiver.setCodecPreferences(chosen + rtx)


def set_stream_id(sender: RTCRtpSender, stream_id: str) -> None:
    """Put this sender's track in the media stream `stream_id` (the SDP msid), so that a browser groups a
    participant's audio and video in one MediaStream. Call it before creating the offer."""
    sender._stream_id = stream_id


@contextmanager
def allow_loopback_candidates(*, only: bool = False) -> Iterator[None]:
    """For tests only: while active, aioice also gathers 127.0.0.1 as a host candidate (it normally skips
    loopback), so that peers on one machine can connect over loopback; with `only`, nothing else.

    It changes aioice for the whole process. A hub uses it only when the test-only setting
    `Settings.ice_loopback` (`HUB_ICE_LOOPBACK`) is on, for the app's lifetime; never in production.
    """
    original = aioice.ice.get_host_addresses

    def host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        addresses = [] if only else original(use_ipv4, use_ipv6)
        return [*addresses, "127.0.0.1"] if use_ipv4 else addresses

    aioice.ice.get_host_addresses = host_addresses
    try:
        yield
    finally:
        aioice.ice.get_host_addresses = original
