"""The livestream pushed as the hub pushes it: `Pusher` on the event loop, the push a real process, to a
real RTMP receiver on loopback (Debian's ffmpeg, listening, writing what it gets to an FLV file).

The live playlist is written in real time by a process of its own with the live output's options (a
test pattern in H.264, a tone in AAC), and killed and started again mid-stream as a failed worker is.
What the receivers got is read back with PyAV."""

from __future__ import annotations

import asyncio
import math
import socket
import struct
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import pytest

from signalling.live.outputs import live_hls
from signalling.live.pusher import Pusher

FPS = 25
ROOT = Path(__file__).parents[2]
WRITE_LIVE = """import sys
from pathlib import Path
from tests.integration.test_live_push import write_live
write_live(Path(sys.argv[1]), 300, sys.argv[2] == "resuming")"""


def write_live(directory: Path, seconds: float, resuming: bool) -> None:
    """`seconds` of a small test pattern and a tone written in real time as the live playlist."""
    target = live_hls(directory, resuming=resuming)
    out = av.open(str(target.path), "w", format="hls", options=target.options)
    video = out.add_stream("libx264", rate=FPS, options={"preset": "ultrafast", "tune": "zerolatency"})
    video.width, video.height, video.pix_fmt = 160, 120, "yuv420p"
    # A keyframe each second: the segments' length.
    video.codec_context.gop_size = FPS
    audio = out.add_stream("aac", rate=48_000, layout="mono")
    tone = struct.pack("<1024f", *(0.2 * math.sin(2 * math.pi * 400 * i / 48_000) for i in range(1024)))
    start, samples = time.monotonic(), 0
    for n in range(round(seconds * FPS)):
        time.sleep(max(0.0, start + n / FPS - time.monotonic()))
        picture = av.VideoFrame(160, 120, "yuv420p")
        for plane in picture.planes:
            plane.update(bytes([n * 5 % 256]) * plane.buffer_size)
        picture.pts, picture.time_base = n, Fraction(1, FPS)
        out.mux(video.encode(picture))
        while samples < (n + 1) * 48_000 // FPS:
            sound = av.AudioFrame(format="flt", layout="mono", samples=1024)
            sound.planes[0].update(tone)
            sound.sample_rate, sound.pts, sound.time_base = 48_000, samples, Fraction(1, 48_000)
            out.mux(audio.encode(sound))
            samples += 1024
    out.close()


