"""Checking in, the grace period after a dropped connection, and the register."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from hub import attendance, lifecycle, meetings, register
from hub.commands import AttendanceApologise, AttendanceCheckIn, MeetingSetStatus
from hub.errors import HubError
from hub.meetings import Change
from hub.models import Meeting, MeetingStatus, Quorum, Role, StandingOrders
from tests.unit.builders import NOON, actor, meeting

ANA = actor("m002")
GRACE = timedelta(seconds=60)


def ok(change: Change | None) -> Meeting:
    assert change is not None
    return change.meeting


def sitting(status: MeetingStatus = MeetingStatus.OPEN) -> Meeting:
    """Ana is here (not checked in); a quorum of one."""
    m = meeting(status=status, standing_orders=StandingOrders(quorum=Quorum(value=1)))
    return ok(meetings.join(m, ANA, NOON))


def test_check_in_only_while_the_meeting_sits() -> None:
    for status in (MeetingStatus.SCHEDULED, MeetingStatus.CLOSED):
        with pytest.raises(HubError) as refused:
            attendance.check_in(sitting(status), AttendanceCheckIn(), ANA, NOON)
        assert refused.value.code == "attendance.not_sitting"
    # The edge refuses it as business once closed, with the reason every closed meeting gives.
    closed = lifecycle.as_business(lambda m, now: attendance.check_in(m, AttendanceCheckIn(), ANA, now))
    with pytest.raises(HubError) as refused:
        closed(sitting(MeetingStatus.CLOSED), NOON)
    assert refused.value.code == "meeting.closed"
    for status in (MeetingStatus.OPEN, MeetingStatus.IN_SESSION):
        change = attendance.check_in(sitting(status), AttendanceCheckIn(), ANA, NOON)
        assert change is not None and change.type == "attendance.checked_in"
        assert change.data == {"member_id": "m002", "name": "Member m002", "role": "member"}


def test_joining_counts_nobody_and_checking_in_counts_once() -> None:
    m = sitting()
    assert m.presence.present == 1 and m.quorum.present == 0 and not m.quorum.quorate
    checked = ok(attendance.check_in(m, AttendanceCheckIn(), ANA, NOON))
    assert checked.participants["m002"].attended and checked.quorum.present == 1 and checked.quorum.quorate
    # A retry changes nothing.
    assert attendance.check_in(checked, AttendanceCheckIn(), ANA, NOON) is None


def test_checking_in_withdraws_apologies_and_then_none_are_taken() -> None:
    m = ok(attendance.apologise(sitting(), AttendanceApologise(note="Train"), ANA, NOON))
    assert "m002" in m.apologies
    checked = ok(attendance.check_in(m, AttendanceCheckIn(), ANA, NOON))
    assert checked.apologies == {}
    with pytest.raises(HubError) as refused:
        attendance.apologise(checked, AttendanceApologise(note="Leaving"), ANA, NOON)
    assert refused.value.code == "attendance.checked_in"


def test_opening_checks_in_the_officer_who_opens_and_nobody_else() -> None:
    chair, secretary = actor("m001", Role.CHAIR, "c"), actor("m003", Role.SECRETARY, "s")
    m = meeting()
    for who in (chair, secretary, ANA):
        m = ok(meetings.join(m, who, NOON))
    opened = ok(lifecycle.set_status(m, MeetingSetStatus(status=MeetingStatus.OPEN), chair, NOON))
    assert {p for p, x in opened.participants.items() if x.attended} == {"m001"}


def test_a_dropped_connection_keeps_its_place_for_the_grace_period() -> None:
    m = ok(attendance.check_in(sitting(), AttendanceCheckIn(), ANA, NOON))
    dropped = meetings.leave(m, ANA, NOON, dropped=True)
    assert dropped is not None and dropped.data == {"member_id": "m002", "connections": 0, "away": True}
    ana = dropped.meeting.participants["m002"]
    assert ana.present and ana.sessions == [] and ana.away_since == NOON
    assert dropped.meeting.quorum.present == 1
    # Not yet: the grace period runs.
    assert meetings.depart(dropped.meeting, ["m002"], GRACE, NOON + GRACE - timedelta(seconds=1)) is None
    # Back within it: nothing changes but the connection, and it is no return.
    back = meetings.join(dropped.meeting, actor("m002", session="s2"), NOON + timedelta(seconds=20))
    assert back is not None and "returned" not in back.data
    assert back.meeting.participants["m002"].away_since is None and back.meeting.quorum.present == 1
    assert meetings.depart(back.meeting, ["m002"], GRACE, NOON + GRACE * 2) is None


def test_after_the_grace_period_they_have_gone_and_coming_back_is_a_return() -> None:
    m = ok(attendance.check_in(sitting(), AttendanceCheckIn(), ANA, NOON))
    dropped = ok(meetings.leave(m, ANA, NOON, dropped=True))
    # Several drops may name the same member: they go once.
    gone = meetings.depart(dropped, ["m002", "m002", "nobody"], GRACE, NOON + GRACE)
    assert gone is not None and gone.type == "attendance.departed"
    assert gone.data == {"member_ids": ["m002"], "left_at": {"m002": NOON.isoformat()}}
    ana = gone.meeting.participants["m002"]
    assert not ana.present and ana.attended and ana.away_since is None
    assert gone.meeting.quorum.present == 0
    back = meetings.join(gone.meeting, actor("m002", session="s3"), NOON + GRACE * 2)
    assert back is not None and back.data["returned"] is True and back.meeting.quorum.present == 1


def test_a_deliberate_leave_goes_at_once() -> None:
    m = ok(attendance.check_in(sitting(), AttendanceCheckIn(), ANA, NOON))
    left = meetings.leave(m, ANA, NOON)
    assert left is not None and left.data["departed"] is True
    assert not left.meeting.participants["m002"].present and left.meeting.quorum.present == 0


def test_a_return_among_arrivals_gathered_is_on_the_register_too() -> None:
    at = NOON.isoformat()
    later = (NOON + timedelta(minutes=5)).isoformat()
    events: list[dict[str, Any]] = [
        {"type": "attendance.checked_in", "at": at, "data": {"member_id": "m002", "name": "Ana"}},
        {"type": "participant.left", "at": at, "data": {"member_id": "m002", "departed": True}},
    ]
    gathered = {
        "type": "participants.joined",
        "at": later,
        "data": {"joined": [{"member_id": "m005"}, {"member_id": "m002", "returned": True}]},
    }
    alone = {"type": "participant.joined", "at": later, "data": {"member_id": "m002", "returned": True}}
    rows = register.entries(sitting(), [*events, gathered])
    assert rows == register.entries(sitting(), [*events, alone])
    assert [(r.member_id, r.returned) for r in rows] == [("m002", ["2027-03-13 12:05:00"])]


def test_the_register_lists_arrivals_departures_returns_and_apologies() -> None:
    at = NOON.isoformat()
    later = (NOON + timedelta(minutes=5)).isoformat()
    events = [
        {"type": "attendance.apologised", "at": at, "data": {"member_id": "m009", "name": "=HYPERLINK(1)"}},
        {"type": "attendance.checked_in", "at": at, "data": {"member_id": "m002", "name": "Ana"}},
        {"type": "participant.left", "at": later, "data": {"member_id": "m002", "away": True}},
        {
            "type": "attendance.departed",
            "at": later,
            "data": {"member_ids": ["m002"], "left_at": {"m002": at}},
        },
        {"type": "participant.joined", "at": later, "data": {"member_id": "m002", "returned": True}},
        {"type": "participant.left", "at": later, "data": {"member_id": "m002", "departed": True}},
        # Never checked in: not on the register.
        {"type": "participant.joined", "at": at, "data": {"member_id": "m005", "name": "Bo"}},
    ]
    m = sitting()
    rows = register.entries(m, events)
    # By name ("=" sorts before letters).
    assert [(r.member_id, r.checked_in, r.left, r.returned) for r in rows] == [
        ("m009", "", [], []),
        (
            "m002",
            "2027-03-13 12:00:00",
            ["2027-03-13 12:00:00", "2027-03-13 12:05:00"],
            ["2027-03-13 12:05:00"],
        ),
    ]
    table = list(csv.reader(io.StringIO(register.to_csv(m, rows))))
    assert table[0][:3] == ["member", "name", "role"] and table[0][3] == "checked in at (Europe/London)"
    assert table[2][:3] == ["m002", "Ana", "member"] and table[2][4:6] == [
        "2027-03-13 12:00:00; 2027-03-13 12:05:00",
        "2027-03-13 12:05:00",
    ]
    # A name a spreadsheet would run as a formula is written as text.
    assert table[1][1] == "'=HYPERLINK(1)" and table[1][6] == "2027-03-13 12:00:00"
    assert [register.safe(c) for c in ("+1", "-1", "@a", "\tx", "ok")] == ["'+1", "'-1", "'@a", "'\tx", "ok"]
