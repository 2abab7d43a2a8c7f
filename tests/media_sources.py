"""Generated media for aiortc peers standing in for browsers, and a decoding sink for what they receive."""

from __future__ import annotations

import asyncio
import fractions
import hashlib
import math
import struct
import time
from collections.abc import Callable

import av
from aiortc import MediaStreamTrack, RTCRtpReceiver
from aiortc.mediastreams import MediaStreamError

SAMPLE_RATE = 48000
SAMPLES = 960  # 20 ms
TONE_HZ = 1000  # a whole number of periods per 20 ms frame, so every frame is the same


class Tone(MediaStreamTrack):
    """A 1 kHz sine at `amplitude` of full scale, 48 kHz mono, in real time; aiortc's sender reports its
    level (RFC 6464)."""

    kind = "audio"

    def __init__(self, amplitude: float) -> None:
        super().__init__()
        samples = [
            round(amplitude * 32767 * math.sin(2 * math.pi * TONE_HZ * i / SAMPLE_RATE))
            for i in range(SAMPLES)
        ]
        self._pcm = struct.pack(f"<{SAMPLES}h", *samples)
        self._start: float | None = None
        self._pts = 0

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._pts += SAMPLES
            await asyncio.sleep(self._start + self._pts / SAMPLE_RATE - time.monotonic())
        frame = av.AudioFrame(format="s16", layout="mono", samples=SAMPLES)
        frame.planes[0].update(self._pcm)
        frame.pts, frame.sample_rate = self._pts, SAMPLE_RATE
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        return frame


class Pattern(MediaStreamTrack):
    """Video whose content moves every frame (so the encoder sends real deltas), at `fps` in real time."""

    kind = "video"

    def __init__(self, size: tuple[int, int], fps: int = 30) -> None:
        super().__init__()
        self.width, self.height = size
        self.fps = fps
        self._start: float | None = None
        self._frames = 0

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            await asyncio.sleep(self._start + self._frames / self.fps - time.monotonic())
        frame = av.VideoFrame(self.width, self.height, "yuv420p")
        for plane in frame.planes:
            row = bytes((x * 3 + self._frames * 8) & 0xFF for x in range(plane.line_size))
            plane.update(row * plane.height)
        frame.pts, frame.time_base = self._frames * (90000 // self.fps), fractions.Fraction(1, 90000)
        self._frames += 1
        return frame


class Sink:
    """Decodes one received track, as a browser would, and notes what comes out."""

    def __init__(self, track: MediaStreamTrack, receiver: RTCRtpReceiver | None = None) -> None:
        self.track = track
        self.receiver = receiver
        self.frames = 0
        self.first_at: float | None = None
        self.sizes: set[tuple[int, int]] = set()
        self.sample_rates: set[int] = set()
        self.digests: set[bytes] = set()
        self._arrived = asyncio.Event()
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        try:
            while True:
                frame = await self.track.recv()
                if isinstance(frame, av.VideoFrame):
                    self.sizes.add((frame.width, frame.height))
                    if len(self.digests) < 50:
                        self.digests.add(hashlib.sha1(bytes(frame.planes[0])).digest())
                elif isinstance(frame, av.AudioFrame):
                    self.sample_rates.add(frame.sample_rate)
                if self.first_at is None:
                    self.first_at = time.monotonic()
                self.frames += 1
                self._arrived.set()
        except MediaStreamError:
            pass

    async def wait_for(self, frames: int, timeout: float = 5) -> None:
        async with asyncio.timeout(timeout):
            while self.frames < frames:
                self._arrived.clear()
                await self._arrived.wait()

    async def packets(self) -> int:
        """RTP packets received on this track so far."""
        assert self.receiver is not None
        stats = await self.receiver.getStats()
        return sum(s.packetsReceived for s in stats.values() if s.type == "inbound-rtp")


async def eventually(check: Callable[[], bool], timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while True:
            if check():
                return
            await asyncio.sleep(0.02)
