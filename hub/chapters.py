"""A recording's chapters from the meeting's event log: each item taken up, each speaker called, each
motion, amendment and procedural motion moved, each vote opened and its result, the meeting opened,
closed, adjourned and resumed. Pure: the caller hands over the log, the meeting (for the items' numbers
and the options' labels) and the recording's parts.

A recording is made of parts (a part per run of the feed: a restart begins a new one), each with the
wall time of its first instant and its length. An event's place in the recording is its time within its
part plus the parts before; an event in a gap between parts, or before the first, falls at the start of
the next part, and of those falling at one instant only the last stands (it is what was on when the
recording took up again); a motion filed counts only if filed while recording (those filed days before
are not what was on). Events after the recording ended are left out. So the chapters follow one another
from 0 to the recording's end, each ending where the next begins.

Titles hold member text (names, titles, questions): `plain` makes each one line without "-->", which
is what a WebVTT cue needs, and the MP4's chapter titles are the same strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.models import Meeting, PollMethod, Procedure

# Longest chapter title kept, in characters.
TITLE_MOST = 200
# Events that say what was filed rather than what is going on: chapters only when filed while recording.
FILINGS = frozenset({"motion.submitted"})


@dataclass(frozen=True)
class Part:
    t0: datetime
    seconds: float


@dataclass(frozen=True)
class Chapter:
    start: float
    end: float
    title: str
    # The event it starts at ("start" for the opening one), and the item it belongs to, if any.
    kind: str
    item_id: str | None = None


def recording_time(at: datetime, parts: Sequence[Part]) -> float | None:
    """Seconds into the recording of a wall time, or None after its end."""
    offset = 0.0
    for part in parts:
        into = (at - part.t0).total_seconds()
        if into < part.seconds:
            return offset + max(into, 0.0)
        offset += part.seconds
    return None


def chapters(meeting: Meeting, events: Sequence[Mapping[str, Any]], parts: Sequence[Part]) -> list[Chapter]:
    total = sum(part.seconds for part in parts)
    if total <= 0:
        return []
    titles = _Titles(meeting)
    marks: list[tuple[float, str, str, str | None]] = []
    for event in events:
        titled = titles(event)
        if titled is None:
            continue
        at = event["at"] if isinstance(event["at"], datetime) else datetime.fromisoformat(event["at"])
        start = recording_time(at, parts)
        if start is None or (event["type"] in FILINGS and not _recorded(at, parts)):
            continue
        while marks and marks[-1][0] >= start:
            marks.pop()  # the same instant (a gap's events): the last stands
        marks.append((start, event["type"], *titled))
    if not marks or marks[0][0] > 0:
        marks.insert(0, (0.0, "start", plain(meeting.title), None))
    ends = [start for start, *_ in marks[1:]] + [total]
    return [
        Chapter(start, end, title, kind, item_id)
        for (start, kind, title, item_id), end in zip(marks, ends, strict=True)
    ]


def _recorded(at: datetime, parts: Sequence[Part]) -> bool:
    return any(0 <= (at - part.t0).total_seconds() < part.seconds for part in parts)


def plain(text: str) -> str:
    """Member text as one line of a chapter title: whitespace runs (line breaks included) become one
    space, and no "-->" (which would end a WebVTT cue's timing) survives."""
    said = " ".join(text.replace("\0", " ").split())[:TITLE_MOST]
    while "-->" in said:
        said = said.replace("-->", "->")
    return said or "-"


def webvtt(chapters: Sequence[Chapter]) -> str:
    """The chapters as a WebVTT chapters track (a `<track kind="chapters">`)."""
    cues = [
        f"{n}\n{_stamp(c.start)} --> {_stamp(c.end)}\n{plain(c.title)}"
        for n, c in enumerate(chapters, start=1)
    ]
    return "\n\n".join(["WEBVTT", *cues]) + "\n"


def _stamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02}:{millis // 60_000 % 60:02}:{millis // 1000 % 60:02}.{millis % 1000:03}"


# The meeting's status changes that start a chapter (from, to).
_STATUS = {
    ("scheduled", "open"): "Meeting opened",
    ("scheduled", "in_session"): "Meeting opened",
    ("open", "in_session"): "In session",
    ("open", "closed"): "Meeting closed",
    ("in_session", "closed"): "Meeting closed",
    ("closed", "open"): "Meeting reopened",
}


# Chapters under an item, whose titles start with its number.
NUMBERED = frozenset(
    {"agenda.selected", "speaker.called", "motion.reply_started", "motion.submitted", "amendment.moved"}
)


class _Titles:
    """Each event's chapter title and item, or None for events that start no chapter."""

    def __init__(self, meeting: Meeting) -> None:
        self.numbers = {item.id: n for n, item in enumerate(meeting.agenda, start=1)}
        self.motions = {m.id: m for m in meeting.motions}
        self.votes = {v.id: v for v in meeting.votes}

    def __call__(self, event: Mapping[str, Any]) -> tuple[str, str | None] | None:
        kind, data = event["type"], event.get("data") or {}
        item = data.get("item_id")
        said = self.said(kind, data)
        if said is None:
            return None
        if item is None and (motion := self.motions.get(str(data.get("motion_id")))) is not None:
            item = motion.item_id
        number = self.numbers.get(item) if isinstance(item, str) else None
        numbered = kind in NUMBERED
        return plain(f"{number}. {said}" if numbered and number else said), item

    def said(self, kind: str, data: Mapping[str, Any]) -> str | None:
        name = str(data.get("name") or "")
        if kind == "agenda.selected":
            return None if data.get("item_id") is None else str(data.get("title") or "")
        if kind == "speaker.called":
            return f"Point of order: {name}" if data.get("kind") == "point_of_order" else name
        if kind == "motion.reply_started":
            return f"Right of reply: {name}"
        if kind == "amendment.moved":
            return f"Amendment by {data.get('mover_name') or ''}"
        if kind == "motion.submitted":
            return f"Motion: {data.get('title') or ''}"
        if kind == "motion.procedural_moved":
            return f"Procedural motion: {data.get('title') or ''}"
        if kind in ("vote.opened", "vote.closed"):
            return self.vote(kind, data)
        if kind == "meeting.status_changed":
            return _STATUS.get((str(data.get("from")), str(data.get("to"))))
        if kind == "meeting.resumed":
            return "Resumed"
        return None

    def vote(self, kind: str, data: Mapping[str, Any]) -> str | None:
        vote = self.votes.get(str(data.get("vote_id")))
        if vote is None or vote.closes_at is not None:
            return None  # advance polls run beside the meeting
        if kind == "vote.opened":
            return f"{'Ballot' if vote.subject.kind == 'election' else 'Vote'}: {vote.question}"
        result = vote.result
        if result is None:
            return None
        if result.outcome == "chosen":
            labels = {o.id: o.label for o in vote.options}
            chosen = ", ".join(labels.get(o, o) for o in result.chosen)
            said = f"{'elected' if vote.method == PollMethod.RANKED else 'chosen'} {chosen}"
        else:
            outcome = "tied" if result.tied and result.casting_vote is None else result.outcome
            counts = "\u2013".join(str(result.counts.get(o.id, 0)) for o in vote.options)
            said = f"{outcome} ({counts})"
        motion = self.motions.get(vote.subject.motion_id or "")
        adjourned = (
            motion is not None and motion.procedure == Procedure.ADJOURN and result.outcome == "carried"
        )
        return f"Result: {said}" + (". Adjourned" if adjourned else "")
