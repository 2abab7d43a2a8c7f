from __future__ import annotations

from datetime import timedelta

import pytest

from hub import lifecycle, meetings
from hub.commands import MeetingSetStatus
from hub.errors import HubError
from hub.models import MeetingStatus, Role
from tests.unit.builders import NOON, actor, meeting


def test_join_adds_a_present_participant() -> None:
    change = meetings.join(meeting(), actor(), NOON)
    assert change is not None
    assert change.type == "participant.joined"
    joined = change.meeting.participants["m002"]
    assert joined.present and joined.sessions == ["s1"] and joined.first_joined_at == NOON
    assert change.data == {"member_id": "m002", "name": "Member m002", "connections": 1}


def test_join_on_the_same_connection_again_changes_nothing() -> None:
    change = meetings.join(meeting(), actor(), NOON)
    assert change is not None
    assert meetings.join(change.meeting, actor(), NOON) is None


def test_second_connection_keeps_one_participant_and_first_join_time() -> None:
    first = meetings.join(meeting(), actor(), NOON)
    assert first is not None
    later = NOON + timedelta(minutes=5)
    second = meetings.join(first.meeting, actor(session="s2"), later)
    assert second is not None
    participant = second.meeting.participants["m002"]
    assert participant.sessions == ["s1", "s2"]
    assert participant.first_joined_at == NOON and participant.last_seen_at == later
    assert second.data["connections"] == 2


def test_arrivals_together_are_the_joins_one_after_another_in_one_change() -> None:
    """Connections gathered into one change (a big room's storm) end as their joins one by one would:
    a member's second connection counted on the first, one already joined left out, one removed
    refused by session, and the lobby holding those it would hold."""
    start = meetings.join(meeting(lobby=True), actor("m009", session="s9"), NOON)
    assert start is not None
    m = start.meeting.model_copy(update={"removed": ["m005"], "admitted": ["m002", "m003"]})
    arriving = [
        actor("m002", session="s1"),
        actor("m002", session="s2"),
        actor("m003", session="s3"),
        actor("m005", session="s5"),
        actor("m009", session="s9"),
        actor("m004", session="s4"),
    ]
    change, refused = meetings.arrive(m, arriving, NOON)
    assert change is not None and change.type == "participants.joined"
    assert set(refused) == {"s5"} and refused["s5"].code == "auth.removed"
    one_by_one = m
    for a in arriving:
        if a.member_id != "m005":
            joined = meetings.join(one_by_one, a, NOON)
            one_by_one = joined.meeting if joined is not None else one_by_one
    assert change.meeting.participants == one_by_one.participants
    assert change.meeting.presence == one_by_one.presence
    assert set(change.participants) == {"m002", "m003", "m004"}
    assert change.data["joined"] == [
        {"member_id": "m002", "name": "Member m002", "connections": 1},
        {"member_id": "m002", "name": "Member m002", "connections": 2},
        {"member_id": "m003", "name": "Member m003", "connections": 1},
        {"member_id": "m004", "name": "Member m004", "connections": 1, "waiting": True},
    ]


def test_arrivals_that_change_nothing_make_no_change() -> None:
    first = meetings.join(meeting(), actor(), NOON)
    assert first is not None
    assert meetings.arrive(first.meeting, [actor()], NOON) == (None, {})


def test_leave_of_last_connection_marks_absent_but_keeps_the_record() -> None:
    joined = meetings.join(meeting(), actor(), NOON)
    assert joined is not None
    left = meetings.leave(joined.meeting, actor(), NOON + timedelta(hours=1))
    assert left is not None and left.type == "participant.left"
    participant = left.meeting.participants["m002"]
    assert participant.present is False and participant.sessions == []


def test_leave_of_one_of_two_connections_keeps_the_member_present() -> None:
    one = meetings.join(meeting(), actor(), NOON)
    assert one is not None
    two = meetings.join(one.meeting, actor(session="s2"), NOON)
    assert two is not None
    left = meetings.leave(two.meeting, actor(), NOON)
    assert left is not None
    assert left.meeting.participants["m002"].present is True
    assert left.data["connections"] == 1


def test_leave_without_join_changes_nothing() -> None:
    assert meetings.leave(meeting(), actor(), NOON) is None


