"""The programme pipeline run in-process on generated media: a camera (VP8) and a microphone (Opus) encoded
here, fed tick by tick as the relay would, and the outputs read back with PyAV.

The scene: Ana speaks with her camera for two seconds (the chair, mixed with her, sends no sound); then
Ben is called, with no picture for half a second (his name card), then his camera, whose first keyframe
falls mid-segment. The files go to the
test's own directory."""

from __future__ import annotations

import array
import dataclasses
import itertools
import math
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import pytest
from av.video.frame import VideoFrame

from hub.programme import Caption, Clock, Scene
from signalling.live.compose import Layout, fit
from signalling.live.encode import QUALITIES
from signalling.live.outputs import live_hls, recording_hls
from signalling.live.overlay import Overlay
from signalling.live.pipeline import Pipeline
from tests.live_sources import Media, band_rows, distance, frame_rows, generate

FPS, SECONDS = 30, 4
QUALITY = QUALITIES["360p"]
LAYOUT = Layout.of(QUALITY.width, QUALITY.height)
NOW = datetime(2027, 3, 13, 12, 0, tzinfo=UTC)

ANA = Caption("Ana Lima", "Member", "Moving “Climate”")
BEN = Caption("Ben Okafor", "Member")
CLOCK = Clock(180, 0, NOW)
A = Scene("live", "AGM", "en", "4. Motions", "ana", ("ana", "camera"), ANA, CLOCK, audio=("ana", "chair"))
B = Scene("live", "AGM", "en", "4. Motions", "ben", ("ben", "camera"), BEN, CLOCK, audio=("ben", "chair"))
# Sources as the relay numbers them: Ana's camera and microphone, the chair's microphone (silent), Ben's.
ANA_CAMERA, ANA_MIC, CHAIR_MIC, BEN_CAMERA, BEN_MIC = 1, 2, 3, 4, 5
# The tick Ben's first picture comes.
BEN_ON_CAMERA = 75


@pytest.fixture(scope="module")
def media() -> Media:
    return generate(SECONDS, FPS)


