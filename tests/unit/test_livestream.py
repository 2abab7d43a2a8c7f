"""The livestream's rules: officers start and stop it and say how it is sent and who may watch; the hub
says when a recording is finished, and the minutes link each item to its time in it."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import ValidationError

from hub import livestream, minutes
from hub.chapters import Part
from hub.commands import LivestreamPush, LivestreamSet, LivestreamStart, LivestreamStop
from hub.errors import HubError
from hub.models import RECORDINGS_MOST, MeetingStatus, Recording, RecordingPart
from signalling.live import recordings
from tests.unit.builders import NOON, actor, meeting
from tests.unit.test_minutes import debate

CHAIR = actor("m001")


def test_starting_turns_it_on_with_the_settings_asked_and_keeps_the_rest() -> None:
    started = livestream.start(meeting(), LivestreamStart(quality="360p"), CHAIR, NOON)
    assert started is not None and started.type == "livestream.started"
    live = started.meeting.livestream
    assert live.on and live.started_at == NOON and live.ended_at is None
    assert (live.quality, live.audience, live.record, live.language) == ("360p", "branch", True, "en")
    assert started.data == {"quality": "360p", "audience": "branch", "record": True, "language": "en"}
    # On already: a retry or a second officer changes nothing.
    assert livestream.start(started.meeting, LivestreamStart(quality="720p"), CHAIR, NOON) is None


def test_the_captions_speak_the_language_chosen() -> None:
    started = livestream.start(meeting(), LivestreamStart(language="es"), CHAIR, NOON)
    assert started is not None and started.meeting.livestream.language == "es"
    changed = livestream.set_settings(started.meeting, LivestreamSet(language="en"), CHAIR, NOON)
    assert changed is not None and changed.data == {"language": "en"}
    assert changed.meeting.livestream.language == "en"


def test_stopping_ends_it_and_starting_again_begins_anew() -> None:
    started = livestream.start(meeting(), LivestreamStart(), CHAIR, NOON)
    assert started is not None
    later = NOON + timedelta(hours=1)
    stopped = livestream.stop(started.meeting, LivestreamStop(), CHAIR, later)
    assert stopped is not None and stopped.type == "livestream.stopped"
    assert not stopped.meeting.livestream.on and stopped.meeting.livestream.ended_at == later
    assert livestream.stop(stopped.meeting, LivestreamStop(), CHAIR, later) is None
    again = livestream.start(stopped.meeting, LivestreamStart(), CHAIR, later)
    assert again is not None and again.meeting.livestream.started_at == later
    assert again.meeting.livestream.ended_at is None


def test_settings_change_on_or_off_and_say_what_changed() -> None:
    m = meeting()
    changed = livestream.set_settings(m, LivestreamSet(audience="public", record=True), CHAIR, NOON)
    assert changed is not None and changed.type == "livestream.set"
    assert changed.data == {"audience": "public"}
    assert not changed.meeting.livestream.on and changed.meeting.livestream.audience == "public"
    assert livestream.set_settings(changed.meeting, LivestreamSet(audience="public"), CHAIR, NOON) is None


@pytest.mark.parametrize("status", [MeetingStatus.CLOSED, MeetingStatus.CANCELLED])
def test_a_meeting_that_is_over_cannot_start_one(status: MeetingStatus) -> None:
    with pytest.raises(HubError) as refused:
        livestream.start(meeting(status=status), LivestreamStart(), CHAIR, NOON)
    assert refused.value.code == "livestream.meeting_over" and refused.value.details == {
        "status": status.value
    }


# Recordings: the hub says each one finished (or failed), and the minutes link each item to its time.

PARTS = [
    RecordingPart(t0=NOON + timedelta(seconds=30), seconds=570),
    RecordingPart(t0=NOON + timedelta(minutes=15), seconds=900),
]


def recording(status: Literal["ready", "failed"] = "ready", **overrides: Any) -> Recording:
    fields: dict[str, Any] = {
        "id": "20270313T120030Z",
        "started_at": NOON + timedelta(seconds=30),
        "ended_at": NOON + timedelta(minutes=30),
        "seconds": 1470.0,
        "status": status,
        "parts": PARTS if status == "ready" else [],
    }
    return Recording(**{**fields, **overrides})


def test_a_finished_recording_is_kept_once_and_a_failed_one_gives_way_to_it() -> None:
    failed = livestream.recorded(meeting(), recording("failed"), NOON)
    assert failed is not None and failed.type == "recording.failed"
    assert failed.data == {"recording_id": "20270313T120030Z"}
    ready = livestream.recorded(failed.meeting, recording(), NOON)
    assert ready is not None and ready.type == "recording.finished"
    assert ready.data == {"recording_id": "20270313T120030Z", "seconds": 1470.0}
    assert ready.meeting.livestream.recordings == [recording()]
    # Said twice (a hub stopped before it could tidy up): nothing more.
    assert livestream.recorded(ready.meeting, recording(), NOON) is None
    later = livestream.recorded(ready.meeting, recording(id="20270313T150000Z"), NOON)
    assert later is not None and [r.id for r in later.meeting.livestream.recordings] == [
        "20270313T120030Z",
        "20270313T150000Z",
    ]


def test_a_meeting_keeps_its_last_recordings() -> None:
    m = meeting()
    for n in range(RECORDINGS_MOST + 2):
        changed = livestream.recorded(m, recording(id=f"r{n:03}"), NOON)
        assert changed is not None
        m = changed.meeting
    kept = [r.id for r in m.livestream.recordings]
    assert len(kept) == RECORDINGS_MOST and kept[0] == "r002" and kept[-1] == f"r{RECORDINGS_MOST + 1:03}"


def test_the_minutes_link_each_item_to_its_time_in_a_ready_recording() -> None:
    run = debate()  # one event a minute from 12:01: item 3 taken up at 12:02, item 2 at 12:20
    live = run.meeting.livestream.model_copy(update={"recordings": [recording()]})
    text = minutes.draft(run.meeting.model_copy(update={"livestream": live}), run.events)
    # 12:02 is 90 s into the first part; 12:20 is 5 minutes into the second, after the first's 570 s.
    assert "## 3. Motions\n\n[Recording from 0:01:30](/recordings/agm/20270313T120030Z.mp4#t=90)\n" in text
    assert "## 2. Reports\n\n[Recording from 0:14:30](/recordings/agm/20270313T120030Z.mp4#t=870)\n" in text
    # Nothing for a time no part holds, nor for a recording that failed.
    gap = [RecordingPart(t0=NOON + timedelta(minutes=5), seconds=60)]
    for missing in (recording(parts=gap), recording("failed")):
        live = run.meeting.livestream.model_copy(update={"recordings": [missing]})
        assert "[Recording" not in minutes.draft(
            run.meeting.model_copy(update={"livestream": live}), run.events
        )


def test_a_recordings_parts_are_read_in_order_and_a_cut_one_is_ended(tmp_path: Path) -> None:
    """Where each part falls (`part.json`) and how long it lasts (its playlist's segments); a part a crash
    cut is read through a copy of its playlist that ends; a part without a whole segment is left out."""
    head = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="init.mp4"\n'
    listed = {
        "0": "#EXTINF:2.000000,\nseg_00000.m4s\n#EXTINF:1.500000,\nseg_00001.m4s\n#EXT-X-ENDLIST\n",
        "10": "",  # started, and killed before its first segment
        "2": "#EXTINF:2.000000,\nseg_00000.m4s\n#EXTINF:2.000000,\nseg_00001.m4s\n",  # cut by a crash
    }
    made = tmp_path / "agm" / "20270313T120000Z"
    for n, (name, segments) in enumerate(listed.items()):
        part = made / name
        part.mkdir(parents=True)
        (part / "part.json").write_text(json.dumps({"t0": (NOON + timedelta(minutes=n)).isoformat()}))
        (part / "index.m3u8").write_text(head + segments)
    (made / "notes").mkdir()
    found = recordings.pieces(made)
    assert [p.part for p in found] == [Part(NOON, 3.5), Part(NOON + timedelta(minutes=2), 4.0)]
    assert [p.playlist.relative_to(made).as_posix() for p in found] == ["0/index.m3u8", "2/ended.m3u8"]
    assert found[1].playlist.read_text() == head + listed["2"] + "#EXT-X-ENDLIST\n"
    assert (made / "2" / "index.m3u8").read_text() == head + listed["2"]
    # Unfinished while it holds parts (those finished and said lose them).
    assert recordings.unfinished(tmp_path) == [("agm", made)]
    for name in listed:
        shutil.rmtree(made / name)
    assert recordings.unfinished(tmp_path) == []


def test_a_push_address_is_kept_secret_and_its_host_shown() -> None:
    url = "rtmp://a.rtmp.example.com:1935/live2/abcd-secret-key"
    pushed = livestream.push(meeting(), LivestreamPush(url=url), CHAIR, NOON)
    assert pushed is not None and pushed.type == "livestream.push_set"
    assert pushed.data == {"to": "a.rtmp.example.com:1935"}
    assert pushed.meeting.livestream.push_url == url
    # Kept with the meeting, never in what clients see.
    assert "secret" not in json.dumps(pushed.meeting.public_view())
    assert "secret" not in json.dumps(pushed.meeting.view_of("livestream"))
    assert pushed.meeting.view_of("livestream")["push_to"] == "a.rtmp.example.com:1935"
    # The same address again changes nothing; none stops the push.
    assert livestream.push(pushed.meeting, LivestreamPush(url=url), CHAIR, NOON) is None
    stopped = livestream.push(pushed.meeting, LivestreamPush(url=None), CHAIR, NOON)
    assert stopped is not None and stopped.data == {"to": None}
    assert stopped.meeting.livestream.push_url is None and stopped.meeting.livestream.push_to is None


def test_a_push_address_that_is_not_rtmp_is_refused_by_the_command() -> None:
    with pytest.raises(ValidationError, match="rtmp://"):
        LivestreamPush(url="http://live.example.org/app/key")
