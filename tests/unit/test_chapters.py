"""A recording's chapters from the event log, mapped onto its parts, and written as WebVTT."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from hub import lifecycle, motions
from hub.chapters import Chapter, Part, chapters, plain, recording_time, webvtt
from hub.commands import MeetingResume, MeetingSetStatus, MotionProcedural, MotionSecond
from hub.models import AgendaItem, MeetingStatus, Procedure, VoteSubject
from tests.unit.builders import NOON, meeting
from tests.unit.test_minutes import CHAIR, MEMBERS, agm, debate, put

HOUR = Part(NOON, 3600)


def titles(found: list[Chapter]) -> list[tuple[float, str]]:
    return [(c.start / 60, c.title) for c in found]


def test_the_chapters_of_a_debate_follow_the_log() -> None:
    run = debate()  # one event a minute from 12:01
    assert titles(chapters(run.meeting, run.events, [HOUR])) == [
        (0, "Annual General Meeting"),
        (1, "Meeting opened"),
        (2, "3. Motions"),
        (3, "3. Motion: Votes for life"),
        (5, "3. Amendment by Member p002"),
        (6, "3. Amendment by Member p003"),
        (7, "3. Amendment by Member p004"),
        (10, "Vote: Amendment to “Votes for life” moved by Member p003"),
        (11, "Result: carried (5\u20131\u20130)"),
        (13, "3. Member p004"),
        (14, "Procedural motion: That the question be now put"),
        (16, "Vote: That the question be now put"),
        (17, "Result: carried (6\u20130\u20130)"),
        (18, "Vote: Votes for life"),
        (19, "Result: tied (3\u20133\u20130)"),
        (20, "2. Reports"),
        (21, "2. Motion: Thanks"),
        (23, "Meeting closed"),
    ]


def test_each_chapter_knows_its_event_and_item() -> None:
    run = debate()
    found = chapters(run.meeting, run.events, [HOUR])
    assert (found[2].kind, found[2].item_id) == ("agenda.selected", "a3")
    assert (found[9].kind, found[9].item_id) == ("speaker.called", "a3")
    assert (found[0].kind, found[0].item_id) == ("start", None)
    assert found[-1].end == 3600


def test_an_adjournment_and_the_resumption() -> None:
    run = agm()
    run(lifecycle.set_status, MeetingSetStatus(status=MeetingStatus.OPEN), CHAIR)
    until = NOON + timedelta(hours=2)
    adjourn = MotionProcedural(procedure=Procedure.ADJOURN, until=until)
    moved = run(motions.procedural, adjourn, MEMBERS[0]).data["motion_id"]
    run(motions.second, MotionSecond(motion_id=moved), MEMBERS[1])
    put(run, VoteSubject(kind="procedural", motion_id=moved), {"for": 5})
    run(lifecycle.resume, MeetingResume(), CHAIR)
    assert [c.title for c in chapters(run.meeting, run.events, [HOUR])][-3:] == [
        "Vote: That the meeting be adjourned",
        "Result: carried (5\u20130\u20130). Adjourned",
        "Resumed",
    ]


def event(type_: str, at: datetime, **data: Any) -> dict[str, Any]:
    return {"type": type_, "actor": "m001", "at": at.isoformat(), "data": data}


M = meeting(agenda=[AgendaItem(id="a1", title="Reports"), AgendaItem(id="a2", title="Motions")])


def called(name: str, minutes: float) -> dict[str, Any]:
    return event("speaker.called", NOON + timedelta(minutes=minutes), item_id="a2", name=name, kind="speech")


def test_events_between_parts_fall_at_the_next_parts_start_and_the_last_stands() -> None:
    parts = [Part(NOON, 600), Part(NOON + timedelta(minutes=15), 600)]
    events = [called("Ana", 2), called("Ben", 11), called("Cat", 12), called("Dee", 16), called("Eve", 26)]
    assert titles(chapters(M, events, parts)) == [
        (0, "Annual General Meeting"),
        (2, "2. Ana"),
        (10, "2. Cat"),  # Ben and Cat spoke while nothing was recorded: Cat had the floor on its return
        (11, "2. Dee"),
    ]  # Eve spoke after the recording ended


def test_what_was_on_before_the_recording_began_opens_it() -> None:
    selected = event("agenda.selected", NOON - timedelta(hours=1), item_id="a2", title="Motions")
    filed = event("motion.submitted", NOON - timedelta(minutes=30), item_id="a2", title="Old", motion_id="x")
    found = chapters(M, [selected, filed, called("Ana", 5)], [HOUR])
    assert titles(found) == [(0, "2. Motions"), (5, "2. Ana")]


def test_a_recording_of_nothing_has_no_chapters() -> None:
    assert chapters(M, [called("Ana", 1)], []) == []


def test_recording_time() -> None:
    parts = [Part(NOON, 60), Part(NOON + timedelta(minutes=5), 30)]
    assert recording_time(NOON - timedelta(days=1), parts) == 0
    assert recording_time(NOON + timedelta(seconds=59.5), parts) == 59.5
    assert recording_time(NOON + timedelta(minutes=2), parts) == 60
    assert recording_time(NOON + timedelta(minutes=5, seconds=10), parts) == 70
    assert recording_time(NOON + timedelta(minutes=5, seconds=30), parts) is None


# WebVTT.


CUE_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$")


def parse(text: str) -> list[tuple[float, float, str]]:
    """A WebVTT chapters file read as a browser reads it: blocks apart by blank lines, an optional cue
    identifier, the timing line, then the cue's text up to the next blank line."""
    lines = text.split("\n")
    assert lines[0] == "WEBVTT"
    cues = []
    for block in "\n".join(lines[1:]).strip("\n").split("\n\n"):
        rows = block.split("\n")
        if "-->" not in rows[0]:
            rows = rows[1:]
        timing = CUE_TIME.match(rows[0])
        assert timing is not None, rows[0]
        n = [int(g) for g in timing.groups()]
        start = n[0] * 3600 + n[1] * 60 + n[2] + n[3] / 1000
        end = n[4] * 3600 + n[5] * 60 + n[6] + n[7] / 1000
        assert all("-->" not in row for row in rows[1:])
        cues.append((start, end, "\n".join(rows[1:])))
    return cues


