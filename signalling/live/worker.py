"""The livestream's worker: the programme pipeline in a process of its own, on its own clock.

Run as `python -m signalling.live.worker`. Its spec comes as one JSON line on standard input:
`{"socket": fd, "live": dir, "recording": dir | null, "quality": "360p" | "720p", "fps": 30,
"resuming": bool, "preview": path | null, "nice": 5}`. The hub's frames (signalling/live/wire.py) arrive
on the socket `fd`, which the hub's end of a socket pair left open for it. It answers in JSON lines on
standard output:

- `{"status": {...}}` when the pipeline is ready and then each second: frames, late (ticks skipped),
  segments (the live playlist's, resumed runs included), failed (outputs that failed, with their
  errors), shown (the number of the scene on screen);
- `{"shown": number, "frame": index}` at the first frame of a scene;
- `{"keyframe": source}` when a source's picture did not decode (the hub asks its sender for one);
- `{"end": {...}}` (the last status) once the outputs are finished, or `{"error": "..."}` when it fails.

On `quit`, or at the end of the socket (the hub is gone), it finishes the outputs (the live playlist gets
its end) and exits 0. Plain synchronous code: the pipeline blocks, and nothing else runs here.
"""

from __future__ import annotations

import json
import logging
import os
import re
import selectors
import signal
import socket
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from signalling.live import wire
from signalling.live.encode import QUALITIES
from signalling.live.outputs import live_hls, recording_hls
from signalling.live.pipeline import Pipeline

log = logging.getLogger(__name__)

CHUNK = 1 << 18
STATUS_SECONDS = 1.0
# The console's preview of the programme: this often, this wide (16:9), as a JPEG of this quality.
PREVIEW_SECONDS = 2
PREVIEW_WIDTH = 192
PREVIEW_QUALITY = 70
SEGMENT = re.compile(r"^seg_(\d+)\.ts$", re.MULTILINE)


@dataclass(frozen=True)
class Spec:
    socket: int
    live: Path
    recording: Path | None
    quality: str
    fps: int = 30
    resuming: bool = False
    preview: Path | None = None
    nice: int = 0

    @classmethod
    def parse(cls, line: str) -> Spec:
        value = json.loads(line)
        return cls(
            socket=int(value["socket"]),
            live=Path(value["live"]),
            recording=None if value.get("recording") is None else Path(value["recording"]),
            quality=str(value["quality"]),
            fps=int(value.get("fps", 30)),
            resuming=bool(value.get("resuming", False)),
            preview=None if value.get("preview") is None else Path(value["preview"]),
            nice=int(value.get("nice", 0)),
        )


def last_segment(playlist: Path) -> int:
    """The number of the live playlist's last segment (-1 without one)."""
    try:
        numbers = [int(n) for n in SEGMENT.findall(playlist.read_text())]
    except FileNotFoundError:
        return -1
    return max(numbers, default=-1)


