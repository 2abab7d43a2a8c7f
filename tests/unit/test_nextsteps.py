"""The chair's "what next" from the meeting's state (hub/nextsteps.py)."""

from __future__ import annotations

from hub.models import Meeting, MeetingStatus, QueueEntry
from hub.nextsteps import next_steps
from tests.unit.builders import meeting
from tests.unit.test_deltas import PROLOGUE


def kinds(m: Meeting) -> list[str]:
    return [s.step for s in next_steps(m)]


def test_before_during_and_after_the_meeting() -> None:
    assert kinds(meeting()) == ["open", "not_quorate", "take_up"]
    assert next_steps(meeting())[1].warning
    closed = meeting(status=MeetingStatus.CLOSED)
    assert kinds(closed) == ["closed"]


def test_a_seconded_motion_on_the_item_is_put_after_the_movers_reply() -> None:
    m = PROLOGUE[-1][1].meeting  # in session, quorate, an item with a seconded motion mo2
    steps = next_steps(m)
    assert [s.step for s in steps] == ["reply"] and steps[0].motion_id == "mo2"
    replied = m.model_copy(update={"motions": [m.motions[0].model_copy(update={"reply_given": True})]})
    assert [(s.step, s.blocked) for s in next_steps(replied)] == [("put", None)]
    # Below quorum the hub would refuse the vote: the step says so before the chair tries.
    few = replied.model_copy(update={"presence": replied.presence.model_copy(update={"voting": 1})})
    assert [(s.step, s.blocked) for s in next_steps(few)] == [("not_quorate", None), ("put", "not_quorate")]


def test_the_queue_comes_first() -> None:
    m = PROLOGUE[-1][1].meeting
    entry = QueueEntry(
        id="q9",
        member_id="m003",
        name="Member m003",
        kind="point_of_order",
        rule="SO 7",
        requested_at=m.starts_at,
        reason="point_of_order",
    )
    queued = m.model_copy(update={"agenda": [m.agenda[0].model_copy(update={"queue": [entry]})]})
    first = next_steps(queued)[0]
    assert (first.step, first.name, first.rule) == ("call_poo", "Member m003", "SO 7")
