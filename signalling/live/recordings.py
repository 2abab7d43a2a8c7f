"""Finishing a livestream's recording: its parts remuxed into one MP4 with its chapters, and a WebVTT
chapters track beside it.

A recording is a directory (`recordings/MEETING/STAMP/`, STAMP the livestream's start, which is also the
recording's id) holding a part per run of the feed (`0`, `1`, …): an HLS event playlist of fragmented
MP4 segments of two seconds and `part.json`, the wall time of the part's first frame (written by the
worker, signalling/live/worker.py). A part cut by a crash has no `#EXT-X-ENDLIST`: a copy of its
playlist gets one, and every whole segment it lists is kept.

`finish` remuxes the parts in order into `recording.mp4` (`movflags=+faststart`), each part's timestamps
moved to follow the one before, with the chapters (hub/chapters.py) set before the first packet, and
writes `recording.vtt` from the same chapters. Blocking work: the relay runs it in a thread. `unfinished`
finds the recordings a crash left (parts, and no MP4), for the hub to finish at start-up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.container import InputContainer, OutputContainer

from hub import livestream
from hub.chapters import Chapter, Part, chapters, webvtt
from hub.errors import HubError
from hub.models import Meeting, Recording, RecordingPart
from hub.service import SYSTEM, Hub

log = logging.getLogger(__name__)

MP4 = "recording.mp4"
VTT = "recording.vtt"
PLAYLIST = "index.m3u8"
# The copy of a part's playlist that is read (the original, if it was ended, is left as it was).
ENDED = "ended.m3u8"
PART = "part.json"
ENDLIST = "#EXT-X-ENDLIST"
EXTINF = re.compile(r"^#EXTINF:([0-9.]+)", re.MULTILINE)
SEGMENT = re.compile(r"^seg_\d+\.m4s$", re.MULTILINE)
CHAPTER_BASE = Fraction(1, 1000)
# A recording's directory, and its id: the livestream's start (as the relay names it).
STAMP = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class Piece:
    """A part as read from its directory: where it falls in the meeting, and its playlist to read."""

    part: Part
    playlist: Path


def pieces(directory: Path) -> list[Piece]:
    """The recording's parts in order, each with its start and length and a playlist that ends; parts
    with no whole segment (or no start) are left out."""
    found: list[Piece] = []
    numbered = [p for p in directory.iterdir() if p.is_dir() and p.name.isdigit()]
    for path in sorted(numbered, key=lambda p: int(p.name)):
        piece = _piece(path)
        if piece is not None:
            found.append(piece)
    return found


def _piece(path: Path) -> Piece | None:
    try:
        t0 = datetime.fromisoformat(json.loads((path / PART).read_text())["t0"])
        text = (path / PLAYLIST).read_text()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not SEGMENT.search(text):
        return None
    seconds = sum(float(s) for s in EXTINF.findall(text))
    playlist = path / PLAYLIST
    if ENDLIST not in text:
        # Cut by a crash: the playlist lists whole segments only (the one being written is not in it).
        playlist = path / ENDED
        playlist.write_text(text.rstrip("\n") + f"\n{ENDLIST}\n")
    return Piece(Part(t0, seconds), playlist)


def parts(directory: Path) -> list[Part]:
    return [piece.part for piece in pieces(directory)]


def finish(directory: Path, meeting: Meeting, events: Sequence[Mapping[str, Any]]) -> float:
    """Remux the recording's parts into `recording.mp4` with its chapters, write `recording.vtt`; the
    recording's seconds. Raises when there is nothing to finish or the parts cannot be read."""
    return _finish(directory, meeting, events)[0]


def _finish(
    directory: Path, meeting: Meeting, events: Sequence[Mapping[str, Any]]
) -> tuple[float, list[Piece]]:
    found = _alike(pieces(directory))
    if not found:
        raise ValueError(f"{directory} holds no part with a whole segment")
    marks = chapters(meeting, events, [piece.part for piece in found])
    written = directory / f"{MP4}.tmp"
    try:
        seconds = _remux(found, marks, written)
    except BaseException:
        written.unlink(missing_ok=True)
        raise
    (directory / VTT).write_text(webvtt(marks))
    written.replace(directory / MP4)
    for piece in found:
        if piece.playlist.name == ENDED:
            piece.playlist.unlink(missing_ok=True)
    return seconds, found


def _alike(found: Sequence[Piece]) -> list[Piece]:
    """The parts whose streams are as the first's: one MP4 holds one set of codec parameters. (A part of
    another size: the hub restarted with the livestream on after its quality was changed.)"""
    kept: list[Piece] = []
    first: tuple[Any, ...] | None = None
    for piece in found:
        with av.open(str(piece.playlist)) as container:
            made = tuple(
                (s.type, s.codec_context.name, getattr(s, "width", None), getattr(s, "height", None))
                for s in container.streams
                if s.type in ("video", "audio")
            )
        if first is None:
            first = made
        if made == first:
            kept.append(piece)
        else:
            log.warning(
                "recording part %s left out: its streams differ from the first's", piece.playlist.parent
            )
    return kept


