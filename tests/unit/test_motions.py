from __future__ import annotations

import pytest

from hub import motions
from hub.commands import (
    AmendmentMove,
    AmendmentSecond,
    AmendmentWithdraw,
    MotionAllowWithdrawal,
    MotionProcedural,
    MotionReply,
    MotionSecond,
    MotionSubmit,
    MotionWithdraw,
)
from hub.errors import HubError
from hub.models import AgendaItem, AmendmentKind, Meeting, Procedure, Role
from tests.unit.builders import NOON, actor, meeting

CHAIR = actor("m001", Role.CHAIR)
MOVER, SECONDER, OTHER = actor("mover"), actor("seconder"), actor("other")
TEXT = "This branch resolves to campaign for votes for life."


def submitted(text: str = TEXT) -> Meeting:
    """A motion submitted under agenda item a1, the item under discussion."""
    m = meeting(agenda=[AgendaItem(id="a1", title="Motions")], current_item="a1")
    return motions.submit(m, MotionSubmit(title="Votes for life", text=text), MOVER, NOON).meeting


def seconded() -> Meeting:
    return motions.second(submitted(), MotionSecond(motion_id="mo1"), SECONDER, NOON).meeting


def refused(code: str, call: object, *args: object) -> None:
    with pytest.raises(HubError) as error:
        call(*args)  # type: ignore[operator]
    assert error.value.code == code


def test_submit_and_second() -> None:
    m = seconded()
    motion = m.motions[0]
    assert (motion.status, motion.mover_id, motion.seconder_id) == ("seconded", "mover", "seconder")
    assert motion.original_text == TEXT


def test_the_mover_cannot_second_and_nobody_seconds_twice() -> None:
    refused("motion.own_motion", motions.second, submitted(), MotionSecond(motion_id="mo1"), MOVER, NOON)
    refused("motion.already_seconded", motions.second, seconded(), MotionSecond(motion_id="mo1"), OTHER, NOON)


def test_withdrawal_before_seconding_is_immediate_after_it_needs_consent() -> None:
    change = motions.withdraw(submitted(), MotionWithdraw(motion_id="mo1"), MOVER, NOON)
    assert change.meeting.motions[0].status == "withdrawn"
    requested = motions.withdraw(seconded(), MotionWithdraw(motion_id="mo1"), MOVER, NOON)
    assert requested.meeting.motions[0].status == "withdrawal_requested"
    allowed = motions.allow_withdrawal(requested.meeting, MotionAllowWithdrawal(motion_id="mo1"), CHAIR, NOON)
    assert allowed.meeting.motions[0].status == "withdrawn"
    assert allowed.data["consent"] is True
    refused("forbidden", motions.withdraw, seconded(), MotionWithdraw(motion_id="mo1"), OTHER, NOON)


def test_amendment_to_a_withdrawn_motion_is_refused() -> None:
    m = motions.withdraw(submitted(), MotionWithdraw(motion_id="mo1"), MOVER, NOON).meeting
    amend = AmendmentMove(motion_id="mo1", kind=AmendmentKind.DELETE, target=" for life")
    refused("motion.not_open", motions.move_amendment, m, amend, OTHER, NOON)


def test_amendment_must_name_words_in_the_text() -> None:
    amend = AmendmentMove(motion_id="mo1", kind=AmendmentKind.REPLACE, target="for ever", text="x")
    refused("amendment.target_not_found", motions.move_amendment, seconded(), amend, OTHER, NOON)


def test_amendment_needs_a_seconder_by_default() -> None:
    amend = AmendmentMove(motion_id="mo1", kind=AmendmentKind.INSERT, target="campaign", text=" hard")
    m = motions.move_amendment(seconded(), amend, OTHER, NOON).meeting
    assert m.motions[0].amendments[0].status == "proposed"
    refused(
        "motion.own_motion",
        motions.second_amendment,
        m,
        AmendmentSecond(motion_id="mo1", amendment_id="am2"),
        OTHER,
        NOON,
    )
    m = motions.second_amendment(m, AmendmentSecond(motion_id="mo1", amendment_id="am2"), MOVER, NOON).meeting
    assert m.motions[0].amendments[0].status == "seconded"
    m = motions.withdraw_amendment(
        m, AmendmentWithdraw(motion_id="mo1", amendment_id="am2"), OTHER, NOON
    ).meeting
    assert m.motions[0].amendments[0].status == "withdrawn"


