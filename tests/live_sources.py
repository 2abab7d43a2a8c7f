"""Generated media for the programme feed's tests, as the relay hands it over (a camera in VP8, a
microphone in Opus), and ways to compare the feed's pictures with the bands it should show."""

from __future__ import annotations

import json
import math
import socket
import struct
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from av.video.frame import PictureType, VideoFrame

from signalling.live.compose import Band


@dataclass(frozen=True)
class Media:
    # The camera's frames with whether each is a keyframe (only the first: see `generate`).
    video: list[tuple[bytes, bool]]
    # The microphone's packets of 20 ms.
    audio: list[bytes]


def generate(seconds: int, fps: int = 30) -> Media:
    """`seconds` of a 320x240 test pattern in VP8 and of a 400 Hz tone in Opus (20 ms packets)."""
    pattern = av.open(f"testsrc2=size=320x240:rate={fps}", format="lavfi")
    vp8 = av.CodecContext.create("libvpx", "w")
    vp8.width, vp8.height, vp8.pix_fmt = 320, 240, "yuv420p"
    # As a browser sends it: one keyframe at the start, then only when asked.
    vp8.time_base, vp8.bit_rate, vp8.gop_size = Fraction(1, fps), 300_000, 1000
    vp8.options = {"deadline": "realtime", "cpu-used": "8"}
    video = []
    for n, frame in zip(range(fps * seconds), pattern.decode(video=0), strict=False):
        frame = frame.reformat(format="yuv420p")
        # The pattern's frames come marked as keyframes, which libvpx would obey.
        frame.pts, frame.pict_type = n, PictureType.NONE
        video += [bytes(p) for p in vp8.encode(frame)]
    video += [bytes(p) for p in vp8.encode(None)]
    pattern.close()
    opus = av.CodecContext.create("libopus", "w")
    opus.sample_rate, opus.layout, opus.format, opus.bit_rate = 48_000, "mono", "s16", 32_000
    opus.time_base = Fraction(1, 48_000)
    opus.open()
    tone = struct.pack("<960h", *(round(8000 * math.sin(2 * math.pi * 400 * i / 48_000)) for i in range(960)))
    audio = []
    for n in range(50 * seconds):
        frame = av.AudioFrame(format="s16", layout="mono", samples=960)
        frame.planes[0].update(tone)
        frame.sample_rate, frame.pts = 48_000, n * 960
        audio += [bytes(p) for p in opus.encode(frame)]
    # A VP8 frame is a keyframe when the first bit of its tag is clear.
    return Media([(data, not data[0] & 1) for data in video], audio)


# Pictures against bands.


def luma(rows: Iterator[bytes]) -> list[bytes]:
    # Every other row and column is plenty to tell two renders apart, at a quarter of the cost.
    return [row[::2] for n, row in enumerate(rows) if n % 2 == 0]


def frame_rows(frame: VideoFrame, first: int, count: int, width: int) -> list[bytes]:
    data, size = bytes(frame.planes[0]), frame.planes[0].line_size
    return luma(data[(first + r) * size : (first + r) * size + width] for r in range(count))


def band_rows(band: Band, first: int, count: int, width: int) -> list[bytes]:
    data, size = band.planes[0], band.line_sizes[0]
    return luma(data[(first + r) * size : (first + r) * size + width] for r in range(count))


def distance(a: list[bytes], b: list[bytes]) -> float:
    """Mean absolute difference of two runs of luma."""
    total = sum(abs(x - y) for ra, rb in zip(a, b, strict=True) for x, y in zip(ra, rb, strict=True))
    return total / sum(len(r) for r in a)


# A worker run by hand (tests that kill it or vanish as its hub).


def start_worker(
    live: Path, recording: Path | None, quality: str
) -> tuple[subprocess.Popen[bytes], socket.socket]:
    """`python -m signalling.live.worker` with its spec sent, once it has reported ready; the hub's end of
    its socket."""
    hub, end = socket.socketpair()
    worker = subprocess.Popen(
        [sys.executable, "-m", "signalling.live.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        pass_fds=(end.fileno(),),
    )
    spec = {
        "socket": end.fileno(),
        "live": str(live),
        "recording": None if recording is None else str(recording),
        "quality": quality,
    }
    end.close()
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(json.dumps(spec).encode() + b"\n")
    worker.stdin.close()
    assert "status" in json.loads(worker.stdout.readline())
    return worker, hub
