"""One encode for every output: libx264 and AAC, held in a container that is never written.

The encoders are streams of a `null` container opened on the null device: opening it opens them, so
their parameters (extradata included, with `global_header`) are known before any output exists. Each
output copies them (`add_stream_from_template`) and can open and close on its own while the same
packets go to all of them. (Streams made with `add_mux_stream` carry no extradata: their outputs did not
decode.)

A keyframe forced at the first frame of each second of the feed's clock (no scene cuts) cuts HLS
segments of one second, even when ticks are skipped; `zerolatency` keeps frames from waiting in the
encoder; one thread keeps the cost predictable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
from av.audio.frame import AudioFrame
from av.codec.context import Flags
from av.packet import Packet
from av.video.frame import PictureType, VideoFrame

from signalling.live.mix import RATE


@dataclass(frozen=True)
class Quality:
    width: int
    height: int
    # libx264's preset: the fastest presets cost least and send more bits for the same picture.
    preset: str
    bit_rate: int
    audio_bit_rate: int = 96_000
    # Settings of libx264 over its preset's ("name=value:..."), or none.
    tuning: str = ""


QUALITIES = {
    # ultrafast's motion search, with what makes the picture good for its bits at little cost: CABAC,
    # the deblocking filter and 8x8 transforms. A third cheaper than superfast (docs/performance.md).
    "720p": Quality(1280, 720, "ultrafast", 2_500_000, tuning="cabac=1:deblock=1,0,0:8x8dct=1"),
    "360p": Quality(640, 360, "veryfast", 800_000),
}


class Encoder:
    def __init__(self, quality: Quality, fps: int) -> None:
        self.holder = av.open(os.devnull, "w", format="null")
        self.video = self.holder.add_stream(
            "libx264",
            rate=fps,
            options={
                "preset": quality.preset,
                "tune": "zerolatency",
                "threads": "1",
                # Keyframes are forced each second (`picture`); the encoder places none of its own.
                "x264-params": ":".join(
                    filter(None, (f"keyint={fps * 4}:min-keyint={fps}:scenecut=0", quality.tuning))
                ),
            },
        )
        self.video.width, self.video.height, self.video.pix_fmt = quality.width, quality.height, "yuv420p"
        self.video.codec_context.bit_rate = quality.bit_rate
        self.video.codec_context.flags |= Flags.global_header
        self.audio = self.holder.add_stream("aac", rate=RATE, layout="stereo")
        self.audio.codec_context.bit_rate = quality.audio_bit_rate
        self.audio.codec_context.flags |= Flags.global_header
        self.holder.start_encoding()
        self.time_base = Fraction(1, fps)
        self.fps = fps
        # The second of the feed's clock the last keyframe began.
        self._keyed = -1
        # AAC takes 1024 samples a frame.
        self.audio_frame = self.audio.codec_context.frame_size

    def picture(self, frame: VideoFrame, index: int) -> list[Packet[Any]]:
        frame.pts, frame.time_base = index, self.time_base
        # A keyframe at the first frame of each second of the feed's clock, so segments stay a second
        # long when ticks are skipped under load (counting frames, they would grow). A decoded source's
        # keyframe passes through the filters marked as one: that mark is not the encoder's to follow.
        second = index // self.fps
        keyed = second != self._keyed
        self._keyed = second
        frame.pict_type = PictureType.I if keyed else PictureType.NONE
        return self.video.encode(frame)

    def sound(self, frame: AudioFrame, sample: int) -> list[Packet[Any]]:
        frame.pts, frame.time_base, frame.sample_rate = sample, Fraction(1, RATE), RATE
        return self.audio.encode(frame)

    def flush(self) -> tuple[list[Packet[Any]], list[Packet[Any]]]:
        return self.video.encode(None), self.audio.encode(None)

    def close(self) -> None:
        self.holder.close()
