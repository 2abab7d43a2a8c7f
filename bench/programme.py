"""The programme feed's CPU: one livestream at 360p and 720p, 30 frames a second, against what a
compositor that decodes and re-encodes every participant pays (a browser-based recorder's way: every
camera decoded, tiled into one picture, encoded).

The programme is the real worker process (signalling/live/worker.py) fed over its socket by a `Feed`,
in real time: the speaker's 640x480 VP8 camera (a moving test pattern with noise), the floor's and the
chair's Opus, and a new caption every five seconds; it writes live HLS as in a meeting. The baseline,
in the same run, is a process that decodes N such cameras (the same stream, decoded N times), scales
and tiles them (libavfilter `xstack`) and encodes the grid with the same encoder settings, also in real
time. CPU is each process's user and system time over the measured seconds (from /proc), after a
warm-up.

    .venv/bin/python -m bench.programme --participants 8 16

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import asyncio
import math
import struct
import sys
import tempfile
import time
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import msgpack
from av.video.frame import PictureType, VideoFrame

from bench.harness import arguments, cpu_seconds, note, report, table
from hub.programme import Caption, Clock, Scene
from signalling.live.encode import QUALITIES, Encoder
from signalling.live.feed import Feed

FPS = 30
CAMERA = (640, 480)
# Seconds of media made once and looped; the measured window comes after the warm-up.
MADE_SECONDS = 10
WARM_SECONDS = 3.0
MEASURED_SECONDS = 15.0
SPEAKERS = (Caption("Ana Lima", "Member", "Moving “Climate”"), Caption("Ben Okafor", "Member"))


def camera(seconds: int) -> list[tuple[bytes, bool]]:
    """A camera as a browser sends it: VP8, one keyframe at the start, then only deltas."""
    width, height = CAMERA
    source = av.open(f"testsrc2=size={width}x{height}:rate={FPS},noise=alls=12:allf=t", format="lavfi")
    vp8 = av.CodecContext.create("libvpx", "w")
    vp8.width, vp8.height, vp8.pix_fmt = width, height, "yuv420p"
    vp8.time_base, vp8.bit_rate, vp8.gop_size = Fraction(1, FPS), 800_000, 1000
    vp8.options = {"deadline": "realtime", "cpu-used": "8"}
    packets = []
    for n, frame in zip(range(FPS * seconds), source.decode(video=0), strict=False):
        frame = frame.reformat(format="yuv420p")
        frame.pts, frame.pict_type = n, PictureType.NONE
        packets += [bytes(p) for p in vp8.encode(frame)]
    packets += [bytes(p) for p in vp8.encode(None)]
    source.close()
    # A VP8 frame is a keyframe when the first bit of its tag is clear.
    return [(data, not data[0] & 1) for data in packets]


def microphone(seconds: int) -> list[bytes]:
    opus = av.CodecContext.create("libopus", "w")
    opus.sample_rate, opus.layout, opus.format, opus.bit_rate = 48_000, "mono", "s16", 32_000
    opus.time_base = Fraction(1, 48_000)
    opus.open()
    tone = struct.pack("<960h", *(round(8000 * math.sin(2 * math.pi * 400 * i / 48_000)) for i in range(960)))
    packets = []
    for n in range(50 * seconds):
        frame = av.AudioFrame(format="s16", layout="mono", samples=960)
        frame.planes[0].update(tone)
        frame.sample_rate, frame.pts = 48_000, n * 960
        packets += [bytes(p) for p in opus.encode(frame)]
    return packets


def scene(n: int) -> Scene:
    caption = SPEAKERS[n % 2]
    clock = Clock(180, 0.0, datetime.now(UTC))
    return Scene(
        "live",
        "Annual General Meeting",
        "en",
        "4. Motions",
        caption.name,
        ("s", "camera"),
        caption,
        clock,
        audio=("s", "c"),
    )


async def programme(quality: str, video: list[tuple[bytes, bool]], audio: list[bytes]) -> dict[str, Any]:
    """The worker fed in real time; its CPU share over the measured window."""
    with tempfile.TemporaryDirectory() as directory:
        feed = Feed(Path(directory), None, quality)
        await feed.start()
        assert feed.process is not None
        pid = feed.process.pid
        feed.show(scene(0), 1, (2, 3))
        start = time.monotonic()
        frames = sent_audio = scenes = 0
        measured: tuple[float, float] | None = None
        while (elapsed := time.monotonic() - start) < WARM_SECONDS + MEASURED_SECONDS:
            if measured is None and elapsed >= WARM_SECONDS:
                measured = (time.monotonic(), cpu_seconds(pid))
            while frames <= elapsed * FPS:
                data, key = video[frames % len(video)]
                feed.packet(1, "vp8", frames, data, key)
                frames += 1
            while sent_audio <= elapsed * 50:
                packet = audio[sent_audio % len(audio)]
                feed.packet(2, "opus", sent_audio * 960, packet, True)
                feed.packet(3, "opus", sent_audio * 960, packet, True)
                sent_audio += 1
            if elapsed >= (scenes + 1) * 5:
                scenes += 1
                feed.show(scene(scenes), 1, (2, 3))
            await asyncio.sleep(0.005)
        assert measured is not None
        share = (cpu_seconds(pid) - measured[1]) / (time.monotonic() - measured[0])
        status = feed.status
        await feed.stop()
    return {"cpu_share": round(share, 3), "late": status["late"], "segments": status["segments"]}


def gallery(quality: str, participants: int, seconds: float, made: Path) -> None:
    """The baseline, in a process of its own: every camera decoded, tiled and encoded, in real time."""
    video: list[tuple[bytes, bool]] = [tuple(p) for p in msgpack.unpackb(made.read_bytes())]
    spec = QUALITIES[quality]
    # xstack's grid holds exactly its inputs: as square as the count allows (8: 4x2, 16: 4x4).
    rows = max(r for r in range(1, math.isqrt(participants) + 1) if participants % r == 0)
    columns = participants // rows
    tile_w, tile_h = spec.width // columns // 2 * 2, spec.height // rows // 2 * 2
    graph = av.filter.Graph()
    stack = graph.add("xstack", f"inputs={participants}:grid={columns}x{rows}:fill=black")
    buffers = []
    for n in range(participants):
        buffer = graph.add_buffer(
            width=CAMERA[0], height=CAMERA[1], format=av.VideoFormat("yuv420p"), time_base=Fraction(1, FPS)
        )
        scale = graph.add("scale", f"{tile_w}:{tile_h}")
        buffer.link_to(scale)
        scale.link_to(stack, 0, n)
        buffers.append(buffer)
    pad = graph.add("pad", f"{spec.width}:{spec.height}:0:0:black")
    sink = graph.add("buffersink")
    stack.link_to(pad)
    pad.link_to(sink)
    graph.configure()
    decoders = [av.CodecContext.create("vp8", "r") for _ in range(participants)]
    encoder = Encoder(spec, FPS)
    start = time.monotonic()
    index = 0
    while time.monotonic() - start < seconds:
        data, _ = video[index % len(video)]
        for decoder, buffer in zip(decoders, buffers, strict=True):
            for frame in decoder.decode(av.Packet(data)):
                frame.pts = index
                buffer.push(frame)
        # What a compositor sends on: encoded, as the programme's picture is.
        picture = sink.pull()
        assert isinstance(picture, VideoFrame)
        encoder.video.encode(picture)
        index += 1
        wait = start + index / FPS - time.monotonic()
        if wait > 0:
            time.sleep(wait)


async def baseline(quality: str, participants: int, made: Path) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.programme",
        "--gallery",
        quality,
        str(participants),
        str(WARM_SECONDS + MEASURED_SECONDS),
        str(made),
    )
    await asyncio.sleep(WARM_SECONDS)
    before, began = cpu_seconds(process.pid), time.monotonic()
    await asyncio.sleep(MEASURED_SECONDS - 1)
    share = (cpu_seconds(process.pid) - before) / (time.monotonic() - began)
    await process.wait()
    return {"cpu_share": round(share, 3)}


async def main(participants: list[int]) -> list[dict[str, Any]]:
    note("making the media")
    video, audio = camera(MADE_SECONDS), microphone(MADE_SECONDS)
    made = Path(tempfile.mkdtemp()) / "camera.msgpack"
    made.write_bytes(msgpack.packb(video))
    results = []
    for quality in ("360p", "720p"):
        note(f"programme at {quality}")
        feed = await programme(quality, video, audio)
        for count in participants:
            note(f"baseline at {quality}, {count} participants")
            base = await baseline(quality, count, made)
            results.append(
                {
                    "benchmark": "programme",
                    "quality": quality,
                    "preset": QUALITIES[quality].preset,
                    "participants": count,
                    "programme": feed,
                    "decode_all": base,
                    "ratio": round(feed["cpu_share"] / base["cpu_share"], 2),
                }
            )
    return results


def summary(results: list[dict[str, Any]]) -> str:
    columns = ["quality (preset)", "participants", "programme: CPU of one core", "decode all: CPU", "ratio"]
    rows = [
        [
            f"{r['quality']} ({r['preset']})",
            r["participants"],
            f"{r['programme']['cpu_share']:.1%}",
            f"{r['decode_all']['cpu_share']:.1%}",
            f"{r['ratio']}x",
        ]
        for r in results
    ]
    return table(columns, rows)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--gallery":
        # The baseline's own process (`baseline` starts it).
        gallery(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), Path(sys.argv[5]))
        raise SystemExit(0)
    parser = arguments(__doc__)
    parser.add_argument("--participants", type=int, nargs="+", default=[8, 16])
    args = parser.parse_args()
    report(asyncio.run(main(args.participants)), summary)
