"""The programme feed run as the hub runs it: `Feed` on the event loop, the worker a real process, packets
of generated media (tests/live_sources.py) sent in real time as the relay's taps would.

The scene: Ana speaks with her camera for a second and a half, then Ben, who sends no picture (his name
card), with Ana's microphone still mixed. Another feed's worker is killed mid-stream and restarted. The
files go to the test's own directory and are read back with PyAV."""

from __future__ import annotations

import asyncio
import itertools
import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import pytest
from av.video.frame import VideoFrame

from hub.programme import Caption, Scene
from signalling.live import wire
from signalling.live.compose import Layout
from signalling.live.encode import QUALITIES
from signalling.live.feed import Feed
from signalling.live.overlay import Overlay
from tests.live_sources import Media, band_rows, distance, frame_rows, generate, start_worker

FPS = 30
QUALITY = "360p"
LAYOUT = Layout.of(QUALITIES[QUALITY].width, QUALITIES[QUALITY].height)

ANA = Caption("Ana Lima", "Member", "Moving “Climate”")
BEN = Caption("Ben Okafor", "Member")
A = Scene("live", "AGM", "en", "4. Motions", "ana", ("ana", "camera"), ANA, audio=("ana",))
B = Scene("live", "AGM", "en", "4. Motions", "ben", None, BEN, audio=("ana",))
ANA_CAMERA, ANA_MIC = 1, 2


@pytest.fixture(scope="module")
def media() -> Media:
    return generate(4, FPS)


class Relay:
    """Ana's camera and microphone, sent as they fall due. Her camera sends a keyframe only when asked
    (its stream starts again at the first frame, a keyframe), as a browser does."""

    def __init__(self, media: Media) -> None:
        self.media = media
        self.frame = 0
        self.sound = 0
        self.asked: list[int] = []

    def ask(self, source: int) -> None:
        self.asked.append(source)
        self.frame = 0

    async def send(self, feed: Feed, seconds: float, until: Callable[[], bool] | None = None) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for tick in range(round(seconds * FPS)):
            await asyncio.sleep(max(0.0, start + tick / FPS - loop.time()))
            if until is not None and until():
                return
            if self.frame == len(self.media.video):
                self.frame = 0
            data, key = self.media.video[self.frame]
            feed.packet(ANA_CAMERA, "vp8", self.frame * 3000, data, key)
            self.frame += 1
            while self.sound * FPS < (tick + 1) * 50:
                audio = self.media.audio
                feed.packet(ANA_MIC, "opus", self.sound * 960, audio[self.sound % len(audio)], True)
                self.sound += 1


def segments(live: Path) -> list[Path]:
    listed = re.findall(r"^(seg_\d+\.ts)$", (live / "index.m3u8").read_text(), re.MULTILINE)
    return [live / name for name in listed]


def pictures(paths: list[Path]) -> list[VideoFrame]:
    frames: list[VideoFrame] = []
    for path in paths:
        with av.open(str(path)) as container:
            frames += container.decode(video=0)
    return frames


@dataclass(frozen=True)
class Streamed:
    live: Path
    recording: Path
    running: dict[str, Any]
    stopped: dict[str, Any]


@pytest.fixture(scope="module")
def streamed(media: Media, tmp_path_factory: pytest.TempPathFactory) -> Streamed:
    root = tmp_path_factory.mktemp("feed")

    async def stream() -> Streamed:
        relay = Relay(media)
        feed = Feed(root / "live", root / "recording", QUALITY, on_keyframe=relay.ask)
        await feed.start()
        try:
            feed.show(A, ANA_CAMERA, [ANA_MIC])
            await relay.send(feed, 1.5)
            feed.show(B, None, [ANA_MIC])
            await relay.send(feed, 1.5)
            # The worker reports the frame it first showed the new scene on within a tick of getting it.
            await relay.send(feed, 1, until=lambda: feed.status["shown"] == 2)
            running = feed.status
        finally:
            await feed.stop()
        return Streamed(root / "live", root / "recording", running, feed.status)

    return asyncio.run(stream())


def test_the_live_playlist_fills_with_segments_of_h264_and_aac(streamed: Streamed) -> None:
    listed = segments(streamed.live)
    assert len(listed) >= 3
    for n, segment in enumerate(listed, start=1):
        with av.open(str(segment)) as container:
            video, audio = container.streams.video[0], container.streams.audio[0]
            assert (video.codec_context.name, video.width, video.height) == ("h264", 640, 360)
            assert (audio.codec_context.name, audio.sample_rate) == ("aac", 48_000)
            # A second of pictures (a late tick skips one), but the last, cut short by the stop.
            assert len(list(container.decode(video=0))) >= (FPS - 3 if n < len(listed) else 1)
    running = streamed.running
    assert running["state"] == "live" and running["failed"] == {} and running["error"] is None
    assert running["frames"] >= FPS and running["at"] is not None
    assert streamed.stopped["segments"] == len(listed)


