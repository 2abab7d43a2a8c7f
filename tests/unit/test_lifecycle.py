"""A meeting's life: closing stops the clocks and is refused with a vote open; a closed meeting does no
business until the chair reopens it, and the minutes record both."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub import lifecycle
from hub.commands import MeetingSetStatus
from hub.errors import HubError
from hub.events import EVENTS
from hub.minutes import draft
from hub.models import AgendaItem, MeetingStatus, Role, Speech, Vote, VoteSubject
from tests.unit.builders import NOON, actor, meeting

CHAIR = actor("m001", Role.CHAIR)


def _status(to: str) -> MeetingSetStatus:
    return MeetingSetStatus(status=MeetingStatus(to))


def test_closing_ends_the_speech_and_stops_the_item_s_clock() -> None:
    item = AgendaItem(id="a1", title="Motions", seconds_used=60, opened_at=NOON)
    speech = Speech(item_id="a1", member_id="m002", name="Member m002", kind="speech", limit_seconds=180)
    sitting = meeting(status="in_session", agenda=[item], current_item="a1", speech=speech)
    change = lifecycle.set_status(sitting, _status("closed"), CHAIR, NOON + timedelta(minutes=5))
    assert change is not None
    closed = change.meeting
    assert (closed.status, closed.speech, closed.current_item) == (MeetingStatus.CLOSED, None, None)
    assert closed.agenda[0].opened_at is None and closed.agenda[0].seconds_used == 360


def test_closing_is_refused_while_a_vote_is_open() -> None:
    vote = Vote(
        id="v1",
        subject=VoteSubject(kind="motion", motion_id="mo1"),
        question="That we win",
        method="hands",
        majority="simple",
        opened_at=NOON,
        eligible=5,
        present=5,
    )
    with pytest.raises(HubError) as refused:
        lifecycle.set_status(meeting(status="in_session", votes=[vote]), _status("closed"), CHAIR, NOON)
    assert refused.value.code == "meeting.vote_open"
    assert refused.value.details == {"vote_id": "v1"}


def test_a_closed_meeting_refuses_business_until_it_is_reopened() -> None:
    closed = meeting(status="closed")
    business = lifecycle.as_business(lambda m, now: None)
    with pytest.raises(HubError) as refused:
        business(closed, NOON)
    assert refused.value.code == "meeting.closed"
    reopened = lifecycle.set_status(closed, _status("open"), CHAIR, NOON)
    assert reopened is not None
    assert business(reopened.meeting, NOON) is None


def test_the_business_a_closed_meeting_refuses() -> None:
    refused = {name for name, declared in EVENTS.items() if declared.business}
    assert {"agenda.select", "speaker.call", "speech.start", "motion.submit", "vote.open"} <= refused
    assert "attendance.apologise" in refused  # and apologies, once there is nothing to be absent from
    # What a closed meeting still does: its minutes, its chat, who is in it, and being reopened.
    for allowed in ("minutes.draft", "minutes.approve", "chat.send", "meeting.join", "meeting.set_status"):
        assert allowed not in refused


def test_the_minutes_record_a_close_and_a_reopening_in_order() -> None:
    def changed(frm: str, to: str, minutes: int) -> dict[str, object]:
        at = (NOON + timedelta(minutes=minutes)).isoformat()
        return {"type": "meeting.status_changed", "data": {"from": frm, "to": to}, "at": at}

    events = [
        changed("in_session", "closed", 0),
        changed("closed", "open", 10),
        changed("open", "closed", 20),
    ]
    text = draft(meeting(status="closed", time_zone="UTC"), events)
    closing = text.index("The meeting closed at 12:00.")
    assert closing < text.index("The chair reopened the meeting at 12:10.") < text.index("closed at 12:20.")