def run(pipeline: Pipeline, media: Media, ticks: range, camera: int | None, start: int = 0) -> None:
    """Feed the camera's frames and the microphone's packets as they fall due, and tick."""
    for index in ticks:
        if camera is not None:
            data, key = media.video[index - start]
            pipeline.packet(camera, "vp8", index, data, key)
        for n in range(index * 50 // FPS, (index + 1) * 50 // FPS):
            pipeline.packet(ANA_MIC, "opus", n * 960, media.audio[n], True)
        pipeline.tick(index, NOW + timedelta(seconds=index / FPS))


@dataclass(frozen=True)
class Made:
    live: Path
    recording: Path
    failed: dict[str, str]


@pytest.fixture(scope="module")
def made(media: Media, tmp_path_factory: pytest.TempPathFactory) -> Made:
    root = tmp_path_factory.mktemp("programme")
    (root / "live").mkdir()
    (root / "recording").mkdir()
    pipeline = Pipeline(QUALITY, [live_hls(root / "live"), recording_hls(root / "recording")], fps=FPS)
    pipeline.show(A, video=ANA_CAMERA, audio=[ANA_MIC, CHAIR_MIC])
    run(pipeline, media, range(0, 2 * FPS), ANA_CAMERA)
    pipeline.show(B, video=BEN_CAMERA, audio=[BEN_MIC, CHAIR_MIC])
    run(pipeline, media, range(2 * FPS, BEN_ON_CAMERA), None)
    run(pipeline, media, range(BEN_ON_CAMERA, 4 * FPS), BEN_CAMERA, start=BEN_ON_CAMERA)
    pipeline.close()
    return Made(root / "live", root / "recording", pipeline.failed)


def segments(made: Made) -> list[Path]:
    listed = re.findall(r"^(seg_\d+\.ts)$", (made.live / "index.m3u8").read_text(), re.MULTILINE)
    return [made.live / name for name in listed]


def pictures(made: Made) -> list[VideoFrame]:
    frames: list[VideoFrame] = []
    for segment in segments(made):
        with av.open(str(segment)) as container:
            frames += container.decode(video=0)
    return frames


def test_the_live_playlist_lists_one_second_segments_with_their_wall_times(made: Made) -> None:
    playlist = (made.live / "index.m3u8").read_text()
    durations = [float(d) for d in re.findall(r"^#EXTINF:([\d.]+),", playlist, re.MULTILINE)]
    assert len(durations) == SECONDS
    assert all(abs(d - 1) <= 1 / FPS for d in durations)
    assert len(re.findall(r"^#EXT-X-PROGRAM-DATE-TIME:\S+$", playlist, re.MULTILINE)) == SECONDS
    assert "#EXT-X-TARGETDURATION:1\n" in playlist and playlist.rstrip().endswith("#EXT-X-ENDLIST")
    assert made.failed == {}


def test_each_segment_holds_h264_and_aac_and_a_second_of_pictures(made: Made) -> None:
    for segment in segments(made):
        with av.open(str(segment)) as container:
            video, audio = container.streams.video[0], container.streams.audio[0]
            assert (video.codec_context.name, video.width, video.height) == ("h264", 640, 360)
            assert (audio.codec_context.name, audio.sample_rate) == ("aac", 48_000)
            assert len(list(container.decode(video=0))) == FPS


def test_the_recording_is_an_event_playlist_of_mp4_fragments_that_decodes(made: Made) -> None:
    playlist = (made.recording / "index.m3u8").read_text()
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in playlist and '#EXT-X-MAP:URI="init.mp4"' in playlist
    with av.open(str(made.recording / "index.m3u8")) as container:
        assert {s.codec_context.name for s in container.streams} == {"h264", "aac"}
        assert len(list(container.decode(video=0))) == FPS * SECONDS


# The picture.


def test_the_caption_follows_the_speaker(made: Made) -> None:
    overlay, frames = Overlay(LAYOUT), pictures(made)
    # The names and roles: the left part of the bar (the clock, on the right, ticks).
    width, first = LAYOUT.width * 3 // 5, LAYOUT.height - LAYOUT.bar
    renders = {c.name: band_rows(overlay.bar(c, "3:00", None), 0, LAYOUT.bar, width) for c in (ANA, BEN)}
    for index, speaker, other in [(45, ANA, BEN), (70, BEN, ANA), (105, BEN, ANA)]:
        shown = frame_rows(frames[index], first, LAYOUT.bar, width)
        near, far = distance(shown, renders[speaker.name]), distance(shown, renders[other.name])
        assert near < 4 < far, (index, near, far)


def test_a_name_card_stands_in_until_the_speakers_picture_comes(made: Made) -> None:
    top, rows = LAYOUT.area(voting=False)
    card = band_rows(Overlay(LAYOUT).card("ben", BEN, rows), 0, rows, LAYOUT.width)
    frames = pictures(made)
    on_card = [distance(frame_rows(frames[i], top, rows, LAYOUT.width), card) for i in (62, 68, 74)]
    on_camera = [distance(frame_rows(frames[i], top, rows, LAYOUT.width), card) for i in (45, 75, 119)]
    assert max(on_card) < 4 < min(on_camera), (on_card, on_camera)


def test_the_camera_is_fitted_into_the_picture_with_black_beside_it(made: Made) -> None:
    top, rows = LAYOUT.area(voting=False)
    w, h, x, y = fit(320, 240, LAYOUT.width, rows)
    frame = pictures(made)[45]
    middle = top + y + h // 2
    [row] = frame_rows(frame, middle, 1, LAYOUT.width)
    assert max(row[: (x - 8) // 2]) < 24 and max(row[(x + w + 8) // 2 :]) < 24  # black (16) beside it
    assert max(row[x // 2 : (x + w) // 2]) > 100  # the test pattern


# The sound.


def test_the_sound_runs_on_without_a_gap_whoever_is_silent(made: Made) -> None:
    stamps, samples = [], array.array("f")
    for segment in segments(made):
        with av.open(str(segment)) as container:
            for packet in container.demux(audio=0):
                if packet.pts is None:
                    continue
                stamps.append(packet.pts)
                for frame in packet.decode():
                    samples.frombytes(bytes(frame.planes[0])[: frame.samples * 4])
    # AAC frames of 1024 samples, one after another on a 90 kHz clock across every segment.
    assert {b - a for a, b in itertools.pairwise(stamps)} == {1024 * 90_000 // 48_000}
    assert abs(len(samples) - SECONDS * 48_000) <= 2 * 1024

    def loudness(start: float, end: float) -> float:
        part = samples[int(start * 48_000) : int(end * 48_000)]
        return math.sqrt(sum(s * s for s in part) / len(part))

    # Ana is heard beside the silent chair; once Ben (who sends nothing) has the floor, silence.
    assert loudness(0.3, 1.9) > 0.1
    assert loudness(2.2, 3.9) < 0.01


# Failures.


def test_an_output_that_fails_leaves_the_others_writing(media: Media, tmp_path: Path) -> None:
    for name in ("live", "recording"):
        (tmp_path / name).mkdir()
    targets = [
        live_hls(tmp_path / "live"),
        dataclasses.replace(recording_hls(tmp_path / "recording"), name="removed"),
        dataclasses.replace(live_hls(tmp_path / "nowhere"), name="nowhere"),
    ]
    pipeline = Pipeline(QUALITY, targets, fps=FPS)
    pipeline.show(A, video=ANA_CAMERA, audio=[ANA_MIC])
    run(pipeline, media, range(0, FPS), ANA_CAMERA)
    shutil.rmtree(tmp_path / "recording")  # its next segment has nowhere to go
    run(pipeline, media, range(FPS, 3 * FPS), ANA_CAMERA)
    pipeline.close()
    assert set(pipeline.failed) == {"removed", "nowhere"}
    assert "FileNotFoundError" in pipeline.failed["removed"]
    playlist = (tmp_path / "live" / "index.m3u8").read_text()
    assert playlist.count("#EXTINF:1.0") == 3 and playlist.rstrip().endswith("#EXT-X-ENDLIST")


def test_a_picture_that_does_not_decode_waits_for_a_keyframe(media: Media, tmp_path: Path) -> None:
    pipeline = Pipeline(QUALITY, [], fps=FPS)
    pipeline.show(A, video=ANA_CAMERA, audio=[])
    pipeline.packet(ANA_CAMERA, "vp8", 0, b"\x00not a picture" * 8, True)
    assert pipeline.keyframes == {ANA_CAMERA}
    # Not a keyframe: not even tried until one comes.
    later = next(data for data, key in media.video if not key)
    pipeline.packet(ANA_CAMERA, "vp8", 1, later, False)
    first, _ = media.video[0]
    pipeline.packet(ANA_CAMERA, "vp8", 2, first, True)
    # Other people's cameras are not decoded at all.
    pipeline.packet(BEN_CAMERA, "vp8", 2, b"\x00not a picture", True)
    assert pipeline.keyframes == {ANA_CAMERA}
    pipeline.close()
