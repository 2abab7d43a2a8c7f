"""A hybrid meeting's hall: members checked in without a device count for quorum once and survive the
grace period, vote by hands the tellers count, and the register and minutes say so."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from pydantic import ValidationError

from hub import attendance, hall, lifecycle, meetings, minutes, motions, register, votes
from hub.commands import (
    AttendanceApologise,
    HallCheckIn,
    HallCheckOut,
    MotionSecond,
    MotionSubmit,
    ParticipantRemove,
    VoteClose,
    VoteHallCount,
    VoteOpen,
)
from hub.errors import HubError
from hub.meetings import Actor, Change
from hub.models import Meeting, MeetingStatus, Quorum, Role, Secrecy, StandingOrders, VoteSubject
from tests.unit.builders import NOON, actor, meeting, present

SECRETARY = actor("m007", Role.SECRETARY, "sec")
CHAIR = actor("m001", Role.CHAIR, "chair")
BEA = hall.Entrant("h001", "Bea Hall", Role.MEMBER)
GRACE = timedelta(seconds=60)


def ok(change: Change | None) -> Meeting:
    assert change is not None
    return change.meeting


def sitting(quorum: int = 2) -> Meeting:
    m = meeting(status=MeetingStatus.OPEN, standing_orders=StandingOrders(quorum=Quorum(value=quorum)))
    return present(m, 1)


def check_in(m: Meeting, entrant: hall.Entrant = BEA) -> Meeting:
    return ok(hall.check_in(m, HallCheckIn(member_id=entrant.member_id), SECRETARY, NOON, entrant))


def test_a_member_in_the_hall_counts_for_quorum_as_one_online_does() -> None:
    m = sitting()
    assert not m.quorum.quorate
    change = hall.check_in(m, HallCheckIn(member_id="h001"), SECRETARY, NOON, BEA)
    assert change is not None and change.type == "hall.checked_in"
    assert change.data == {"member_id": "h001", "name": "Bea Hall", "role": "member"}
    bea = change.meeting.participants["h001"]
    assert bea.hall and bea.attended and not bea.present and bea.sessions == []
    assert change.meeting.quorum.present == 2 and change.meeting.quorum.quorate
    assert change.meeting.presence.hall == 1 and change.meeting.presence.attended == 2
    # Again, nothing changes.
    assert hall.check_in(change.meeting, HallCheckIn(member_id="h001"), SECRETARY, NOON, BEA) is None


def test_only_while_the_meeting_sits_and_never_for_someone_connected_or_removed() -> None:
    for status in (MeetingStatus.SCHEDULED, MeetingStatus.CLOSED):
        with pytest.raises(HubError) as refused:
            check_in(sitting().model_copy(update={"status": status}))
        assert refused.value.code == "attendance.not_sitting"
    closed = lifecycle.as_business(
        lambda m, now: hall.check_in(m, HallCheckIn(member_id="h001"), SECRETARY, now, BEA)
    )
    with pytest.raises(HubError) as refused:
        closed(sitting().model_copy(update={"status": MeetingStatus.CLOSED}), NOON)
    assert refused.value.code == "meeting.closed"
    online = hall.Entrant("p000", "Member p000", Role.MEMBER)
    with pytest.raises(HubError) as refused:
        check_in(sitting(), online)
    assert refused.value.code == "hall.online" and refused.value.details["name"] == "Member p000"
    removed = ok(attendance.remove(check_in(sitting()), ParticipantRemove(member_id="h001"), CHAIR, NOON))
    assert not removed.participants["h001"].hall and removed.quorum.present == 1
    with pytest.raises(HubError) as refused:
        check_in(removed)
    assert refused.value.code == "hall.removed"


def test_checking_in_in_the_hall_withdraws_apologies() -> None:
    m = sitting()
    m = ok(attendance.apologise(m, AttendanceApologise(note="Away"), actor("h001"), NOON))
    assert "h001" in m.apologies
    assert "h001" not in check_in(m).apologies


def test_the_grace_period_never_removes_a_member_in_the_hall_even_after_they_join_online() -> None:
    m = check_in(sitting())
    # Nothing for a sweep or the departures to act on: no connection, no grace period running.
    swept = meetings.sweep(m, None, NOON)
    assert swept is not None and "h001" not in swept.participants
    assert meetings.depart(m, ["h001"], GRACE, NOON + GRACE * 10) is None
    # Bea opens her phone: one person, counted once, and no return in the register.
    phone = actor("h001", Role.MEMBER, "phone")
    joined = meetings.join(m, phone, NOON)
    assert joined is not None and "returned" not in joined.data
    assert joined.meeting.quorum.present == 2 and joined.meeting.participants["h001"].present
    # Her phone drops: no grace period, no departure; she is still in the hall and counted.
    dropped = meetings.leave(joined.meeting, phone, NOON, dropped=True)
    assert dropped is not None and "away" not in dropped.data and "departed" not in dropped.data
    after = dropped.meeting.participants["h001"]
    assert after.hall and after.away_since is None and dropped.meeting.quorum.present == 2
    assert meetings.depart(dropped.meeting, ["h001"], GRACE, NOON + GRACE * 10) is None


def test_a_member_whose_connection_dropped_may_be_checked_in_in_the_hall() -> None:
    m = meeting(status=MeetingStatus.OPEN)
    ana = actor("m002", Role.MEMBER, "s9")
    m = ok(meetings.join(m, ana, NOON))
    m = ok(meetings.leave(m, ana, NOON, dropped=True))
    assert m.participants["m002"].away_since is not None
    m = check_in(m, hall.Entrant("m002", "Member m002", Role.MEMBER))
    ana_now = m.participants["m002"]
    assert ana_now.hall and ana_now.away_since is None and m.quorum.present == 1
    assert meetings.depart(m, ["m002"], GRACE, NOON + GRACE * 2) is None


def test_checking_out_of_the_hall() -> None:
    m = check_in(sitting())
    change = hall.check_out(m, HallCheckOut(member_id="h001"), SECRETARY, NOON)
    assert change is not None and change.data == {"member_id": "h001", "name": "Bea Hall", "departed": True}
    assert change.meeting.quorum.present == 1 and change.meeting.participants["h001"].attended
    assert hall.check_out(change.meeting, HallCheckOut(member_id="h001"), SECRETARY, NOON) is None
    with pytest.raises(HubError) as refused:
        hall.check_out(m, HallCheckOut(member_id="zz9"), SECRETARY, NOON)
    assert refused.value.code == "participant.not_found"
    # Connected online as well, she stays, as a member here online.
    joined = ok(meetings.join(m, actor("h001", Role.MEMBER, "phone"), NOON))
    stays = hall.check_out(joined, HallCheckOut(member_id="h001"), SECRETARY, NOON)
    assert stays is not None and stays.data["departed"] is False and stays.meeting.quorum.present == 2


def test_a_member_in_the_lobby_s_meeting_is_not_held_there_after_a_hall_check_in() -> None:
    m = check_in(sitting()).model_copy(update={"lobby": True})
    joined = ok(meetings.join(m, actor("h001", Role.MEMBER, "phone"), NOON))
    assert not joined.participants["h001"].waiting and joined.participants["h001"].present


def debating(m: Meeting) -> Meeting:
    mover, seconder = actor("p000", session="s0"), actor("m007", Role.SECRETARY, "sec")
    m = motions.submit(m, MotionSubmit(title="Hybrid", text="We meet in halls too."), mover, NOON).meeting
    return motions.second(m, MotionSecond(motion_id=m.motions[0].id), seconder, NOON).meeting


def voting(secrecy: Secrecy = Secrecy.OPEN, in_hall: int = 3) -> Meeting:
    m = present(meeting(status=MeetingStatus.IN_SESSION), 4)
    m = ok(meetings.join(m, actor("m007", Role.SECRETARY, "sec"), NOON))
    for n in range(in_hall):
        m = check_in(m, hall.Entrant(f"h{n:03}", f"Hall {n}", Role.MEMBER))
    m = debating(m)
    subject = VoteSubject(kind="motion", motion_id=m.motions[0].id)
    return votes.open(m, VoteOpen(subject=subject, secrecy=secrecy), CHAIR, NOON).meeting


def test_those_in_the_hall_vote_by_hands_not_in_the_online_box_except_in_a_secret_ballot() -> None:
    m = voting()
    vote = m.votes[0]
    # Online: the four members and the secretary; the hall: three; present: all eight.
    assert (vote.eligible, vote.hall, vote.present) == (5, 3, 8)
    # A member in the hall who also joined online is still not in the online box: no double vote.
    both = ok(meetings.join(m, actor("h000", Role.MEMBER, "phone"), NOON))
    secret = voting(Secrecy.SECRET).votes[0]
    assert "h000" not in votes.electorate(both, vote)
    assert "h000" in votes.electorate(both, secret)
    assert votes.hall_electorate(both, secret) == {}
    assert (secret.eligible, secret.hall, secret.present) == (5, 0, 8)


def count(m: Meeting, by: Actor = SECRETARY, **counts: int) -> Change | None:
    command = VoteHallCount.model_validate({"vote_id": m.votes[0].id, "counts": counts})
    return hall.count(m, command, by, NOON)


def test_hall_counts_are_validated_replaced_and_recorded() -> None:
    m = voting()
    with pytest.raises(HubError) as refused:
        count(m, **{"for": 3, "against": 1})
    assert refused.value.code == "vote.hall_too_many"
    assert refused.value.details == {"vote_id": m.votes[0].id, "counted": 4, "most": 3}
    for bad in ({"for": -1}, {"may be": 1}, {}, {"for": 1.5}, {"for": "two"}):
        with pytest.raises(ValidationError):
            VoteHallCount.model_validate({"vote_id": "v1", "counts": bad})
    with pytest.raises(HubError) as refused:
        count(m, maybe=1)
    assert refused.value.code == "invalid_payload"
    first = count(m, **{"for": 2})
    assert first is not None and first.type == "vote.hall_counted"
    assert first.data["counts"] == {"for": 2, "against": 0, "abstain": 0} and first.data["replaced"] is None
    assert count(first.meeting, **{"for": 2}) is None
    again = count(first.meeting, CHAIR, **{"for": 1, "abstain": 1})
    assert again is not None and again.data["by"] == "Member m001"
    assert again.data["replaced"] == {"counts": {"for": 2, "against": 0, "abstain": 0}, "by": "Member m007"}
    stands = again.meeting.votes[0].hall_count
    assert stands is not None and stands.by_id == "m001" and stands.counts["abstain"] == 1
    with pytest.raises(HubError) as refused:
        count(voting(Secrecy.SECRET), **{"for": 1})
    assert refused.value.code == "vote.hall_secret"


def test_the_hall_count_is_added_to_the_online_ballots_when_the_vote_closes() -> None:
    m = ok(count(voting(), **{"for": 1, "against": 2}))
    vote_id = m.votes[0].id
    closed = votes.close(m, VoteClose(vote_id=vote_id), {"for": 3, "against": 1}, CHAIR, NOON)
    result = closed.meeting.votes[0].result
    assert result is not None
    assert result.counts == {"for": 4, "against": 3, "abstain": 0} and result.outcome == "carried"
    assert result.online == {"for": 3, "against": 1, "abstain": 0}
    assert result.hall == {"for": 1, "against": 2, "abstain": 0}
    with pytest.raises(HubError) as refused:
        count(closed.meeting, **{"for": 1})
    assert refused.value.code == "vote.closed"
    # The hall turns the result: online alone it was carried 3-1; with the hall, 3-4 lost.
    turned = ok(count(voting(), **{"against": 3}))
    lost = votes.close(turned, VoteClose(vote_id=vote_id), {"for": 3, "against": 1}, CHAIR, NOON)
    assert lost.data["result"]["outcome"] == "lost" and lost.data["result"]["counts"]["against"] == 4
    # Without a hall count, the result is the online count alone.
    plain = votes.close(voting(), VoteClose(vote_id=vote_id), {"for": 3}, CHAIR, NOON)
    assert plain.meeting.votes[0].result is not None and plain.meeting.votes[0].result.hall is None


def log(changes: list[Change]) -> list[dict[str, object]]:
    return [
        {"type": c.type, "data": c.data, "at": (NOON + timedelta(minutes=n)).isoformat(), "actor": "m001"}
        for n, c in enumerate(changes)
    ]


def test_the_register_marks_those_in_the_hall_with_their_comings_and_goings() -> None:
    m = sitting()
    bea = hall.check_in(m, HallCheckIn(member_id="h001"), SECRETARY, NOON, BEA)
    out = hall.check_out(ok(bea), HallCheckOut(member_id="h001"), SECRETARY, NOON)
    back = hall.check_in(ok(out), HallCheckIn(member_id="h001"), SECRETARY, NOON, BEA)
    assert bea is not None and out is not None and back is not None
    rows = list(
        csv.reader(
            io.StringIO(register.to_csv(back.meeting, register.entries(back.meeting, log([bea, out, back]))))
        )
    )
    assert rows[0][-1] == "attended"
    (row,) = [r for r in rows if r[0] == "h001"]
    assert row[1:6] == [
        "Bea Hall",
        "member",
        "2027-03-13 12:00:00",
        "2027-03-13 12:01:00",
        "2027-03-13 12:02:00",
    ]
    assert row[-1] == "in the hall"


def test_minutes_name_those_in_the_hall_and_count_online_and_hall_apart() -> None:
    m = voting(in_hall=2)
    events = [
        {
            "type": "hall.checked_in",
            "data": {"member_id": f"h{n:03}", "name": f"Hall {n}"},
            "at": NOON.isoformat(),
        }
        for n in range(2)
    ]
    m = ok(count(m, **{"for": 1, "against": 1}))
    vote_id = m.votes[0].id
    closed = votes.close(m, VoteClose(vote_id=vote_id), {"for": 4, "against": 1}, CHAIR, NOON)
    events += [
        {
            "type": "vote.opened",
            "data": {"vote_id": vote_id, "motion_id": m.motions[0].id},
            "at": NOON.isoformat(),
        },
        {"type": "vote.closed", "data": closed.data, "at": NOON.isoformat()},
    ]
    text = minutes.draft(closed.meeting, events)
    assert "Attended in the hall (2): Hall 0, Hall 1." in text
    assert "Present (6):" in text
    assert (
        "CARRIED by show of hands (in all for 5, against 2, abstain 0: online for 4, against 1, abstain 0;"
        " in the hall for 1, against 1, abstain 0, counted by Member m007)"
    ) in text
