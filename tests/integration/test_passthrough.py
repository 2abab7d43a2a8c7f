"""The encoded pass-through between real aiortc peers over loopback, in one process.

A publisher peer encodes generated VP8 video and Opus audio; the relay receives it without decoding and
forwards the packets; subscriber peers decode what they get as any browser would. As in production, the
relay makes every offer and the other peers answer.
"""

from __future__ import annotations

import asyncio
import fractions
import itertools
import struct
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import aioice.ice
import av
import pytest
from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
)
from aiortc.mediastreams import MediaStreamError
from aiortc.rtp import RtpPacket

from signalling.media.passthrough import (
    AudioLevel,
    Publisher,
    Subscriber,
    _AudioJitterBuffer,
    _VideoJitterBuffer,
    allow_loopback_candidates,
    is_encoded,
    is_keyframe,
    pin_codec,
    receive_encoded,
    set_stream_id,
)
from tests.media_sources import SAMPLE_RATE, SAMPLES, Pattern, Sink, Tone, eventually

pytestmark = pytest.mark.timeout(60)

WIDTH, HEIGHT = 320, 240


@pytest.fixture
def loopback() -> Iterator[None]:
    with allow_loopback_candidates(only=True):
        yield


def spy_keyframe_requests(sender: RTCRtpSender) -> list[float]:
    """Record each keyframe request that reaches an aiortc sender (its PLI/FIR hook), passing it on."""
    calls: list[float] = []
    original = sender._send_keyframe

    def spy() -> None:
        calls.append(time.monotonic())
        original()

    sender._send_keyframe = spy  # type: ignore[method-assign]
    return calls


async def outbound_packets(sender: RTCRtpSender) -> int:
    stats = await sender.getStats()
    sent: int = next(s.packetsSent for s in stats.values() if s.type == "outbound-rtp")
    return sent


def config() -> RTCConfiguration:
    return RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)


async def negotiate(offerer: RTCPeerConnection, answerer: RTCPeerConnection) -> None:
    await offerer.setLocalDescription(await offerer.createOffer())
    await answerer.setRemoteDescription(offerer.localDescription)
    await answerer.setLocalDescription(await answerer.createAnswer())
    await offerer.setRemoteDescription(answerer.localDescription)


@dataclass
class SubscriberPeer:
    pc: RTCPeerConnection
    relay_pc: RTCPeerConnection
    tracks: dict[str, Subscriber]
    sinks: dict[str, Sink]

    def relay_sender(self, kind: str) -> RTCRtpSender:
        return next(t.sender for t in self.relay_pc.getTransceivers() if t.kind == kind)

    def receiver(self, kind: str) -> RTCRtpReceiver:
        return next(t.receiver for t in self.pc.getTransceivers() if t.kind == kind)


@dataclass
class Rig:
    """A publisher peer, the relay's peer connection for it, and subscriber peers added on demand."""

    amplitude: float = 0.5
    video_codec: str = "video/VP8"
    pcs: list[RTCPeerConnection] = field(default_factory=list)
    publishers: dict[str, Publisher] = field(default_factory=dict)
    receivers: dict[str, RTCRtpReceiver] = field(default_factory=dict)
    sinks: list[Sink] = field(default_factory=list)
    keyframe_requests: list[float] = field(default_factory=list)
    publisher_pc: RTCPeerConnection | None = None

    def codec(self, kind: str) -> str:
        return self.video_codec if kind == "video" else "audio/opus"

    def pc(self) -> RTCPeerConnection:
        pc = RTCPeerConnection(config())
        self.pcs.append(pc)
        return pc

    async def publish(self) -> None:
        relay_in, peer = self.pc(), self.pc()
        self.publisher_pc = peer
        for kind in ("audio", "video"):
            pin_codec(relay_in.addTransceiver(kind, direction="recvonly"), self.codec(kind))

        @relay_in.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            # Synchronous, so that it runs before aiortc starts the receiver.
            receiver = next(t.receiver for t in relay_in.getTransceivers() if t.receiver.track is track)
            self.receivers[track.kind] = receiver
            self.publishers[track.kind] = Publisher(receiver)

        await relay_in.setLocalDescription(await relay_in.createOffer())
        await peer.setRemoteDescription(relay_in.localDescription)
        peer.addTrack(Tone(self.amplitude))
        video_sender = peer.addTrack(Pattern((WIDTH, HEIGHT)))
        self.keyframe_requests = spy_keyframe_requests(video_sender)
        await peer.setLocalDescription(await peer.createAnswer())
        await relay_in.setRemoteDescription(peer.localDescription)
        assert set(self.publishers) == {"audio", "video"}
        await eventually(lambda: all(p.packets > 0 for p in self.publishers.values()))

    async def subscribe(self, *, paused: bool = False) -> SubscriberPeer:
        relay_out, peer = self.pc(), self.pc()
        tracks: dict[str, Subscriber] = {}
        for kind in ("audio", "video"):
            transceiver = relay_out.addTransceiver(kind, direction="sendonly")
            pin_codec(transceiver, self.codec(kind))
            set_stream_id(transceiver.sender, "publisher-1")
            tracks[kind] = self.publishers[kind].subscribe(transceiver.sender, paused=paused)
        sinks: dict[str, Sink] = {}

        @peer.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            sinks[track.kind] = Sink(track)
            self.sinks.append(sinks[track.kind])

        await negotiate(relay_out, peer)
        assert set(sinks) == {"audio", "video"}
        return SubscriberPeer(peer, relay_out, tracks, sinks)

    async def close(self) -> None:
        for publisher in self.publishers.values():
            await publisher.stop()
        for pc in self.pcs:
            await pc.close()
        for sink in self.sinks:
            sink.task.cancel()
        await asyncio.gather(*(sink.task for sink in self.sinks), return_exceptions=True)


