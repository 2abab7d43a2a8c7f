"""The livestream pushed to an RTMP address: the live playlist (signalling/live/outputs.py `live_hls`)
followed from its live edge and remuxed, without decoding, to FLV at the address.

Run as `python -m signalling.live.push` by signalling/live/pusher.py. Its spec comes as one JSON line on
standard input, `{"playlist": path, "url": "rtmp://host[:port]/app/key", "nice": 5}`: the address holds
the stream key, and a command line is shown to every user of the machine. It answers in JSON lines on
standard output:

- `{"connected": true}` once the address took the connection and the stream's header;
- `{"status": {"sent": bytes, "packets": n, "dropped": n}}` each second (dropped: packets whose
  timestamps went back within a run of the feed);
- `{"error": "..."}` before it exits on a failure.

Nothing here times the address out: PyAV opens an output (TCP connect, RTMP handshake) and writes to it
without a timeout (it hands the protocol no options and an output no interrupt callback), so the pusher
kills a child that does not connect or stops reporting. Reading the playlist does time out, so that a
feed that stopped is told apart from an address that stopped taking the stream.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.container import InputContainer
from av.packet import Packet
from av.stream import Stream

STATUS_SECONDS = 1.0
# The playlist gets a segment each second; this long without one, the feed has stopped (a restarted worker
# takes less).
FEED_SECONDS = 5.0
# Timestamps are placed in the playlist's own time base (MPEG-TS).
TIME_BASE = Fraction(1, 90_000)
# A restarted worker starts its timestamps again: a step back, or this far forward, begins a new run...
JUMP = 5 * 90_000
# ... placed this long after the last packet out: more than a frame, as the old run's last picture can
# come after the new run's first sound.
GAP = 90_000 // 4
# Bytes sent are counted as the packets' with their FLV tags: an 11-byte header, 5 bytes of codec
# header, a 4-byte trailer.
FLV_TAG = 20
# Segment files come from the local disk only: the playlist is ours, but a name in it should not reach out.
INPUT_OPTIONS = {
    # The live edge: the newest segment, not the three before it the demuxer would start with.
    "live_start_index": "-1",
    "protocol_whitelist": "file",
}
# An RTMP output cannot be sought back to fill in the duration and size at the end.
OUTPUT_OPTIONS = {"flvflags": "no_duration_filesize"}


@dataclass(frozen=True)
class Spec:
    playlist: Path
    url: str
    nice: int = 0

    @classmethod
    def parse(cls, line: str) -> Spec:
        value = json.loads(line)
        return cls(Path(value["playlist"]), str(value["url"]), int(value.get("nice", 0)))


class Timeline:
    """Output timestamps that never go back, from the playlist's, which start again at each of its
    discontinuities (in ticks of `TIME_BASE`). The first stream to step back, or to leap `JUMP` forward,
    begins a new run, placed `GAP` after the last packet out; each other stream joins it when it steps
    too (until then its packets, the old run's last, keep the old placing). A packet that would still go
    back, or before the start, is dropped."""

    def __init__(self) -> None:
        # Per run, what is added to its timestamps.
        self.offsets: list[int] = []
        # Per stream: the run it is in, and its last timestamps in and out.
        self.run: dict[int, int] = {}
        self.last_in: dict[int, int] = {}
        self.last_out: dict[int, int] = {}
        self.dropped = 0

    def place(self, stream: int, dts: int) -> int | None:
        """The offset to add to the packet's timestamps, or None to drop it."""
        if not self.offsets:
            self.offsets.append(-dts)
        before = self.last_in.get(stream)
        self.last_in[stream] = dts
        newest = len(self.offsets) - 1
        if before is not None and not before <= dts <= before + JUMP:
            if self.run[stream] == newest:
                self.offsets.append(max(self.last_out.values(), default=0) + GAP - dts)
                newest += 1
            self.run[stream] = newest
        offset = self.offsets[self.run.setdefault(stream, newest)]
        out = dts + offset
        if out < self.last_out.get(stream, 0):
            self.dropped += 1
            return None
        self.last_out[stream] = out
        return offset


def ticks(value: int, time_base: Fraction) -> int:
    return round(value * time_base / TIME_BASE)


class Failed(Exception):
    """Why the push ended, as the console shows it."""


def push(spec: Spec, report: Callable[[dict[str, Any]], None]) -> None:
    """Follow the playlist and push it until something fails (raises `Failed`). Nothing is closed on the
    way out: the process ends, and writing an FLV trailer to a failed connection could block."""
    _live(spec.playlist)
    try:
        source = av.open(str(spec.playlist), format="hls", options=INPUT_OPTIONS, timeout=FEED_SECONDS)
        video, audio = source.streams.video[0], source.streams.audio[0]
    except (av.FFmpegError, IndexError) as exc:
        raise Failed(f"the live playlist could not be read: {_reason(exc)}") from exc
    try:
        target = av.open(spec.url, "w", format="flv", options=OUTPUT_OPTIONS)
        streams = {
            video.index: target.add_stream_from_template(video),
            audio.index: target.add_stream_from_template(audio),
        }
        # Opens the connection (TCP, the RTMP handshake) and writes the header.
        target.start_encoding()
    except av.FFmpegError as exc:
        raise Failed(f"could not connect: {_reason(exc)}") from exc
    report({"connected": True})
    timeline = Timeline()
    sent = packets = 0
    reported = time.monotonic()
    # FLV begins at a keyframe, with the sound from there.
    started = False
    for packet in _packets(source, video, audio):
        if packet.dts is None or packet.time_base is None:
            continue  # the demuxer's empty packet at the end
        started = started or (packet.stream.index == video.index and packet.is_keyframe)
        if not started:
            continue
        offset = timeline.place(packet.stream.index, ticks(packet.dts, packet.time_base))
        if offset is None:
            continue
        size = packet.size
        _rebase(packet, offset)
        packet.stream = streams[packet.stream.index]
        try:
            target.mux(packet)
        except av.FFmpegError as exc:
            raise Failed(f"the connection failed: {_reason(exc)}") from exc
        sent += size + FLV_TAG
        packets += 1
        now = time.monotonic()
        if now - reported >= STATUS_SECONDS:
            reported = now
            report({"status": {"sent": sent, "packets": packets, "dropped": timeline.dropped}})
    # The demuxer ends a playlist that stopped growing as if it had ended: which was it?
    _growing(spec.playlist)
    raise Failed("the live playlist has ended")


def _live(playlist: Path) -> None:
    """Wait for a playlist that grows: a feed just started (or started again) writes its first segment
    within a second or two. Refused as `_growing` refuses it once FEED_SECONDS have passed."""
    deadline = time.monotonic() + FEED_SECONDS
    while True:
        try:
            _growing(playlist)
            return
        except Failed:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.25)


