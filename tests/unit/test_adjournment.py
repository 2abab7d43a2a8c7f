"""Adjournment to a stated time: the motion's time is checked, carried it suspends the meeting with its
state, business is refused until then, and the meeting resumes once, at its time or earlier by the chair;
the minutes record both. Carried without a time it closes the meeting (tests/unit/test_votes.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from hub import lifecycle, motions, speakers, votes
from hub.commands import (
    MeetingResume,
    MeetingSetStatus,
    MotionProcedural,
    MotionSecond,
    MotionSubmit,
    SpeakerRequest,
    VoteClose,
    VoteOpen,
)
from hub.errors import HubError
from hub.events import EVENTS
from hub.minutes import draft
from hub.models import (
    AgendaItem,
    Meeting,
    MeetingStatus,
    Procedure,
    Quorum,
    Role,
    Speech,
    StandingOrders,
    VoteSubject,
)
from hub.tokens import Links
from tests.unit.builders import NOON, actor, meeting, present

CHAIR = actor("m001", Role.CHAIR)
UNTIL = NOON + timedelta(minutes=30)
LATER = NOON + timedelta(minutes=5)


def adjourn(until: datetime | None) -> MotionProcedural:
    return MotionProcedural(procedure=Procedure.ADJOURN, until=until)


def debating() -> Meeting:
    """In session on a1, with a speech running since noon, a member waiting to speak and a motion."""
    item = AgendaItem(id="a1", title="Motions", seconds_used=60, opened_at=NOON)
    speech = Speech(
        item_id="a1", member_id="p005", name="Member p005", kind="speech", limit_seconds=180, started_at=NOON
    )
    # Quorate whoever has checked in: the quorum is not what these tests are about.
    orders = StandingOrders(quorum=Quorum(value=0))
    m = present(meeting(standing_orders=orders), 10).model_copy(
        update={"status": MeetingStatus.IN_SESSION, "agenda": [item], "current_item": "a1"}
    )
    m = speakers.request(m, SpeakerRequest(), actor("p004"), NOON).meeting
    m = motions.submit(m, MotionSubmit(title="Votes for life", text="Resolves."), actor("p000"), NOON).meeting
    return m.model_copy(update={"speech": speech})


def carried(m: Meeting, until: datetime | None, at: datetime = LATER) -> tuple[Meeting, str]:
    m = motions.procedural(m, adjourn(until), actor("p007"), NOON).meeting
    motion_id = m.motions[-1].id
    m = motions.second(m, MotionSecond(motion_id=motion_id), actor("p008"), NOON).meeting
    subject = VoteSubject(kind="procedural", motion_id=motion_id)
    m = votes.open(m, VoteOpen(subject=subject), CHAIR, NOON).meeting
    closed = votes.close(m, VoteClose(vote_id=m.votes[-1].id), {"for": 8}, CHAIR, at)
    return closed.meeting, closed.data["effect"]


@pytest.mark.parametrize(
    "until", [NOON, NOON - timedelta(minutes=1), NOON + lifecycle.ADJOURN_LIMIT + timedelta(seconds=1)]
)
def test_an_adjournment_is_to_a_time_ahead_and_within_a_fortnight(until: datetime) -> None:
    with pytest.raises(HubError) as refused:
        motions.procedural(debating(), adjourn(until), actor("p007"), NOON)
    assert refused.value.code == "motion.adjourn_time"
    assert refused.value.details == {
        "until": until.isoformat(),
        "latest": (NOON + lifecycle.ADJOURN_LIMIT).isoformat(),
    }
    latest = NOON + lifecycle.ADJOURN_LIMIT
    moved = motions.procedural(debating(), adjourn(latest), actor("p007"), NOON)
    assert moved.meeting.motions[-1].until == latest
    assert moved.data["until"] == latest.isoformat()


def test_only_an_adjournment_states_a_time_and_the_time_carries_its_offset() -> None:
    with pytest.raises(ValidationError):
        MotionProcedural(procedure=Procedure.NEXT_BUSINESS, target_id="mo1", until=UNTIL)
    with pytest.raises(ValidationError):
        MotionProcedural.model_validate({"procedure": "adjourn", "until": "2027-03-13T12:30:00"})
    stated = MotionProcedural.model_validate({"procedure": "adjourn", "until": "2027-03-13T13:30:00+01:00"})
    assert stated.until == UNTIL and stated.until.tzinfo == UTC


def test_carried_with_a_time_the_meeting_is_adjourned_with_its_state() -> None:
    before = debating()
    m, effect = carried(before, UNTIL)
    assert m.status == MeetingStatus.IN_SESSION and m.adjourned_until == UNTIL
    assert effect == "The meeting was adjourned until 12:30 on Saturday 13 March 2027 (Europe/London)."
    # No speech running: the speaker's five minutes so far are kept for when it goes on.
    assert m.speech is not None and m.speech.started_at is None and m.speech.elapsed_seconds == 300
    # The item's clock stopped with its time banked; the item, its speakers and the motions are kept.
    assert m.current_item == "a1" and m.agenda[0].opened_at is None and m.agenda[0].seconds_used == 360
    assert m.agenda[0].queue == before.agenda[0].queue
    assert m.motions[0] == before.motions[0]
    assert m.next_steps[0].step == "adjourned" and len(m.next_steps) == 1


def test_an_adjourned_meeting_refuses_business_until_its_time() -> None:
    m, _ = carried(debating(), UNTIL)
    business = lifecycle.as_business(lambda m, now: None)
    with pytest.raises(HubError) as refused:
        business(m, UNTIL - timedelta(seconds=1))
    assert refused.value.code == "meeting.adjourned"
    assert refused.value.details == {"until": UNTIL.isoformat()}
    assert "12:30 on Saturday 13 March 2027 (Europe/London)" in refused.value.message
    # Its time has come but nothing has resumed it yet: the edge resumes it and runs the command again.
    with pytest.raises(lifecycle.ResumeDue):
        business(m, UNTIL)
    # Resuming is not business, nor are the chat and the minutes.
    for allowed in ("meeting.resume", "chat.send", "minutes.draft", "meeting.join"):
        assert not EVENTS[allowed].business


def test_at_its_time_it_resumes_where_it_was_once() -> None:
    m, _ = carried(debating(), UNTIL)
    assert lifecycle.resume_due(m, UNTIL - timedelta(seconds=1)) is None
    later = UNTIL + timedelta(seconds=3)
    change = lifecycle.resume_due(m, later)
    assert change is not None and change.type == "meeting.resumed"
    assert change.data == {"adjourned_until": UNTIL.isoformat(), "early": False}
    resumed = change.meeting
    assert resumed.adjourned_until is None and resumed.status == MeetingStatus.IN_SESSION
    # The item's clock runs again; the paused speech waits for the chair.
    assert resumed.agenda[0].opened_at == later and resumed.agenda[0].seconds_used == 360
    assert resumed.speech is not None and resumed.speech.started_at is None
    assert lifecycle.as_business(lambda m, now: None)(resumed, later) is None
    # A second timer, or another process, finds nothing to do.
    assert lifecycle.resume_due(resumed, later) is None
    assert lifecycle.resume(resumed, MeetingResume(), CHAIR, later) is None


def test_the_chair_may_resume_it_sooner() -> None:
    m, _ = carried(debating(), UNTIL)
    change = lifecycle.resume(m, MeetingResume(), CHAIR, LATER)
    assert change is not None and change.data["early"] is True
    assert change.meeting.adjourned_until is None and change.meeting.agenda[0].opened_at == LATER


def test_closing_an_adjourned_meeting_ends_the_adjournment() -> None:
    m, _ = carried(debating(), UNTIL)
    closing = MeetingSetStatus(status=MeetingStatus.CLOSED)
    closed = lifecycle.set_status(m, closing, CHAIR, LATER)
    assert closed is not None
    assert closed.meeting.status == MeetingStatus.CLOSED and closed.meeting.adjourned_until is None
    assert lifecycle.resume_due(closed.meeting, UNTIL) is None


def test_the_minutes_record_the_adjournment_its_time_and_the_resumption() -> None:
    m, _ = carried(debating(), UNTIL)

    def at(minutes: int) -> str:
        return (NOON + timedelta(minutes=minutes)).isoformat()

    motion_id, vote_id = m.motions[-1].id, m.votes[-1].id
    events = [
        {
            "type": "vote.closed",
            "at": at(5),
            "data": {"vote_id": vote_id, "motion_id": motion_id, "result": {"outcome": "carried"}},
        },
        {
            "type": "meeting.resumed",
            "at": at(20),
            "data": {"adjourned_until": UNTIL.isoformat(), "early": True},
        },
    ]
    text = draft(m, events)
    assert "The meeting was adjourned until 12:30 on Saturday 13 March." in text
    adjourned = text.index("The meeting was adjourned at 12:05 until 12:30 on Saturday 13 March.")
    assert adjourned < text.index("The chair resumed the meeting at 12:20.")
    events[-1] = {**events[-1], "at": at(31), "data": {"adjourned_until": UNTIL.isoformat(), "early": False}}
    assert "The meeting resumed at 12:31." in draft(m, events)


def test_a_projector_link_is_no_other_kind_of_link() -> None:
    links = Links("secret")
    expires = NOON + timedelta(days=1)
    token = links.issue_projector("agm", expires)
    claims = links.read_projector(token, NOON)
    assert (claims.meeting_id, claims.member_id, claims.expires_at) == ("agm", "", expires)
    assert links.read_any(token, NOON).token_id == claims.token_id
    for read in (links.read, links.read_home):
        with pytest.raises(HubError) as refused:
            read(token, NOON)
        assert refused.value.code == "auth.invalid_token"
    with pytest.raises(HubError) as refused:
        links.read_projector(links.issue("m001", "agm", expires), NOON)
    assert refused.value.code == "auth.invalid_token"
    with pytest.raises(HubError) as refused:
        links.read_projector(token, expires)
    assert refused.value.code == "auth.expired_token"
