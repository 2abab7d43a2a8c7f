"""The programme feed for one livestream, on one clock: packets and scenes in, a frame and its sound out
at each tick, encoded once and written to every output.

Synchronous and without sockets or clocks of its own: whoever drives it (a worker process, a test) hands
it the relay's packets as they come, the scene when it changes (with the sources that carry what it
shows), and calls `tick` at each frame of its clock. Source timestamps are never copied to the output:
each tick takes the latest picture of the source on screen (held until a newer one comes) and the sound
due by then, so a source that stalls or vanishes leaves a still picture or silence, never a gap.

Only the source on screen is decoded, and only the two sources mixed: the cost grows with what is shown,
never with who takes part. A new source shows the name card until its first picture is decoded, and a
decoder that fails waits for the next keyframe (`keyframes` names the sources to ask one of).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import av
from av.video.codeccontext import VideoCodecContext
from av.video.frame import VideoFrame

from hub.programme import Scene, phrase, time_left
from signalling.live.compose import Compositor, Layout, paste
from signalling.live.encode import Encoder, Quality
from signalling.live.mix import RATE, Mixer
from signalling.live.outputs import Outputs, Target
from signalling.live.overlay import Overlay

VIDEO_CODECS = frozenset({"vp8", "h264"})
AUDIO_CODECS = frozenset({"opus"})


class _Video:
    """The decoder of the source on screen, and its latest picture."""

    def __init__(self, codec: str) -> None:
        self.codec = codec
        decoder = av.CodecContext.create(codec, "r")
        assert isinstance(decoder, VideoCodecContext)
        self.decoder = decoder
        self.latest: VideoFrame | None = None
        # A decoder starts at a keyframe, and again after an error.
        self.keyed = False


class Pipeline:
    def __init__(self, quality: Quality, targets: Sequence[Target], *, fps: int = 30) -> None:
        self.fps = fps
        self.layout = Layout.of(quality.width, quality.height)
        self.overlay = Overlay(self.layout)
        self.compositor = Compositor(self.layout, fps)
        self.mixer = Mixer()
        self.encoder = Encoder(quality, fps)
        self.outputs = Outputs(targets, self.encoder.video, self.encoder.audio)
        self.scene = Scene("waiting", "", "en")
        self.video_source: int | None = None
        self._video: _Video | None = None
        # Sources whose decoder failed: the driver asks the relay for a keyframe (and clears this).
        self.keyframes: set[int] = set()
        self.frames = 0
        self.samples = 0
        # The last picture composed (the console's preview is made from it).
        self.picture: VideoFrame | None = None

    @property
    def failed(self) -> dict[str, str]:
        """The outputs that failed, with their errors."""
        return self.outputs.failed

    def show(self, scene: Scene, *, video: int | None, audio: Sequence[int]) -> None:
        """The scene from now on, with the source carrying its picture and those carrying its sound (the
        floor, then the chair)."""
        self.scene = scene
        if video != self.video_source:
            self.video_source, self._video = video, None
        self.mixer.select(audio)

    def packet(self, source: int, codec: str, pts: int, data: bytes, keyframe: bool) -> None:
        """An encoded frame from the relay. Its timestamp is the sender's: the feed keeps its own."""
        if codec in AUDIO_CODECS:
            self.mixer.put(source, data)
            return
        if codec not in VIDEO_CODECS or source != self.video_source:
            return
        video = self._video
        if video is None or video.codec != codec:
            video = self._video = _Video(codec)
        if not video.keyed and not keyframe:
            return
        video.keyed = True
        try:
            frames = video.decoder.decode(av.Packet(data))
        except av.FFmpegError:
            # The picture holds until the next keyframe decodes.
            video.keyed = False
            self.keyframes.add(source)
            return
        if frames:
            video.latest = frames[-1]

    def tick(self, index: int, now: datetime) -> None:
        """Frame `index` of the feed's clock (skipped indexes leave a gap, which the outputs accept), and
        the sound due by its end; `now` is the wall time, for the speech's clock."""
        self.picture = self._picture(index, now)
        self.outputs.mux(self.encoder.picture(self.picture, index), video=True)
        self.frames += 1
        due = (index + 1) * RATE // self.fps
        step = self.encoder.audio_frame
        while self.mixer.samples + step <= due:
            mixed = self.mixer.read(step)
            if mixed is not None:
                self.outputs.mux(self.encoder.sound(mixed, self.samples), video=False)
                self.samples += mixed.samples

    def close(self) -> None:
        """Flush the encoders and finish every output (a live playlist gets its end)."""
        video, audio = self.encoder.flush()
        self.outputs.mux(video, video=True)
        self.outputs.mux(audio, video=False)
        self.outputs.close()
        self.encoder.close()

    def _picture(self, index: int, now: datetime) -> VideoFrame:
        scene, layout, overlay = self.scene, self.layout, self.overlay
        if scene.status != "live":
            canvas = self.compositor.blank()
            paste(canvas, overlay.slate(scene.title, scene.note), 0)
            return canvas
        voting = scene.vote is not None
        top, rows = layout.area(voting)
        latest = None if self._video is None else self._video.latest
        if latest is not None:
            canvas = self.compositor.picture(latest, voting, index)
        else:
            canvas = self.compositor.blank()
            paste(canvas, overlay.card(scene.shown, scene.caption, rows), top)
        language = scene.language
        paste(canvas, overlay.top(scene.item, phrase(language, "live")), 0)
        if scene.vote is not None:
            paste(canvas, overlay.vote(scene.vote, phrase(language, "voting")), top + rows)
        clock = scene.clock
        paused = phrase(language, "paused") if clock is not None and clock.started_at is None else None
        said = None if clock is None else time_left(clock, now)
        paste(canvas, overlay.bar(scene.caption, said, paused), layout.height - layout.bar)
        return canvas