class Worker:
    def __init__(self, spec: Spec, sock: socket.socket, out: TextIO) -> None:
        self.spec = spec
        self.sock = sock
        self.out = out
        self.playlist = spec.live / "index.m3u8"
        spec.live.mkdir(parents=True, exist_ok=True)
        targets = [live_hls(spec.live, resuming=spec.resuming)]
        if spec.recording is not None:
            spec.recording.mkdir(parents=True, exist_ok=True)
            targets.append(recording_hls(spec.recording))
        self.pipeline = Pipeline(QUALITIES[spec.quality], targets, fps=spec.fps)
        self.reader = wire.Reader()
        self.late = 0
        self.shown: int | None = None
        self._showing: int | None = None
        self.stopping = False
        # The two-second stretch of the clock the last preview was taken in.
        self.previewed = -1

    def say(self, **line: Any) -> None:
        try:
            self.out.write(json.dumps(line) + "\n")
            self.out.flush()
        except BrokenPipeError:
            # The hub is gone (the socket's end follows, and the outputs are finished then): what is left
            # to say goes nowhere.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.out.fileno())
            os.close(devnull)

    def status(self) -> dict[str, Any]:
        return {
            "frames": self.pipeline.frames,
            "late": self.late,
            # Numbering goes on when a playlist is resumed: this counts every run's segments.
            "segments": last_segment(self.playlist) + 1,
            "failed": self.pipeline.failed,
            "shown": self.shown,
        }

    def run(self) -> None:
        fps = self.spec.fps
        selector = selectors.DefaultSelector()
        selector.register(self.sock, selectors.EVENT_READ)
        start, wall = time.monotonic(), datetime.now(UTC)
        next_index, next_status = 0, start + STATUS_SECONDS
        self.say(status=self.status())
        try:
            while not self.stopping:
                now = time.monotonic()
                due = start + next_index / fps
                if now < due:
                    if selector.select(due - now):
                        self.receive()
                    continue
                # A tick found late is skipped: the picture keeps to the clock, and the outputs take gaps.
                index = max(next_index, int((now - start) * fps))
                self.late += index - next_index
                if next_index == 0:
                    self.began(wall + timedelta(seconds=index / fps))
                self.pipeline.tick(index, wall + timedelta(seconds=index / fps))
                if index // (fps * PREVIEW_SECONDS) != self.previewed:
                    self.previewed = index // (fps * PREVIEW_SECONDS)
                    self.preview()
                next_index = index + 1
                if self._showing is not None:
                    self.shown, self._showing = self._showing, None
                    self.say(shown=self.shown, frame=index)
                for source in sorted(self.pipeline.keyframes):
                    self.say(keyframe=source)
                self.pipeline.keyframes.clear()
                if now >= next_status:
                    next_status = max(next_status + STATUS_SECONDS, now)
                    self.say(status=self.status())
        finally:
            selector.close()
        self.pipeline.close()
        self.say(end=self.status())

    def preview(self) -> None:
        """The picture just encoded, small, for the console (written whole, then renamed)."""
        path, picture = self.spec.preview, self.pipeline.picture
        if path is None or picture is None:
            return
        height = PREVIEW_WIDTH * picture.height // picture.width // 2 * 2
        written = path.with_name(path.name + ".tmp")
        try:
            small = picture.reformat(width=PREVIEW_WIDTH, height=height)
            image = small.to_image()  # type: ignore[no-untyped-call]
            image.save(written, "JPEG", quality=PREVIEW_QUALITY)
            written.replace(path)
        except OSError as exc:  # a preview is a nicety: the programme goes on without it
            log.warning("the preview could not be written: %s", exc)

    def began(self, t0: datetime) -> None:
        """The recording's part notes the wall time of its first frame (where it falls in the meeting),
        before its first segment."""
        if self.spec.recording is None:
            return
        written = self.spec.recording / "part.json.tmp"
        try:
            written.write_text(json.dumps({"t0": t0.isoformat()}))
            written.replace(self.spec.recording / "part.json")
        except OSError as exc:  # the recording fails alone, as its output would
            log.warning("the recording's part.json could not be written: %s", exc)

    def receive(self) -> None:
        try:
            data = self.sock.recv(CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except ConnectionResetError:
            data = b""
        if not data:
            # The hub is gone: finish what was written.
            self.stopping = True
            return
        for message in self.reader.feed(data):
            if isinstance(message, wire.Packet):
                self.pipeline.packet(
                    message.source, message.codec, message.pts, message.data, message.keyframe
                )
            elif isinstance(message, wire.Show):
                self.pipeline.show(message.scene, video=message.video, audio=message.audio)
                self._showing = message.number
            elif message.quit:
                self.stopping = True
                return


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="livestream worker: %(levelname)s %(message)s")
    worker: Worker | None = None
    asked = False

    def finish(signum: int, frame: object) -> None:
        # Asked to end (the service stopping, ^C in a terminal): end as on `quit`, with the playlist's end.
        nonlocal asked
        asked = True
        if worker is not None:
            worker.stopping = True

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    try:
        spec = Spec.parse(sys.stdin.readline())
        if spec.nice:
            os.nice(spec.nice)
        sock = socket.socket(fileno=spec.socket)
        try:
            sock.setblocking(False)
            worker = Worker(spec, sock, sys.stdout)
            worker.stopping = asked
            worker.run()
        finally:
            sock.close()
    except Exception as exc:
        log.exception("the livestream worker failed")
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
