"""Generated media for aiortc peers standing in for browsers."""

from __future__ import annotations

import asyncio
import fractions
import math
import struct
import time

import av
from aiortc import MediaStreamTrack
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
