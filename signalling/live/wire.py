"""What the hub sends the livestream's worker over their socket pair, and what it holds back when the worker
falls behind. Pure: bytes in, messages out.

Each frame is its body's length (`!I`) and the body, whose first byte says what it is:

- `P`, a packet: `!cIBBq` (the type, the source, the codec, flags with bit 0 for a keyframe, the sender's
  timestamp), then the encoded bytes. Sources are the hub's numbers, never reused within a livestream.
- `S`, a scene: msgpack of its number (the worker reports when it first shows it), the `Scene` as plain
  lists and maps, and the sources carrying its picture and its sound.
- `C`, a control: msgpack, `{"quit": true}` (finish the outputs and exit).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import msgpack

from hub.programme import Caption, Clock, Scene, VoteCard

LENGTH = struct.Struct("!I")
PACKET = struct.Struct("!cIBBq")
CODECS = {"vp8": 1, "h264": 2, "opus": 3}
CODEC_NAMES = {number: name for name, number in CODECS.items()}
VIDEO_CODECS = frozenset({"vp8", "h264"})
KEYFRAME = 1
# No frame comes near this (a 720p keyframe is tens of KiB): a longer one means the stream is corrupt.
MOST = 16 << 20


class WireError(ValueError):
    """Bytes that are not a frame of this format."""


@dataclass(frozen=True)
class Packet:
    source: int
    codec: str
    pts: int
    keyframe: bool
    data: bytes


@dataclass(frozen=True)
class Show:
    number: int
    scene: Scene
    video: int | None
    audio: tuple[int, ...]


@dataclass(frozen=True)
class Control:
    quit: bool = False


Message = Packet | Show | Control


def packet(source: int, codec: str, pts: int, data: bytes, keyframe: bool) -> bytes:
    header = PACKET.pack(b"P", source, CODECS[codec], KEYFRAME if keyframe else 0, pts)
    return b"".join((LENGTH.pack(len(header) + len(data)), header, data))


def show(number: int, scene: Scene, video: int | None, audio: Sequence[int]) -> bytes:
    body = {"number": number, "scene": scene_to_wire(scene), "video": video, "audio": list(audio)}
    return _frame(b"S" + msgpack.packb(body))


def control(*, quit: bool = False) -> bytes:
    return _frame(b"C" + msgpack.packb({"quit": quit}))


def encode(message: Message) -> bytes:
    if isinstance(message, Packet):
        return packet(message.source, message.codec, message.pts, message.data, message.keyframe)
    if isinstance(message, Show):
        return show(message.number, message.scene, message.video, message.audio)
    return control(quit=message.quit)


def _frame(body: bytes) -> bytes:
    return LENGTH.pack(len(body)) + body


def decode(body: bytes) -> Message:
    kind = body[:1]
    if kind == b"P":
        if len(body) < PACKET.size:
            raise WireError("a packet shorter than its header")
        _, source, codec, flags, pts = PACKET.unpack_from(body)
        if codec not in CODEC_NAMES:
            raise WireError(f"unknown codec {codec}")
        return Packet(source, CODEC_NAMES[codec], pts, bool(flags & KEYFRAME), body[PACKET.size :])
    try:
        value = msgpack.unpackb(body[1:])
        if kind == b"S":
            return Show(
                int(value["number"]),
                scene_from_wire(value["scene"]),
                None if value["video"] is None else int(value["video"]),
                tuple(int(a) for a in value["audio"]),
            )
        if kind == b"C":
            return Control(quit=bool(value.get("quit")))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise WireError(f"a malformed {kind!r} frame: {exc}") from exc
    raise WireError(f"unknown frame type {kind!r}")


@dataclass
class Reader:
    """Frames out of a byte stream, whatever the chunks it arrives in."""

    _buffer: bytearray = field(default_factory=bytearray)

    def feed(self, data: bytes) -> list[Message]:
        buffer = self._buffer
        buffer += data
        messages, at = [], 0
        while len(buffer) - at >= LENGTH.size:
            (length,) = LENGTH.unpack_from(buffer, at)
            if length > MOST or length == 0:
                raise WireError(f"a frame of {length} bytes")
            if len(buffer) - at - LENGTH.size < length:
                break
            start = at + LENGTH.size
            messages.append(decode(bytes(buffer[start : start + length])))
            at = start + length
        del buffer[:at]
        return messages


# The scene as plain values. Written out field by field: a field added to `Scene` fails the round trip
# test until it is carried here.


def scene_to_wire(scene: Scene) -> dict[str, Any]:
    caption, clock, vote = scene.caption, scene.clock, scene.vote
    return {
        "status": scene.status,
        "title": scene.title,
        "language": scene.language,
        "item": scene.item,
        "shown": scene.shown,
        "video": None if scene.video is None else list(scene.video),
        "caption": None if caption is None else [caption.name, caption.role, caption.context],
        "clock": None
        if clock is None
        else [clock.limit_seconds, clock.elapsed_seconds, _time_to_wire(clock.started_at)],
        "vote": None
        if vote is None
        else [vote.question, vote.open, vote.result, [list(c) for c in vote.counts]],
        "audio": list(scene.audio),
        "note": scene.note,
    }


def scene_from_wire(value: dict[str, Any]) -> Scene:
    video, caption, clock, vote = value["video"], value["caption"], value["clock"], value["vote"]
    return Scene(
        status=value["status"],
        title=value["title"],
        language=value["language"],
        item=value["item"],
        shown=value["shown"],
        video=None if video is None else (video[0], video[1]),
        caption=None if caption is None else Caption(caption[0], caption[1], caption[2]),
        clock=None if clock is None else Clock(clock[0], clock[1], _time_from_wire(clock[2])),
        vote=None
        if vote is None
        else VoteCard(vote[0], vote[1], vote[2], tuple((label, count) for label, count in vote[3])),
        audio=tuple(value["audio"]),
        note=value["note"],
    )


def _time_to_wire(at: datetime | None) -> str | None:
    # ISO 8601 keeps the offset, and a naive time stays naive.
    return None if at is None else at.isoformat()


def _time_from_wire(at: str | None) -> datetime | None:
    return None if at is None else datetime.fromisoformat(at)


# Back-pressure.

# Bytes waiting to be written to the worker above which video, then sound, is dropped.
VIDEO_BACKLOG = 2 << 20
AUDIO_BACKLOG = 4 << 20
# While a source waits for a keyframe, it asks again this often (the request or the keyframe may be lost).
ASK_SECONDS = 1.0

Verdict = Literal["send", "drop", "ask"]


class Throttle:
    """Which packets go to the worker while it is behind. Above `VIDEO_BACKLOG` queued, video is dropped,
    and a source that lost a packet then waits for its next keyframe (the pictures after a lost one do not
    decode) and asks for one ("ask": drop it and request a keyframe). Sound, which a gap only clips, is
    dropped only above `AUDIO_BACKLOG`. Scenes and controls are always sent."""

    def __init__(self) -> None:
        self.dropped = 0
        # Sources waiting for a keyframe, and when one was last asked for.
        self._waiting: dict[int, float] = {}

    @property
    def waiting(self) -> frozenset[int]:
        return frozenset(self._waiting)

    def admit(self, source: int, video: bool, keyframe: bool, queued: int, now: float) -> Verdict:
        if not video:
            if queued > AUDIO_BACKLOG:
                self.dropped += 1
                return "drop"
            return "send"
        if queued <= VIDEO_BACKLOG and (keyframe or source not in self._waiting):
            self._waiting.pop(source, None)
            return "send"
        self.dropped += 1
        asked = self._waiting.get(source)
        if asked is None or now - asked >= ASK_SECONDS:
            self._waiting[source] = now
            return "ask"
        return "drop"

    def wait(self, source: int, now: float) -> None:
        """`source` sends nothing until its next keyframe, which the caller has just asked for (a new
        worker's decoder starts at one)."""
        self._waiting[source] = now

    def clear(self) -> None:
        self._waiting.clear()