@pytest.fixture
async def rig(loopback: None) -> AsyncIterator[Rig]:
    rig = Rig()
    try:
        await rig.publish()
        yield rig
    finally:
        await rig.close()


def steps(packets: list[av.Packet[Any]]) -> list[int]:
    pts = [packet.pts for packet in packets]
    assert None not in pts
    return [b - a for a, b in itertools.pairwise(pts)]  # type: ignore[operator]


def module_tasks() -> list[asyncio.Task[Any]]:
    return [task for task in asyncio.all_tasks() if task.get_name().startswith("passthrough:")]


async def test_two_subscribers_decode_forwarded_video_and_audio(rig: Rig) -> None:
    first, second = await rig.subscribe(), await rig.subscribe()
    for peer in (first, second):
        await peer.sinks["video"].wait_for(20)
        await peer.sinks["audio"].wait_for(25)
        assert peer.sinks["video"].sizes == {(WIDTH, HEIGHT)}
        # The picture moves, and what arrives decoded moves with it.
        assert len(peer.sinks["video"].digests) > 10
        assert peer.sinks["audio"].sample_rates == {SAMPLE_RATE}
        assert peer.tracks["video"].forwarded > 0 and peer.tracks["audio"].forwarded > 0
    assert rig.publishers["video"].codec == "video/VP8"
    assert rig.publishers["audio"].codec == "audio/opus"


async def test_h264_passes_through_too(loopback: None) -> None:
    rig = Rig(video_codec="video/H264")
    try:
        await rig.publish()
        standalone = rig.publishers["video"].subscribe()
        assert (await standalone.recv()).is_keyframe
        peer = await rig.subscribe()
        await peer.sinks["video"].wait_for(10)
        assert peer.sinks["video"].sizes == {(WIDTH, HEIGHT)}
        assert rig.publishers["video"].codec == "video/H264"
    finally:
        await rig.close()


def test_keyframes_are_told_from_the_bitstream() -> None:
    vp8_key = b"\x50\x42\x00\x9d\x01\x2a\x40\x01\xf0\x00" + bytes(20)
    vp8_delta = b"\x31\x42\x00" + bytes(20)
    assert is_keyframe("VP8", vp8_key) and not is_keyframe("VP8", vp8_delta)
    sps, pps = b"\x00\x00\x00\x01\x67\x42\xc0\x1f", b"\x00\x00\x00\x01\x68\xce\x3c\x80"
    idr, slice_ = b"\x00\x00\x00\x01\x65\x88\x84", b"\x00\x00\x00\x01\x41\x9a\x02"
    assert is_keyframe("H264", sps + pps + idr) and not is_keyframe("H264", slice_ + slice_)
    assert not is_keyframe("VP8", b"") and not is_keyframe("H264", b"")


