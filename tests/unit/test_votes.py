from __future__ import annotations

import pytest
from pydantic import ValidationError

from hub import agenda, meetings, motions, polls, votes
from hub.commands import (
    AgendaRemove,
    AgendaSelect,
    AmendmentMove,
    AmendmentSecond,
    MotionProcedural,
    MotionSecond,
    MotionSubmit,
    SpeakerPointOfOrder,
    VoteClose,
    VoteOpen,
)
from hub.errors import HubError
from hub.models import (
    AgendaItem,
    AmendmentKind,
    Majority,
    Meeting,
    MeetingStatus,
    PointOfOrder,
    Procedure,
    Quorum,
    Role,
    Secrecy,
    Speech,
    VoteSubject,
)
from tests.unit.builders import NOON, actor, meeting, present

CHAIR = actor("m001", Role.CHAIR)
MOVER, SECONDER = actor("p000"), actor("p001")
TEXT = "This branch resolves to campaign for votes for life."


def debating(members: int = 10) -> Meeting:
    m = present(meeting(), members)
    m = motions.submit(m, MotionSubmit(title="Votes for life", text=TEXT), MOVER, NOON).meeting
    return motions.second(m, MotionSecond(motion_id="mo1"), SECONDER, NOON).meeting


def on_motion(motion_id: str = "mo1", secrecy: Secrecy = Secrecy.OPEN, weights: bool = False) -> VoteOpen:
    return VoteOpen(subject=VoteSubject(kind="motion", motion_id=motion_id), secrecy=secrecy, weights=weights)


def test_vote_opened_below_quorum_is_refused_and_says_why() -> None:
    with pytest.raises(HubError) as refused:
        votes.open(debating(members=4), on_motion(), CHAIR, NOON)
    assert refused.value.code == "vote.not_quorate"
    assert refused.value.details == {"required": 5, "present": 4, "quorate": False}


def test_quorum_can_be_a_fraction_of_the_electorate() -> None:
    m = debating(members=4)
    orders = m.standing_orders.model_copy(update={"quorum": Quorum(kind="fraction", value=0.1)})
    m = m.model_copy(update={"standing_orders": orders, "electorate": 40})
    assert m.quorum.required == 4 and m.quorum.quorate
    assert votes.open(m, on_motion(), CHAIR, NOON).meeting.votes[0].eligible == 4


def test_open_records_the_electorate_and_only_one_vote_at_a_time() -> None:
    change = votes.open(debating(), on_motion(), CHAIR, NOON)
    vote = change.meeting.votes[0]
    assert (vote.eligible, vote.present, vote.majority) == (10, 10, Majority.SIMPLE)
    with pytest.raises(HubError) as refused:
        votes.open(change.meeting, on_motion(), CHAIR, NOON)
    assert refused.value.code == "vote.already_open"


def test_card_vote_weights_by_delegates() -> None:
    m = debating().model_copy(update={"card_weights": {"p000": 12, "p001": 3}})
    vote = votes.open(m, on_motion(weights=True), CHAIR, NOON).meeting.votes[0]
    assert vote.eligible == 12 + 3 + 8


def test_observers_and_absent_members_are_not_in_the_electorate() -> None:
    m = present(debating(), 2, Role.OBSERVER)
    left = meetings.leave(m, actor("p002", session="s2"), NOON)
    assert left is not None
    poll = votes.open(left.meeting, on_motion(), CHAIR, NOON).meeting.votes[0]
    assert set(votes.electorate(left.meeting, poll)) == {f"p{n:03}" for n in range(10)} - {"p002"}


def test_amendments_are_decided_before_the_motion() -> None:
    m = motions.move_amendment(
        debating(),
        AmendmentMove(motion_id="mo1", kind=AmendmentKind.DELETE, target=" for life"),
        actor("p005"),
        NOON,
    ).meeting
    m = motions.second_amendment(
        m, AmendmentSecond(motion_id="mo1", amendment_id="am2"), actor("p006"), NOON
    ).meeting
    with pytest.raises(HubError) as refused:
        votes.open(m, on_motion(), CHAIR, NOON)
    assert refused.value.code == "motion.amendments_pending"
    amendment_vote = VoteOpen(subject=VoteSubject(kind="amendment", motion_id="mo1", amendment_id="am2"))
    opened = votes.open(m, amendment_vote, CHAIR, NOON).meeting
    closed = votes.close(opened, VoteClose(vote_id="v3"), {"for": 6, "against": 3}, CHAIR, NOON)
    motion = closed.meeting.motions[0]
    assert motion.text == "This branch resolves to campaign for votes."
    assert motion.amendments[0].status == "carried"
    assert motion.history[0].before == TEXT
    assert closed.data["effect"].startswith("The amendment was carried")
    # Now the motion itself can be put.
    assert votes.open(closed.meeting, on_motion(), CHAIR, NOON).meeting.votes[-1].status == "open"


