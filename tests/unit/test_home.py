"""A member's home: which meetings are listed, in what order, and the calendar feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from hub import home
from hub.calendar import feed
from hub.models import AgendaItem, Branch, MeetingStatus, Member, Minutes, Role
from tests.unit.builders import NOON, meeting

ANA = Member(id="m002", name="Ana", time_zone="America/Lima")
INTL = Branch(id="intl", name="International", roles={"m002": Role.MEMBER, "m001": Role.CHAIR})
OTHER = Branch(id="other", name="Other branch", roles={"m001": Role.MEMBER})
BRANCHES = {"intl": INTL, "other": OTHER}


def test_only_meetings_the_member_is_invited_to_with_their_role_there() -> None:
    own = meeting(id="own")
    foreign = meeting(id="foreign", branch_id="other")
    guest = meeting(id="guest", branch_id="other", roles={"m002": Role.OBSERVER})
    found = home.invitations(ANA, BRANCHES, [own, foreign, guest])
    assert [(i.meeting.id, i.role) for i in found] == [("own", Role.MEMBER), ("guest", Role.OBSERVER)]


def test_a_meeting_of_an_unknown_branch_is_left_out() -> None:
    assert home.invitations(ANA, BRANCHES, [meeting(branch_id="gone")]) == []


def test_upcoming_lists_running_and_future_meetings_soonest_first() -> None:
    later = meeting(id="later", starts_at=NOON + timedelta(days=7))
    soon = meeting(id="soon", starts_at=NOON + timedelta(hours=1))
    running = meeting(id="running", starts_at=NOON - timedelta(days=2), status=MeetingStatus.IN_SESSION)
    late_start = meeting(id="late", starts_at=NOON - timedelta(hours=11))
    stale = meeting(id="stale", starts_at=NOON - timedelta(hours=13))
    closed = meeting(id="closed", starts_at=NOON + timedelta(hours=2), status=MeetingStatus.CLOSED)
    invited = home.invitations(ANA, BRANCHES, [later, soon, running, late_start, stale, closed])
    assert [i.meeting.id for i in home.upcoming(invited, NOON)] == ["running", "late", "soon", "later"]


def test_only_approved_minutes_are_published_newest_meeting_first() -> None:
    def minutes(status: str) -> Minutes:
        return Minutes(text="# Minutes", status=status, drafted_at=NOON)  # type: ignore[arg-type]

    old = meeting(id="old", starts_at=NOON - timedelta(days=60), minutes=minutes("approved"))
    new = meeting(id="new", starts_at=NOON - timedelta(days=30), minutes=minutes("approved"))
    draft = meeting(id="draft", starts_at=NOON - timedelta(days=1), minutes=minutes("draft"))
    none = meeting(id="none", starts_at=NOON - timedelta(days=2))
    invited = home.invitations(ANA, BRANCHES, [old, new, draft, none])
    assert [i.meeting.id for i in home.with_minutes(invited)] == ["new", "old"]


def test_length_adds_up_the_agenda_budgets_or_defaults_to_two_hours() -> None:
    items = [
        AgendaItem(id="a", title="A", minutes_budget=30),
        AgendaItem(id="b", title="B", minutes_budget=45),
    ]
    assert home.length(meeting(agenda=items)) == timedelta(minutes=75)
    assert home.length(meeting(agenda=[AgendaItem(id="a", title="A")])) == timedelta(hours=2)


def test_the_calendar_has_one_event_per_meeting_in_utc_with_its_join_link() -> None:
    agm = meeting(id="agm", time_zone="Asia/Tokyo")
    invited = home.invitations(ANA, BRANCHES, [agm])
    parsed = Calendar.from_ical(feed([(invited[0], "https://hub.example/join/abc")], NOON))
    (event,) = parsed.walk("VEVENT")
    assert str(event["uid"]) == "agm@meeting-hub"
    assert event.decoded("dtstart") == datetime(2027, 3, 13, 13, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2027, 3, 13, 15, 0, tzinfo=UTC)
    assert str(event["summary"]) == "Annual General Meeting (International)"
    assert str(event["url"]) == "https://hub.example/join/abc"
    assert "Asia/Tokyo" in str(event["description"])