async def test_relay_handles_packets_not_frames(rig: Rig) -> None:
    assert all(is_encoded(receiver) for receiver in rig.receivers.values())
    # Subscribers get exactly what the relay's remote tracks yield: encoded packets, not decoded frames.
    video, audio = rig.publishers["video"].subscribe(), rig.publishers["audio"].subscribe()
    # A subscriber asks for a keyframe as soon as it starts reading.
    requests = rig.publishers["video"].keyframe_requests
    first = asyncio.create_task(video.recv())
    await asyncio.sleep(0)
    assert rig.publishers["video"].keyframe_requests == requests + 1
    packets = [await first] + [await video.recv() for _ in range(9)]
    assert all(isinstance(packet, av.Packet) for packet in packets)
    assert all(packet.time_base == fractions.Fraction(1, 90000) for packet in packets)
    # RTP timestamps at 90 kHz, a frame every 1/30 s (the source rounds, and the encoder may skip one).
    assert all(step > 0 and abs(step - 3000 * round(step / 3000)) <= 2 for step in steps(packets))
    # Forwarding starts at a keyframe, and it is a raw VP8 key frame of the publisher's size.
    key = bytes(packets[0])
    assert packets[0].is_keyframe and key[3:6] == b"\x9d\x01\x2a"
    assert struct.unpack("<HH", key[6:10]) == (WIDTH, HEIGHT)
    assert not any(packet.is_keyframe for packet in packets[1:])
    sound = [await audio.recv() for _ in range(10)]
    assert all(isinstance(packet, av.Packet) for packet in sound)
    assert all(packet.time_base == fractions.Fraction(1, SAMPLE_RATE) for packet in sound)
    assert all(step > 0 and step % SAMPLES == 0 for step in steps(sound))


async def test_late_subscriber_gets_a_keyframe_from_the_publisher(rig: Rig) -> None:
    early = await rig.subscribe()
    await early.sinks["video"].wait_for(10)
    await asyncio.sleep(1)
    requests_before = len(rig.keyframe_requests)
    joined = time.monotonic()
    late = await rig.subscribe()
    await late.sinks["video"].wait_for(1, timeout=2)
    # The relay's PLI reached the publisher's sender after the late subscriber joined.
    assert len(rig.keyframe_requests) > requests_before
    assert rig.keyframe_requests[-1] >= joined
    await late.sinks["video"].wait_for(10)
    assert late.sinks["video"].sizes == {(WIDTH, HEIGHT)}


async def test_subscriber_pli_reaches_publisher_rate_limited(rig: Rig) -> None:
    peer = await rig.subscribe()
    await peer.sinks["video"].wait_for(5)
    publisher = rig.publishers["video"]
    await asyncio.sleep(0.6)  # past the last request's interval
    sent, seen = publisher.keyframe_requests, len(rig.keyframe_requests)
    # The subscriber's browser reports picture loss for the stream the relay sends it.
    sender = peer.relay_sender("video")
    await peer.receiver("video")._send_rtcp_pli(sender._ssrc)
    await eventually(lambda: len(rig.keyframe_requests) == seen + 1, timeout=2)
    assert peer.tracks["video"].keyframe_requests == 1
    assert publisher.keyframe_requests == sent + 1
    # A burst of requests makes one more PLI when the interval ends, not one each.
    for _ in range(10):
        publisher.request_keyframe()
    assert publisher.keyframe_requests == sent + 1
    await asyncio.sleep(0.8)
    assert publisher.keyframe_requests == sent + 2
    assert len(rig.keyframe_requests) == seen + 2


async def test_paused_subscriber_gets_nothing_until_resumed(rig: Rig) -> None:
    muted, other = await rig.subscribe(), await rig.subscribe()
    await muted.sinks["audio"].wait_for(10)
    await muted.sinks["video"].wait_for(5)
    muted.tracks["audio"].pause()
    muted.tracks["video"].pause()
    await asyncio.sleep(0.3)  # let what was in flight land
    sent = {kind: await outbound_packets(muted.relay_sender(kind)) for kind in ("audio", "video")}
    decoded = {kind: muted.sinks[kind].frames for kind in ("audio", "video")}
    other_decoded = other.sinks["audio"].frames
    await asyncio.sleep(0.7)
    for kind in ("audio", "video"):
        assert await outbound_packets(muted.relay_sender(kind)) == sent[kind]
        assert muted.sinks[kind].frames == decoded[kind]
    assert other.sinks["audio"].frames > other_decoded + 20
    muted.tracks["audio"].resume()
    muted.tracks["video"].resume()
    await muted.sinks["audio"].wait_for(decoded["audio"] + 10, timeout=2)
    await muted.sinks["video"].wait_for(decoded["video"] + 5, timeout=2)