def test_unseconded_amendments_lapse_when_the_motion_is_put() -> None:
    m = motions.move_amendment(
        debating(),
        AmendmentMove(motion_id="mo1", kind=AmendmentKind.DELETE, target=" for life"),
        actor("p005"),
        NOON,
    ).meeting
    opened = votes.open(m, on_motion(), CHAIR, NOON).meeting
    assert opened.motions[0].amendments[0].status == "fallen"


@pytest.mark.parametrize(
    ("counts", "casting", "outcome", "tied"),
    [
        ({"for": 6, "against": 4, "abstain": 9}, None, "carried", False),
        ({"for": 4, "against": 6}, None, "lost", False),
        ({"for": 5, "against": 5}, None, "lost", True),
        ({"for": 5, "against": 5}, "for", "carried", True),
        ({"for": 5, "against": 5}, "against", "lost", True),
        ({}, None, "lost", True),
    ],
)
def test_simple_majority_with_and_without_casting_vote(
    counts: dict[str, int], casting: str | None, outcome: str, tied: bool
) -> None:
    result = polls.yes_no(counts, Majority.SIMPLE, 20, casting)  # type: ignore[arg-type]
    assert (result.outcome, result.tied) == (outcome, tied)
    assert result.casting_vote == (casting if tied else None)
    assert "Simple majority" in result.rule


def test_casting_vote_is_ignored_without_a_tie() -> None:
    assert polls.yes_no({"for": 6, "against": 4}, Majority.SIMPLE, 10, "against").outcome == "carried"


def test_two_thirds_rules() -> None:
    assert polls.yes_no({"for": 10, "against": 5}, Majority.TWO_THIRDS_CAST, 30, None).outcome == "carried"
    assert polls.yes_no({"for": 9, "against": 5}, Majority.TWO_THIRDS_CAST, 30, None).outcome == "lost"
    assert polls.yes_no({"for": 19, "against": 0}, Majority.TWO_THIRDS_PRESENT, 30, None).outcome == "lost"
    assert polls.yes_no({"for": 20, "against": 0}, Majority.TWO_THIRDS_PRESENT, 30, None).outcome == "carried"


def procedural(m: Meeting, procedure: Procedure, target: str | None = "mo1") -> Meeting:
    m = motions.procedural(
        m, MotionProcedural(procedure=procedure, target_id=target), actor("p007"), NOON
    ).meeting
    return motions.second(m, MotionSecond(motion_id=m.motions[-1].id), actor("p008"), NOON).meeting


def test_procedural_motion_is_decided_first() -> None:
    m = procedural(debating(), Procedure.NEXT_BUSINESS)
    with pytest.raises(HubError) as refused:
        votes.open(m, on_motion(), CHAIR, NOON)
    assert refused.value.code == "motion.procedural_pending"
    opened = votes.open(m, VoteOpen(subject=VoteSubject(kind="procedural", motion_id="mo2")), CHAIR, NOON)
    closed = votes.close(opened.meeting, VoteClose(vote_id="v3"), {"for": 7, "against": 2}, CHAIR, NOON)
    assert [mo.status for mo in closed.meeting.motions] == ["dropped", "carried"]


def test_question_be_now_put_closes_the_debate() -> None:
    from hub import agenda
    from hub.commands import AgendaAdd, AgendaSelect

    m = agenda.add(meeting(), AgendaAdd(title="Motion"), CHAIR, NOON).meeting
    m = agenda.select(m, AgendaSelect(item_id="a1"), CHAIR, NOON).meeting  # type: ignore[union-attr]
    m = present(m, 10)
    m = motions.submit(m, MotionSubmit(title="Votes for life", text=TEXT), MOVER, NOON).meeting
    m = motions.second(m, MotionSecond(motion_id="mo2"), SECONDER, NOON).meeting
    m = procedural(m, Procedure.QUESTION_BE_NOW_PUT, "mo2")
    # Someone has the floor when the closure is put: carried, it ends their speech too.
    speaking = Speech(item_id="a1", member_id="p003", name="Member p003", kind="speech", limit_seconds=180)
    m = m.model_copy(update={"speech": speaking})
    opened = votes.open(m, VoteOpen(subject=VoteSubject(kind="procedural", motion_id="mo3")), CHAIR, NOON)
    closed = votes.close(opened.meeting, VoteClose(vote_id="v4"), {"for": 7, "against": 2}, CHAIR, NOON)
    assert closed.meeting.speech is None
    assert closed.meeting.agenda[0].queue_open is False
    assert closed.meeting.motions[0].status == "seconded"
    assert "question is put" in closed.data["effect"]