def test_webvtt_of_a_debate() -> None:
    run = debate()
    text = webvtt(chapters(run.meeting, run.events, [HOUR]))
    assert text.startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:01:00.000\nAnnual General Meeting\n\n2\n")
    assert parse(text)[-1] == (1380, 3600, "Meeting closed")


def test_member_text_cannot_break_a_cue() -> None:
    forged = "Ana\n\n00:00:00.000 --> 99:00:00.000\nForged -->  <b>&amp;</b>\r\x00"
    text = webvtt(chapters(M, [called(forged, 1)], [HOUR]))
    assert parse(text)[1] == (60, 3600, "2. Ana 00:00:00.000 -> 99:00:00.000 Forged -> <b>&amp;</b>")
    assert plain("--->") == "->" and plain("\n") == "-"


names = st.text(st.characters(codec="utf-8"), max_size=40)


@given(
    st.lists(st.tuples(st.floats(min_value=-600, max_value=4000), names), max_size=30),
    st.lists(st.tuples(st.floats(min_value=0, max_value=600), st.floats(0.5, 900)), min_size=1, max_size=4),
)
def test_chapters_cover_the_recording_in_order_and_read_back(
    spoken: list[tuple[float, str]], runs: list[tuple[float, float]]
) -> None:
    parts, t = [], NOON
    for gap, seconds in runs:
        t += timedelta(seconds=gap)
        parts.append(Part(t, seconds))
        t += timedelta(seconds=seconds)
    events = [called(name, seconds / 60) for seconds, name in sorted(spoken, key=lambda s: s[0])]
    found = chapters(M, events, parts)
    total = sum(p.seconds for p in parts)
    assert found[0].start == 0 and found[-1].end == total
    assert all(a.end == b.start for a, b in itertools.pairwise(found))
    assert all(c.start < c.end for c in found)
    assert all(c.title == plain(c.title) and "\n" not in c.title and "-->" not in c.title for c in found)
    cues = parse(webvtt(found))
    assert [title for *_, title in cues] == [c.title for c in found]
    assert all(
        abs(start - c.start) <= 0.0005 and abs(end - c.end) <= 0.0005
        for (start, end, _), c in zip(cues, found, strict=True)
    )
