"""The livestream's rules: officers start and stop it and say how it is sent and who may watch."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub import livestream
from hub.commands import LivestreamSet, LivestreamStart, LivestreamStop
from hub.errors import HubError
from hub.models import MeetingStatus
from tests.unit.builders import NOON, actor, meeting

CHAIR = actor("m001")


def test_starting_turns_it_on_with_the_settings_asked_and_keeps_the_rest() -> None:
    started = livestream.start(meeting(), LivestreamStart(quality="360p"), CHAIR, NOON)
    assert started is not None and started.type == "livestream.started"
    live = started.meeting.livestream
    assert live.on and live.started_at == NOON and live.ended_at is None
    assert (live.quality, live.audience, live.record) == ("360p", "branch", True)
    assert started.data == {"quality": "360p", "audience": "branch", "record": True}
    # On already: a retry or a second officer changes nothing.
    assert livestream.start(started.meeting, LivestreamStart(quality="720p"), CHAIR, NOON) is None


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