def test_the_scene_change_reaches_the_worker(streamed: Streamed) -> None:
    assert streamed.running["shown"] == 2
    overlay, frames = Overlay(LAYOUT), pictures(segments(streamed.live))
    first = LAYOUT.height - LAYOUT.bar
    renders = {c.name: band_rows(overlay.bar(c, None, None), 0, LAYOUT.bar, LAYOUT.width) for c in (ANA, BEN)}

    def caption(frame: VideoFrame) -> str | None:
        shown = frame_rows(frame, first, LAYOUT.bar, LAYOUT.width)
        return next((name for name, render in renders.items() if distance(shown, render) < 4), None)

    # Every fifth frame: the slate (no caption) until the scene comes, then Ana's caption, then Ben's.
    seen = [caption(frame) for frame in frames[::5]]
    runs = [name for name, _ in itertools.groupby(seen)]
    assert runs in ([None, ANA.name, BEN.name], [ANA.name, BEN.name]), seen


def test_stopping_ends_the_playlist_and_the_recording_part(streamed: Streamed) -> None:
    assert (streamed.live / "index.m3u8").read_text().rstrip().endswith("#EXT-X-ENDLIST")
    assert streamed.stopped["state"] == "stopped"
    part = streamed.recording / "0"
    assert (part / "init.mp4").exists()
    with av.open(str(part / "index.m3u8")) as container:
        assert {s.codec_context.name for s in container.streams} == {"h264", "aac"}


async def test_a_killed_worker_is_restarted_and_the_playlist_goes_on(media: Media, tmp_path: Path) -> None:
    relay = Relay(media)
    feed = Feed(tmp_path / "live", None, QUALITY, on_keyframe=relay.ask)
    await feed.start()
    try:
        feed.show(A, ANA_CAMERA, [ANA_MIC])
        await relay.send(feed, 2.5)
        first = feed.process
        assert first is not None and feed.status["segments"] >= 1
        first.send_signal(signal.SIGKILL)
        await relay.send(feed, 1, until=lambda: feed.status["state"] == "restarting")
        assert feed.status["restarts"] == 1 and "-9" in feed.status["error"]
        # One second's back-off, then a new worker; until then packets go nowhere.
        await relay.send(feed, 15, until=lambda: feed.status["state"] == "live")
        assert feed.process is not first and feed.status["error"] is None
        # The new worker's decoder starts at a keyframe, asked for at once.
        assert relay.asked == [ANA_CAMERA]
        await relay.send(feed, 2.5)
        assert feed.status["failed"] == {}
    finally:
        await feed.stop()
    playlist = (tmp_path / "live" / "index.m3u8").read_text()
    assert playlist.rstrip().endswith("#EXT-X-ENDLIST")
    numbers = [int(n) for n in re.findall(r"^seg_(\d+)\.ts$", playlist, re.MULTILINE)]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))) and len(numbers) >= 4
    # Between the first worker's segments and the second's. (FFmpeg also heads the playlist with one while
    # its first segment is still listed.)
    [restart] = re.finditer(r"^seg_\d+\.ts\n#EXT-X-DISCONTINUITY\n", playlist, re.MULTILINE)
    after = playlist[restart.end() :]
    # The segments after the discontinuity decode on their own (each starts at a keyframe), and the new
    # worker shows Ana's camera again, not her name card: the keyframe it asked for came.
    resumed = [tmp_path / "live" / name for name in re.findall(r"^(seg_\d+\.ts)$", after, re.MULTILINE)]
    frames = pictures(resumed)
    assert len(frames) >= 2 * FPS
    top, rows = LAYOUT.area(voting=False)
    card = band_rows(Overlay(LAYOUT).card("ana", ANA, rows), 0, rows, LAYOUT.width)
    assert distance(frame_rows(frames[-1], top, rows, LAYOUT.width), card) > 4
    assert feed.status["state"] == "stopped" and feed.status["segments"] == len(numbers)


def test_the_worker_finishes_the_playlist_when_the_hub_is_gone(media: Media, tmp_path: Path) -> None:
    worker, hub = start_worker(tmp_path / "live", None, QUALITY)
    try:
        hub.sendall(wire.show(1, A, ANA_CAMERA, [ANA_MIC]))
        for data, key in media.video[: 2 * FPS]:
            hub.sendall(wire.packet(ANA_CAMERA, "vp8", 0, data, key))
        time.sleep(2.2)
        # The hub dies: its ends of the socket and of the pipe close. The worker still ends the playlist.
        worker.stdout.close()
        hub.close()
        assert worker.wait(timeout=10) == 0
    finally:
        hub.close()
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    playlist = (tmp_path / "live" / "index.m3u8").read_text()
    assert "seg_00001.ts" in playlist and playlist.rstrip().endswith("#EXT-X-ENDLIST")