def _remux(found: Sequence[Piece], marks: Sequence[Chapter], path: Path) -> float:
    """Every part's packets in order into one MP4; the seconds it lasts."""
    offset = 0.0  # where the part being read begins in the recording, in seconds
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        streams: dict[str, Any] = {}
        last: dict[str, int] = {}
        for n, piece in enumerate(found):
            with av.open(str(piece.playlist)) as container:
                assert isinstance(container, InputContainer)
                if n == 0:
                    for kind in ("video", "audio"):
                        template = next((s for s in container.streams if s.type == kind), None)
                        if template is not None:
                            streams[kind] = out.add_stream_from_template(template)
                    out.set_chapters(
                        [
                            {
                                "id": i,
                                "start": round(c.start / CHAPTER_BASE),
                                "end": round(c.end / CHAPTER_BASE),
                                "time_base": CHAPTER_BASE,
                                "metadata": {"title": c.title},
                            }
                            for i, c in enumerate(marks, start=1)
                        ]
                    )
                offset = _copy(container, out, streams, last, offset, piece.part.seconds)
    return offset


def _copy(
    container: InputContainer,
    out: OutputContainer,
    streams: Mapping[str, Any],
    last: dict[str, int],
    offset: float,
    seconds: float,
) -> float:
    """One part's packets into the output, shifted to begin at `offset`; where the next part begins."""
    base = (container.start_time or 0) / av.time_base  # the part's first instant, in its own time
    end = offset + seconds
    for packet in container.demux():
        kind = packet.stream.type
        stream = streams.get(kind)
        if stream is None or packet.dts is None or packet.pts is None:
            continue
        tb = packet.time_base
        shift = round((offset - base) / tb)
        pts, dts = packet.pts + shift, packet.dts + shift
        # Never back in time across a part's edge (a part's sound may run a little past its pictures).
        if kind in last and dts <= last[kind]:
            pts, dts = pts + last[kind] + 1 - dts, last[kind] + 1
        last[kind] = dts
        end = max(end, float((dts + (packet.duration or 0)) * tb))
        packet.pts, packet.dts = pts, dts
        packet.stream = stream
        out.mux(packet)
    return end


def made(directory: Path, meeting: Meeting, events: Sequence[Mapping[str, Any]]) -> Recording | None:
    """The recording in `directory`, finished now if it is not yet (blocking); None when it holds no
    part with a whole segment (a feed stopped before its first)."""
    if not pieces(directory):
        return None
    if (directory / MP4).exists():
        # Finished before the hub could say so (it stopped): only its length is wanted.
        found = _alike(pieces(directory))
        with av.open(str(directory / MP4)) as container:
            seconds = (container.duration or 0) / av.time_base
    else:
        seconds, found = _finish(directory, meeting, events)
    return Recording(
        id=directory.name,
        started_at=found[0].part.t0,
        ended_at=found[-1].part.t0 + timedelta(seconds=found[-1].part.seconds),
        seconds=round(seconds, 3),
        status="ready",
        parts=[RecordingPart(t0=p.part.t0, seconds=p.part.seconds) for p in found],
    )


def _tidy(directory: Path, recording: Recording) -> None:
    """The parts, once the MP4 holds them and the meeting says it is ready, and those with nothing in
    them (a part left out for its streams stays)."""
    held = {part.t0 for part in recording.parts}
    kept = {piece.playlist.parent for piece in pieces(directory) if piece.part.t0 not in held}
    for path in directory.iterdir():
        if path.is_dir() and path.name.isdigit() and path not in kept:
            shutil.rmtree(path, ignore_errors=True)


async def record(hub: Hub, meeting_id: str, directory: Path) -> Recording | None:
    """Finish the recording in `directory` (in a thread) and commit it to the meeting as the hub
    (`recording.finished`, or `recording.failed` when it cannot be made); None when there was nothing
    recorded."""
    meeting = (await hub.current(meeting_id)).meeting
    events = await hub.store.event_log(meeting_id)
    try:
        recording = await asyncio.to_thread(made, directory, meeting, events)
    except Exception:
        log.exception("recording %s of %s could not be finished", directory.name, meeting_id)
        started = _started(directory.name) or hub.clock()
        recording = Recording(
            id=directory.name, started_at=started, ended_at=max(started, hub.clock()), status="failed"
        )
    if recording is None:
        return None
    done = recording
    await hub.execute(meeting_id, SYSTEM, lambda m, now: livestream.recorded(m, done, now))
    if recording.status == "ready":
        await asyncio.to_thread(_tidy, directory, recording)
    log.info("recording %s of %s: %s", recording.id, meeting_id, recording.status)
    return recording


async def recover(hub: Hub, root: Path) -> int:
    """Finish and commit the recordings under `root` (`recordings/`) that a crash or a stop left
    unfinished or unsaid, but those the feed goes on writing (the meeting's livestream is on, and
    started when the recording did); how many."""
    recovered = 0
    for meeting_id, directory in await asyncio.to_thread(unfinished, root):
        try:
            live = (await hub.current(meeting_id)).meeting.livestream
        except HubError:
            continue  # no such meeting (any more)
        if live.on and live.started_at is not None and live.started_at.strftime(STAMP) == directory.name:
            continue
        if any(r.id == directory.name for r in live.recordings):
            continue
        if await record(hub, meeting_id, directory) is not None:
            recovered += 1
    return recovered


def _started(name: str) -> datetime | None:
    try:
        return datetime.strptime(name, STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def unfinished(root: Path) -> list[tuple[str, Path]]:
    """Recordings under `root` (`recordings/`) that still hold parts (those finished and said lose
    them): (meeting id, directory), oldest first within each meeting."""
    left: list[tuple[str, Path]] = []
    if not root.is_dir():
        return left
    for meeting in sorted(p for p in root.iterdir() if p.is_dir()):
        for recording in sorted(p for p in meeting.iterdir() if p.is_dir()):
            if any(p.is_dir() and p.name.isdigit() for p in recording.iterdir()):
                left.append((meeting.name, recording))
    return left