async def test_subscriber_starts_paused(rig: Rig) -> None:
    peer = await rig.subscribe(paused=True)
    await asyncio.sleep(1)
    assert peer.sinks["video"].frames == 0 and peer.sinks["audio"].frames == 0
    assert await outbound_packets(peer.relay_sender("video")) == 0
    peer.tracks["video"].resume()
    await peer.sinks["video"].wait_for(1, timeout=2)
    assert peer.sinks["audio"].frames == 0


async def test_slow_subscriber_loses_oldest_audio_and_skips_video_to_a_keyframe(rig: Rig) -> None:
    audio, video = rig.publishers["audio"].subscribe(), rig.publishers["video"].subscribe()
    first_audio, first_video = await audio.recv(), await video.recv()
    await asyncio.sleep(1.5)  # 75 audio packets and 45 video frames arrive unread
    assert audio.dropped >= 75 - 32 - 5 and video.dropped > 0
    assert audio._packets.qsize() <= 32 and video._packets.qsize() <= 32
    # Audio continues with the newest packets; video restarts at a fresh keyframe.
    newest = await audio.recv()
    assert newest.pts is not None and first_audio.pts is not None
    assert newest.pts - first_audio.pts >= (75 - 32 - 5) * SAMPLES
    restart = await video.recv()
    assert restart.is_keyframe and restart.pts is not None and first_video.pts is not None
    assert restart.pts > first_video.pts


async def test_stop_releases_tasks_hooks_and_subscribers(rig: Rig) -> None:
    peer = await rig.subscribe()
    standalone = rig.publishers["audio"].subscribe()
    await peer.sinks["video"].wait_for(5)
    await standalone.recv()
    assert module_tasks()
    receiver = rig.receivers["audio"]
    assert "_handle_rtp_packet" in vars(receiver)
    for publisher in rig.publishers.values():
        await publisher.stop()
        assert publisher.closed and not publisher.subscribers
    assert module_tasks() == []
    assert "_handle_rtp_packet" not in vars(receiver)
    assert all(track.readyState == "ended" for track in peer.tracks.values())
    with pytest.raises(MediaStreamError):
        await standalone.recv()
    # The remote track is stopped and what still arrives from the publisher is dropped, not queued.
    track = rig.publishers["video"].track
    assert track.readyState == "ended"
    queued = track._queue.qsize()  # type: ignore[attr-defined]
    await asyncio.sleep(0.3)
    assert track._queue.qsize() == queued  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError):
        rig.publishers["video"].subscribe()


async def test_publisher_leaving_ends_subscribers_and_tasks(rig: Rig) -> None:
    peer = await rig.subscribe()
    await peer.sinks["video"].wait_for(5)
    assert rig.publisher_pc is not None
    await rig.publisher_pc.close()
    await eventually(lambda: all(p.closed for p in rig.publishers.values()))
    assert all(track.readyState == "ended" for track in peer.tracks.values())
    await eventually(lambda: module_tasks() == [], timeout=1)


@pytest.mark.parametrize(("amplitude", "dbov"), [(0.5, -9), (0.0, -127)])
async def test_audio_level_is_read_from_the_rtp_header_extension(
    loopback: None, amplitude: float, dbov: int
) -> None:
    rig = Rig(amplitude=amplitude)
    try:
        await rig.publish()
        publisher = rig.publishers["audio"]
        readings: list[AudioLevel] = []
        publisher.on_audio_level = readings.append
        await eventually(lambda: len(readings) >= 10)
        # aiortc's sender measures each frame before encoding it (RFC 6465): a half-scale sine is -9 dBov.
        assert {reading.dbov for reading in readings} == {dbov}
        assert publisher.audio_level is not None and publisher.audio_level.dbov == dbov
        # Active speaker detection must not need the media decoded.
        assert is_encoded(rig.receivers["audio"])
    finally:
        await rig.close()