def test_challenge_to_the_chair_needs_two_thirds_of_those_present() -> None:
    m = procedural(debating(members=12), Procedure.CHALLENGE_CHAIR, None)
    opened = votes.open(m, VoteOpen(subject=VoteSubject(kind="procedural", motion_id="mo2")), CHAIR, NOON)
    assert opened.meeting.votes[0].majority == Majority.TWO_THIRDS_PRESENT
    closed = votes.close(opened.meeting, VoteClose(vote_id="v3"), {"for": 7, "against": 0}, CHAIR, NOON)
    assert closed.data["result"]["outcome"] == "lost"


def test_a_challenge_names_the_ruling_it_overturns() -> None:
    m = debating(members=12)
    heard = PointOfOrder(
        id="q9",
        item_id="a1",
        member_id="p003",
        name="Member p003",
        rule="SO 7",
        point="Off topic.",
        heard_at=NOON,
        upheld=False,
        ruling="In order.",
        ruled_at=NOON,
    )
    m = m.model_copy(update={"points": [heard]})
    with pytest.raises(HubError) as unknown:
        motions.procedural(
            m, MotionProcedural(procedure=Procedure.CHALLENGE_CHAIR, target_id="q1"), actor("p007"), NOON
        )
    assert unknown.value.code == "point.not_found"
    m = motions.procedural(
        m, MotionProcedural(procedure=Procedure.CHALLENGE_CHAIR, target_id="q9"), actor("p007"), NOON
    ).meeting
    assert m.motions[-1].target_id == "q9"
    m = motions.second(m, MotionSecond(motion_id=m.motions[-1].id), actor("p008"), NOON).meeting
    subject = VoteSubject(kind="procedural", motion_id=m.motions[-1].id)
    opened = votes.open(m, VoteOpen(subject=subject), CHAIR, NOON)
    closed = votes.close(opened.meeting, VoteClose(vote_id="v3"), {"for": 12, "against": 0}, CHAIR, NOON)
    assert closed.meeting.points[0].overturned
    assert "ruling on the point of order from Member p003 was overturned" in closed.data["effect"]


def test_adjournment_closes_the_meeting() -> None:
    m = procedural(debating(), Procedure.ADJOURN, None)
    opened = votes.open(m, VoteOpen(subject=VoteSubject(kind="procedural", motion_id="mo2")), CHAIR, NOON)
    closed = votes.close(opened.meeting, VoteClose(vote_id="v3"), {"for": 7}, CHAIR, NOON)
    assert closed.meeting.status == MeetingStatus.CLOSED
    # As when the chair closes it: nothing is left under discussion, and no business follows.
    assert closed.meeting.current_item is None and closed.meeting.speech is None


@pytest.mark.parametrize("rule", ["", "   ", "-", "...", "—"])
def test_a_point_of_order_cites_a_real_reference(rule: str) -> None:
    with pytest.raises(ValidationError):
        SpeakerPointOfOrder(rule=rule, point="The speaker is off the motion.")
    with pytest.raises(ValidationError):
        SpeakerPointOfOrder(rule="SO 7.2", point=rule)
    assert SpeakerPointOfOrder(rule="  SO 7.2 ", point=" Off the motion ").rule == "SO 7.2"


def test_emergency_motion_is_admitted_by_a_vote() -> None:
    m = present(meeting(), 10)
    m = motions.submit(m, MotionSubmit(title="E", text="Urgent.", emergency=True), MOVER, NOON).meeting
    with pytest.raises(HubError):
        votes.open(m, on_motion(), CHAIR, NOON)
    opened = votes.open(m, VoteOpen(subject=VoteSubject(kind="admission", motion_id="mo1")), CHAIR, NOON)
    closed = votes.close(opened.meeting, VoteClose(vote_id="v2"), {"for": 7}, CHAIR, NOON)
    assert closed.meeting.motions[0].status == "proposed"