def test_without_the_seconder_rule_an_amendment_is_ready_at_once() -> None:
    m = seconded()
    m = m.model_copy(
        update={"standing_orders": m.standing_orders.model_copy(update={"amendments_need_seconder": False})}
    )
    amend = AmendmentMove(motion_id="mo1", kind=AmendmentKind.DELETE, target=" for life")
    assert motions.move_amendment(m, amend, OTHER, NOON).meeting.motions[0].amendments[0].status == "seconded"


@pytest.mark.parametrize(
    ("kind", "target", "text", "expected"),
    [
        (
            AmendmentKind.INSERT,
            "campaign",
            " loudly",
            "This branch resolves to campaign loudly for votes for life.",
        ),
        (AmendmentKind.INSERT, "", " Now.", TEXT + " Now."),
        (AmendmentKind.DELETE, " for life", "", "This branch resolves to campaign for votes."),
        (AmendmentKind.REPLACE, "branch", "meeting", "This meeting resolves to campaign for votes for life."),
        # Words join as a reader expects, however the amendment was typed.
        ("insert", "campaign", "loudly", "This branch resolves to campaign loudly for votes for life."),
        ("insert", "", "Now.", TEXT + " Now."),
        ("delete", "for life", "", "This branch resolves to campaign for votes."),
        ("delete", "campaign", "", "This branch resolves to for votes for life."),
        ("delete", "This ", "", "branch resolves to campaign for votes for life."),
        ("replace", "for life", "", "This branch resolves to campaign for votes."),
        ("insert", "votes", ", loudly,", "This branch resolves to campaign for votes, loudly, for life."),
    ],
)
def test_amend_text(kind: AmendmentKind, target: str, text: str, expected: str) -> None:
    from hub.models import Amendment

    amendment = Amendment(id="am1", mover_id="x", mover_name="X", kind=kind, target=target, text=text)
    assert motions.amend_text(TEXT, amendment) == expected


def test_procedural_motion_needs_an_open_target_and_only_one_at_a_time() -> None:
    m = seconded()
    refused(
        "motion.target_required",
        motions.procedural,
        m,
        MotionProcedural(procedure=Procedure.QUESTION_BE_NOW_PUT),
        OTHER,
        NOON,
    )
    put = motions.procedural(
        m, MotionProcedural(procedure=Procedure.QUESTION_BE_NOW_PUT, target_id="mo1"), OTHER, NOON
    )
    procedural = put.meeting.motions[1]
    assert (procedural.title, procedural.target_id) == ("That the question be now put", "mo1")
    m = motions.second(put.meeting, MotionSecond(motion_id=procedural.id), SECONDER, NOON).meeting
    assert motions.pending_procedural(m) is not None
    refused(
        "motion.procedural_pending",
        motions.procedural,
        m,
        MotionProcedural(procedure=Procedure.ADJOURN),
        OTHER,
        NOON,
    )
    refused(
        "amendment.not_allowed",
        motions.move_amendment,
        m,
        AmendmentMove(motion_id=procedural.id, kind=AmendmentKind.DELETE, target="the"),
        OTHER,
        NOON,
    )


def test_right_of_reply_gives_the_mover_the_floor_once() -> None:
    change = motions.reply(seconded(), MotionReply(motion_id="mo1"), CHAIR, NOON)
    assert change.meeting.speech is not None and change.meeting.speech.member_id == "mover"
    refused("motion.reply_given", motions.reply, change.meeting, MotionReply(motion_id="mo1"), CHAIR, NOON)


def test_emergency_motion_awaits_admission() -> None:
    m = motions.submit(
        meeting(), MotionSubmit(title="E", text="Urgent.", emergency=True), MOVER, NOON
    ).meeting
    m = motions.second(m, MotionSecond(motion_id="mo1"), SECONDER, NOON).meeting
    assert m.motions[0].status == "awaiting_admission"
    assert m.motions[0].seconder_id == "seconder"