async def test_audio_level_voice_flag_and_a_failing_callback(rig: Rig) -> None:
    publisher = rig.publishers["audio"]

    def broken(reading: AudioLevel) -> None:
        raise ValueError("broken")

    publisher.on_audio_level = broken
    # A packet as a browser sends it with voice activity detection on: V=1, level 30.
    packet = RtpPacket(payload_type=0, sequence_number=1, timestamp=0, ssrc=1)
    packet.extensions.audio_level = (True, 30)
    await rig.receivers["audio"]._handle_rtp_packet(packet, arrival_time_ms=0)
    assert publisher.audio_level is not None
    assert (publisher.audio_level.dbov, publisher.audio_level.voice) == (-30, True)
    # The transport's receive loop survived the callback's error: media still flows.
    count = publisher.packets
    await eventually(lambda: publisher.packets > count + 5)


async def test_receive_encoded_refuses_a_receiver_that_already_decodes(rig: Rig) -> None:
    peer = await rig.subscribe()
    await peer.sinks["video"].wait_for(1)
    with pytest.raises(RuntimeError, match="already started"):
        receive_encoded(peer.receiver("video"))
    assert not is_encoded(peer.receiver("video"))


async def test_offer_pins_one_codec_and_the_stream_id() -> None:
    pc = RTCPeerConnection(config())
    try:
        audio = pc.addTransceiver("audio", direction="sendonly")
        video = pc.addTransceiver("video", direction="sendonly")
        h264 = pc.addTransceiver("video", direction="sendonly")
        pin_codec(audio)
        pin_codec(video)
        pin_codec(h264, "video/H264")
        for transceiver in (audio, video, h264):
            set_stream_id(transceiver.sender, "member-42")
        offer = await pc.createOffer()
        sections = offer.sdp.split("m=")[1:]
        rtpmaps = [
            {
                line.split(" ", 1)[1].split("/")[0]
                for line in section.splitlines()
                if line.startswith("a=rtpmap:")
            }
            for section in sections
        ]
        assert rtpmaps == [{"opus"}, {"VP8", "rtx"}, {"H264", "rtx"}]
        assert all("a=msid:member-42 " in section for section in sections)
        with pytest.raises(ValueError):
            pin_codec(audio, "audio/flac")
    finally:
        await pc.close()


def test_loopback_candidates_are_opt_in() -> None:
    original = aioice.ice.get_host_addresses
    assert "127.0.0.1" not in original(use_ipv4=True, use_ipv6=False)
    with allow_loopback_candidates():
        assert "127.0.0.1" in aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False)
    with allow_loopback_candidates(only=True):
        assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True) == ["127.0.0.1"]
    assert aioice.ice.get_host_addresses is original


def rtp(sequence_number: int, timestamp: int, data: bytes, *, marker: bool = False) -> RtpPacket:
    packet = RtpPacket(payload_type=96, sequence_number=sequence_number, timestamp=timestamp, ssrc=1)
    packet.marker = int(marker)
    packet._data = data  # type: ignore[attr-defined]  # what aiortc's depayloader leaves on a packet
    return packet


def test_video_frame_leaves_the_relay_with_its_last_packet() -> None:
    buffer = _VideoJitterBuffer()
    assert buffer.add(rtp(10, 1000, b"a")) == (False, None)
    assert buffer.add(rtp(12, 1000, b"c", marker=True)) == (False, None)  # 11 is still missing
    pli, frame = buffer.add(rtp(11, 1000, b"b"))
    assert frame is not None and (frame.data, frame.timestamp) == (b"abc", 1000)
    # The next frame goes as soon as its marker packet is in, not when a third frame starts.
    _, frame = buffer.add(rtp(13, 4000, b"d", marker=True))
    assert frame is not None and (frame.data, frame.timestamp) == (b"d", 4000)
    assert not pli


def test_audio_packet_leaves_the_relay_at_once() -> None:
    buffer = _AudioJitterBuffer()
    _, frame = buffer.add(rtp(5, 960, b"x"))
    assert frame is not None and (frame.data, frame.timestamp) == (b"x", 960)
    assert buffer.add(rtp(5, 960, b"x")) == (False, None)  # duplicate
    assert buffer.add(rtp(4, 0, b"w")) == (False, None)  # late: its turn has passed
    _, frame = buffer.add(rtp(7, 2880, b"z"))  # 6 was lost: the subscriber conceals it
    assert frame is not None and frame.data == b"z"
    _, frame = buffer.add(rtp(40000, 9600, b"r"))  # the sender restarted its sequence numbers
    assert frame is not None and frame.data == b"r"