def test_public_view_hides_connection_ids() -> None:
    joined = meetings.join(meeting(), actor(), NOON)
    assert joined is not None
    view = joined.meeting.public_view()
    assert "sessions" not in view["participants"]["m002"]
    assert view["starts_at"] == "2027-03-13T13:00:00Z"


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (MeetingStatus.SCHEDULED, MeetingStatus.OPEN),
        (MeetingStatus.OPEN, MeetingStatus.IN_SESSION),
        (MeetingStatus.IN_SESSION, MeetingStatus.CLOSED),
        (MeetingStatus.OPEN, MeetingStatus.SCHEDULED),
        (MeetingStatus.CLOSED, MeetingStatus.OPEN),
    ],
)
def test_allowed_status_changes(start: MeetingStatus, to: MeetingStatus) -> None:
    change = lifecycle.set_status(
        meeting(status=start), MeetingSetStatus(status=to), actor(role=Role.CHAIR), NOON
    )
    assert change is not None
    assert change.meeting.status == to
    assert change.data == {"from": start.value, "to": to.value, "quorum": change.meeting.quorum.model_dump()}


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION),
        (MeetingStatus.CLOSED, MeetingStatus.IN_SESSION),
        (MeetingStatus.IN_SESSION, MeetingStatus.SCHEDULED),
    ],
)
def test_refused_status_changes(start: MeetingStatus, to: MeetingStatus) -> None:
    with pytest.raises(HubError) as refused:
        lifecycle.set_status(meeting(status=start), MeetingSetStatus(status=to), actor(), NOON)
    assert refused.value.code == "meeting.bad_transition"


def test_setting_the_same_status_changes_nothing() -> None:
    assert lifecycle.set_status(meeting(), MeetingSetStatus(status="scheduled"), actor(), NOON) is None


def test_standing_orders_can_change_until_voting_begins() -> None:
    from hub.commands import MeetingSetStandingOrders
    from hub.models import StandingOrders, Vote, VoteSubject

    orders = StandingOrders(speech_seconds=120)
    change = meetings.set_standing_orders(
        meeting(), MeetingSetStandingOrders(standing_orders=orders), actor(), NOON
    )
    assert change is not None and change.meeting.standing_orders.speech_seconds == 120
    voted = change.meeting.model_copy(
        update={
            "votes": [
                Vote(
                    id="v1",
                    subject=VoteSubject(kind="motion", motion_id="mo1"),
                    question="Q",
                    method="hands",
                    majority="simple",
                    opened_at=NOON,
                    eligible=1,
                    present=1,
                )
            ]
        }
    )
    with pytest.raises(HubError) as refused:
        meetings.set_standing_orders(
            voted, MeetingSetStandingOrders(standing_orders=StandingOrders()), actor(), NOON
        )
    assert refused.value.code == "meeting.standing_orders_fixed"


def test_joining_and_opening_check_in_only_the_officer_who_opens() -> None:
    early = meetings.join(meeting(), actor("m1", Role.CHAIR, session="a"), NOON)
    assert early is not None
    stayed = meetings.join(early.meeting, actor("m2", session="b"), NOON)
    assert stayed is not None
    opened = lifecycle.set_status(
        stayed.meeting, MeetingSetStatus(status="open"), actor("m1", Role.CHAIR, session="a"), NOON
    )
    assert opened is not None
    assert opened.meeting.participants["m1"].attended
    assert not opened.meeting.participants["m2"].attended
    late = meetings.join(opened.meeting, actor("m3", session="c"), NOON)
    assert late is not None and not late.meeting.participants["m3"].attended
    assert late.meeting.quorum.present == 1 and late.meeting.presence.present == 3


def test_sweep_forgets_the_connections_of_a_restarted_node() -> None:
    m = meeting()
    for member, session in [("m1", "a:1/x"), ("m2", "b:2/y"), ("m3", "a:1/z")]:
        change = meetings.join(m, actor(member, session=session), NOON)
        assert change is not None
        m = change.meeting
    swept = meetings.sweep(m, "a:1", NOON)
    assert swept is not None and swept.data["member_ids"] == ["m1", "m3"]
    # Left with no connection, they keep their place for the grace period, as after any drop.
    assert swept.data["away"] == ["m1", "m3"]
    assert {k for k, p in swept.meeting.participants.items() if p.sessions} == {"m2"}
    assert {k for k, p in swept.meeting.participants.items() if p.away_since == NOON} == {"m1", "m3"}
    assert meetings.sweep(swept.meeting, "a:1", NOON) is None
    everyone = meetings.sweep(m, None, NOON)
    assert everyone is not None and not any(p.sessions for p in everyone.meeting.participants.values())
    gone = meetings.depart(
        everyone.meeting, ["m1", "m2", "m3"], timedelta(seconds=60), NOON + timedelta(minutes=1)
    )
    assert gone is not None and not any(p.present for p in gone.meeting.participants.values())