def test_a_closed_vote_cannot_close_again() -> None:
    opened = votes.open(debating(), on_motion(), CHAIR, NOON)
    closed = votes.close(opened.meeting, VoteClose(vote_id="v2"), {"for": 1}, CHAIR, NOON)
    with pytest.raises(HubError) as refused:
        votes.close(closed.meeting, VoteClose(vote_id="v2"), {"for": 1}, CHAIR, NOON)
    assert refused.value.code == "vote.closed"


def prepared() -> Meeting:
    """A motion submitted and seconded on the second item while the meeting is still scheduled."""
    items = [AgendaItem(id="a1", title="Reports"), AgendaItem(id="a2", title="Motion 1")]
    m = present(meeting(agenda=items, serial=2), 10)
    assert m.status == MeetingStatus.SCHEDULED
    submit = MotionSubmit(title="Votes for life", text=TEXT, item_id="a2")
    m = motions.submit(m, submit, MOVER, NOON).meeting
    return motions.second(m, MotionSecond(motion_id="mo3"), SECONDER, NOON).meeting


def opened(m: Meeting) -> Meeting:
    """The meeting opened, everyone present checked in, and its first item taken up."""
    here = {member: p.model_copy(update={"attended": True}) for member, p in m.participants.items()}
    m = meetings.with_participants(m.model_copy(update={"status": MeetingStatus.OPEN}), here)
    return agenda.select(m, AgendaSelect(item_id="a1"), CHAIR, NOON).meeting  # type: ignore[union-attr]


def test_a_motion_prepared_on_an_item_waits_for_that_item() -> None:
    m = prepared()
    motion = motions.find(m, "mo3")
    assert (motion.item_id, motion.status) == ("a2", "seconded")
    assert (motion.mover_id, motion.seconder_id) == ("p000", "p001")
    m = opened(m)
    # Amendments may be moved ahead, but neither they nor the motion are put before the item.
    amend = AmendmentMove(motion_id="mo3", kind=AmendmentKind.INSERT, target="campaign", text="loudly")
    m = motions.move_amendment(m, amend, actor("p002"), NOON).meeting
    second = AmendmentSecond(motion_id="mo3", amendment_id="am4")
    m = motions.second_amendment(m, second, actor("p003"), NOON).meeting
    on_amendment = VoteOpen(subject=VoteSubject(kind="amendment", motion_id="mo3", amendment_id="am4"))
    for subject in (on_motion("mo3"), on_amendment):
        with pytest.raises(HubError) as refused:
            votes.open(m, subject, CHAIR, NOON)
        assert refused.value.code == "motion.not_current_item"
        assert refused.value.details == {"motion_id": "mo3", "item_id": "a2"}
    # Nor with no item current.
    with pytest.raises(HubError):
        votes.open(m.model_copy(update={"current_item": None}), on_amendment, CHAIR, NOON)
    # Once its item is removed from the agenda, it is on no item and waits for none.
    removed = agenda.remove(m, AgendaRemove(item_id="a2"), CHAIR, NOON).meeting
    assert votes.open(removed, on_amendment, CHAIR, NOON).meeting.votes[0].subject.motion_id == "mo3"
    m = agenda.select(m, AgendaSelect(item_id="a2"), CHAIR, NOON).meeting  # type: ignore[union-attr]
    assert votes.open(m, on_amendment, CHAIR, NOON).meeting.votes[0].subject.motion_id == "mo3"


def test_a_motion_moved_live_belongs_to_the_current_item_and_procedural_motions_need_not_wait() -> None:
    m = opened(prepared())
    live = motions.submit(m, MotionSubmit(title="Thanks", text="Thanks to the officers."), MOVER, NOON)
    assert live.data["item_id"] == "a1" and motions.find(live.meeting, "mo4").item_id == "a1"
    put = MotionProcedural(procedure=Procedure.QUESTION_BE_NOW_PUT, target_id="mo3")
    m = motions.procedural(m, put, actor("p004"), NOON).meeting
    m = motions.second(m, MotionSecond(motion_id="mo4"), actor("p005"), NOON).meeting
    m = m.model_copy(update={"current_item": None})  # the procedural motion was moved on a1
    put_now = votes.open(m, VoteOpen(subject=VoteSubject(kind="procedural", motion_id="mo4")), CHAIR, NOON)
    assert put_now.meeting.votes[0].subject.motion_id == "mo4"
