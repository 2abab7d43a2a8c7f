"""Where the programme's packets go: containers opened from the encoders' parameters, each failing alone.

- Live HLS: MPEG-TS segments of one second, a sliding playlist of 30 with each segment's wall time
  (`EXT-X-PROGRAM-DATE-TIME`, which the viewer page matches captions to), segments and playlist written
  under a temporary name and renamed (never read half-written), old segments deleted. Continuing after
  a restart appends to the playlist behind a discontinuity.
- The recording: an HLS event playlist of fragmented MP4 segments of two seconds. The playlist is
  rewritten after each whole segment, so a crash loses at most the segment being written.

An output that raises is closed, its error kept, and the others go on. A network address is never
opened here: `av.open` connects with the GIL held and no timeout.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
from av.audio.stream import AudioStream
from av.container import OutputContainer
from av.packet import Packet
from av.video.stream import VideoStream

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    name: str
    path: Path
    format: str
    options: dict[str, str] = field(default_factory=dict)


def live_hls(directory: Path, *, resuming: bool = False) -> Target:
    flags = "delete_segments+independent_segments+program_date_time+temp_file"
    return Target(
        "live",
        directory / "index.m3u8",
        "hls",
        {
            "hls_time": "1",
            "hls_list_size": "30",
            "hls_delete_threshold": "5",
            "hls_segment_type": "mpegts",
            "hls_segment_filename": str(directory / "seg_%05d.ts"),
            "hls_flags": flags + ("+append_list+discont_start" if resuming else ""),
        },
    )


def recording_hls(directory: Path) -> Target:
    return Target(
        "recording",
        directory / "index.m3u8",
        "hls",
        {
            "hls_time": "2",
            "hls_list_size": "0",
            "hls_playlist_type": "event",
            "hls_segment_type": "fmp4",
            "hls_fmp4_init_filename": "init.mp4",
            "hls_segment_filename": str(directory / "seg_%05d.m4s"),
            "hls_flags": "independent_segments+temp_file",
        },
    )


class Output:
    def __init__(self, target: Target, video: VideoStream, audio: AudioStream) -> None:
        self.target = target
        self.container: OutputContainer = av.open(
            str(target.path), "w", format=target.format, options=target.options
        )
        self.video = self.container.add_stream_from_template(video)
        self.audio = self.container.add_stream_from_template(audio)
        # An output begins at a keyframe (a segment must), with the sound from there.
        self.started = False

    def mux(self, packet: Packet[Any], video: bool) -> None:
        if not self.started and not (video and packet.is_keyframe):
            return
        self.started = True
        packet.stream = self.video if video else self.audio
        self.container.mux(packet)

    def close(self) -> None:
        self.container.close()


class Outputs:
    def __init__(self, targets: Sequence[Target], video: VideoStream, audio: AudioStream) -> None:
        self.open: list[Output] = []
        self.failed: dict[str, str] = {}
        for target in targets:
            try:
                self.open.append(Output(target, video, audio))
            except Exception as exc:  # whatever one output does, the others go on
                self._failed(target, exc)

    def mux(self, packets: Sequence[Packet[Any]], video: bool) -> None:
        for packet in packets:
            # Muxing rescales the packet's timestamps in place: each output gets them as encoded.
            pts, dts, time_base = packet.pts, packet.dts, packet.time_base
            for output in list(self.open):
                packet.pts, packet.dts, packet.time_base = pts, dts, time_base
                try:
                    output.mux(packet, video)
                except Exception as exc:  # whatever one output does, the others go on
                    self.open.remove(output)
                    self._failed(output.target, exc)
                    self._close(output)

    def close(self) -> None:
        for output in self.open:
            self._close(output)
        self.open = []

    def _close(self, output: Output) -> None:
        try:
            output.close()
        except Exception as exc:  # whatever one output does, the others go on
            if output.target.name not in self.failed:
                self._failed(output.target, exc)

    def _failed(self, target: Target, exc: Exception) -> None:
        self.failed[target.name] = f"{type(exc).__name__}: {exc}"
        log.warning("livestream output %s failed: %s", target.name, self.failed[target.name])