class Feed:
    """The process writing the live playlist; `restart` kills it and starts another, which continues the
    playlist behind a discontinuity, its timestamps from zero again."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def playlist(self) -> Path:
        return self.directory / "index.m3u8"

    def start(self, *, resuming: bool) -> None:
        self.directory.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITE_LIVE, str(self.directory), "resuming" if resuming else "new"],
            cwd=ROOT,
        )

    def wait(self) -> None:
        """Until the playlist has two segments: the push starts at the newest, and the demuxer reads on
        into the next."""
        deadline = time.monotonic() + 30
        while "seg_00001.ts" not in (self.playlist.read_text() if self.playlist.exists() else ""):
            assert time.monotonic() < deadline, "the live playlist did not start"
            time.sleep(0.1)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.kill()
        self.start(resuming=True)


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Feed]:
    feed = Feed(tmp_path_factory.mktemp("live"))
    feed.start(resuming=False)
    try:
        feed.wait()
        yield feed
    finally:
        feed.kill()


def listening(port: int) -> bool:
    """Whether something listens on 127.0.0.1:port (asked of the kernel: a receiver takes one connection
    only)."""
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    # The local address in hex, and the state 0A: LISTEN.
    return any(f.split()[1] == f"0100007F:{port:04X}" and f.split()[3] == "0A" for f in lines)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Receiver:
    process: asyncio.subprocess.Process
    # Its warnings (a timestamp going back, say), once it has ended.
    log: str = ""


@asynccontextmanager
async def receiver(port: int, out: Path) -> AsyncIterator[Receiver]:
    """ffmpeg taking one stream at rtmp://127.0.0.1:port/live/test, copied into `out`."""
    process = await asyncio.create_subprocess_exec(
        "ffmpeg", "-nostdin", "-loglevel", "warning", "-y", "-listen", "1",
        "-i", f"rtmp://127.0.0.1:{port}/live/test",
        "-c", "copy", "-flush_packets", "1", "-f", "flv", str(out),
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    log = asyncio.create_task(process.stderr.read())
    got = Receiver(process)
    try:
        yield got
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()
        got.log = (await log).decode()


def received(path: Path) -> tuple[set[str], float]:
    """The codecs of what a receiver wrote, and the time its packets span."""
    if not path.exists() or path.stat().st_size == 0:
        return set(), 0.0
    last = 0.0
    try:
        with av.open(str(path)) as container:
            codecs = {s.codec_context.name for s in container.streams}
            for packet in container.demux():
                if packet.dts is not None and packet.time_base is not None:
                    last = max(last, float(packet.dts * packet.time_base))
    except av.FFmpegError:
        return set(), 0.0  # not even a header yet; a cut tag at the end only ends the loop
    return codecs, last


async def until(what: str, test: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not test():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds} s")
        await asyncio.sleep(0.1)


async def test_the_receiver_gets_h264_and_aac_without_a_step_back_when_the_feed_restarts(
    feed: Feed, tmp_path: Path
) -> None:
    port, out = free_port(), tmp_path / "got.flv"
    async with receiver(port, out) as got:
        await until("listening", lambda: listening(port), 10)
        pusher = Pusher(feed.playlist, f"rtmp://127.0.0.1:{port}/live/test")
        await pusher.start()
        try:
            await until("live", lambda: pusher.status["state"] == "live", 10)
            await until("a second received", lambda: received(out)[1] > 1, 10)
            codecs, before = received(out)
            assert codecs == {"h264", "aac"}
            status = pusher.status
            assert status["to"] == f"127.0.0.1:{port}" and status["error"] is None
            assert status["since"] is not None and status["attempts"] == 1
            feed.restart()
            began = time.monotonic()
            await until("more received", lambda: received(out)[1] > before + 3, 10)
            elapsed, (_, after) = time.monotonic() - began, received(out)
            status = pusher.status
        finally:
            await pusher.stop()
    # What was received spans about the time it took: the new run follows the old one.
    assert after - before <= elapsed + 1.5
    # Not one packet of the new run lost to the old run's later timestamps.
    assert status["dropped"] == 0
    assert status["state"] == "live" and status["attempts"] == 1
    assert status["sent"] > 20_000 and 50_000 < status["bitrate"] < 1_000_000
    assert "onotonous" not in got.log
    assert pusher.status["state"] == "stopped" and pusher.process is not None
    assert pusher.process.returncode is not None


async def test_a_refused_connection_fails_at_once_and_is_retried(feed: Feed) -> None:
    port = free_port()
    pusher = Pusher(feed.playlist, f"rtmp://127.0.0.1:{port}/live/key")
    began = time.time()
    await pusher.start()
    try:
        # Well before the connect timeout of 10 s: the push's own error.
        await until("retrying", lambda: pusher.status["state"] == "retrying", 5)
        status = pusher.status
        assert "refused" in status["error"].lower() and status["attempts"] == 1
        assert began < status["retry_at"] <= time.time() + 1
        await until("tried again", lambda: pusher.status["attempts"] == 2, 3)
        await until("retrying again", lambda: pusher.status["state"] == "retrying", 5)
        assert pusher.status["retry_at"] > time.time() + 1
    finally:
        await pusher.stop()
    assert "key" not in str(pusher.status)


async def test_a_silent_server_is_killed_at_the_connect_timeout(feed: Feed) -> None:
    with socket.socket() as silent:
        # Connections are accepted by the kernel, and never answered.
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        pusher = Pusher(feed.playlist, f"rtmp://127.0.0.1:{port}/live/test", connect_seconds=2)
        began = time.monotonic()
        await pusher.start()
        try:
            await until("given up", lambda: pusher.status["state"] == "retrying", 5)
            assert 1.9 < time.monotonic() - began < 4
            assert pusher.status["error"] == f"could not connect to 127.0.0.1:{port} within 2 s"
            assert pusher.process is not None and pusher.process.returncode is not None
        finally:
            await pusher.stop()


async def test_a_receiver_that_goes_away_is_noticed_and_the_next_gets_the_stream(
    feed: Feed, tmp_path: Path
) -> None:
    port = free_port()
    pusher = Pusher(feed.playlist, f"rtmp://127.0.0.1:{port}/live/test", stall_seconds=2)
    try:
        async with receiver(port, tmp_path / "first.flv") as first:
            await until("listening", lambda: listening(port), 10)
            await pusher.start()
            await until("live", lambda: pusher.status["state"] == "live", 10)
            await until("data", lambda: received(tmp_path / "first.flv")[1] > 1, 10)
            since = pusher.status["since"]
            first.process.kill()
            await first.process.wait()
            async with receiver(port, tmp_path / "second.flv"):
                await until("noticed", lambda: pusher.status["state"] != "live", 4)
                assert pusher.status["error"]
                # Refused until the next one listens, perhaps.
                await until("live again", lambda: pusher.status["state"] == "live", 10)
                await until("data again", lambda: received(tmp_path / "second.flv")[1] > 1, 10)
                status = pusher.status
    finally:
        await pusher.stop()
    assert received(tmp_path / "second.flv")[0] == {"h264", "aac"}
    assert status["attempts"] >= 2 and status["error"] is None and status["since"] > since


async def test_a_feed_that_stops_ends_the_attempt_as_the_feeds_fault(tmp_path: Path) -> None:
    feed, port = Feed(tmp_path / "live"), free_port()
    feed.start(resuming=False)
    try:
        feed.wait()
        async with receiver(port, tmp_path / "got.flv"):
            await until("listening", lambda: listening(port), 10)
            pusher = Pusher(feed.playlist, f"rtmp://127.0.0.1:{port}/live/test")
            await pusher.start()
            try:
                await until("live", lambda: pusher.status["state"] == "live", 10)
                feed.kill()
                # Not the address's fault, and within the stall's 10 s or about.
                await until("noticed", lambda: pusher.status["state"] == "retrying", 14)
                assert pusher.status["error"] == "the live playlist had no new segment for 5 s"
                # Nor is the next attempt's: it waits the feed's 5 s for a new segment, and does not
                # even connect.
                await until("tried again", lambda: pusher.status["attempts"] == 2, 3)
                await until("given up again", lambda: pusher.status["state"] == "retrying", 8)
                assert pusher.status["error"] == "the live playlist had no new segment for 5 s"
            finally:
                await pusher.stop()
    finally:
        feed.kill()