def _growing(playlist: Path) -> None:
    """Refuse a playlist that has ended or stopped growing (the feed stopped, or is starting again):
    following it would send its last segment again, then fail."""
    try:
        text, age = playlist.read_text(), time.time() - playlist.stat().st_mtime
    except OSError as exc:
        raise Failed(f"the live playlist could not be read: {exc.strerror}") from exc
    if "#EXT-X-ENDLIST" in text:
        raise Failed("the live playlist has ended")
    if age > FEED_SECONDS:
        raise Failed(f"the live playlist had no new segment for {FEED_SECONDS:.0f} s")


def _packets(source: InputContainer, *streams: Stream) -> Iterator[Packet[Any]]:
    packets = source.demux(*streams)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.ExitError:
            return  # the timeout: told apart by `push`
        except av.FFmpegError as exc:
            raise Failed(f"the live playlist could not be read: {_reason(exc)}") from exc
        yield packet


def _rebase(packet: Packet[Any], offset: int) -> None:
    dts = ticks(packet.dts or 0, packet.time_base or TIME_BASE)
    pts = dts if packet.pts is None else ticks(packet.pts, packet.time_base or TIME_BASE)
    packet.time_base = TIME_BASE
    packet.dts, packet.pts = dts + offset, pts + offset


def main() -> None:
    spec = Spec.parse(sys.stdin.readline())
    os.nice(spec.nice)
    out = sys.stdout

    def report(value: dict[str, Any]) -> None:
        out.write(json.dumps(value) + "\n")
        out.flush()

    try:
        push(spec, report)
    except Failed as exc:
        report({"error": str(exc)})
    except Exception as exc:  # whatever it was, the pusher is told and tries again
        # Never the address: it holds the stream key.
        report({"error": f"{type(exc).__name__}: {exc}".replace(spec.url, "the address")})
    # Without closing the output (see `push`).
    os._exit(1)


def _reason(exc: Exception) -> str:
    if isinstance(exc, av.FFmpegError) and exc.strerror:
        return str(exc.strerror)
    return str(exc)


if __name__ == "__main__":
    main()
