from __future__ import annotations

from datetime import timedelta

import pytest

from hub import agenda, speakers
from hub.commands import (
    AgendaAdd,
    AgendaSelect,
    PointRule,
    SpeakerCall,
    SpeakerCloseList,
    SpeakerMove,
    SpeakerPointOfOrder,
    SpeakerRemove,
    SpeakerReopenList,
    SpeakerRequest,
    SpeakerWithdraw,
    SpeechEnd,
    SpeechExtend,
    SpeechPause,
    SpeechStart,
)
from hub.errors import HubError
from hub.meetings import Actor, Change
from hub.models import Meeting, Role
from tests.unit.builders import NOON, actor, meeting

CHAIR = actor("m001", Role.CHAIR)
ANA, BEN, CAT = actor("ana"), actor("ben"), actor("cat")


def debating() -> Meeting:
    m = agenda.add(meeting(), AgendaAdd(title="Motion 1"), CHAIR, NOON).meeting
    selected = agenda.select(m, AgendaSelect(item_id="a1"), CHAIR, NOON)
    assert selected is not None
    return selected.meeting


def ok(change: Change | None) -> Meeting:
    assert change is not None
    return change.meeting


def queue(m: Meeting) -> list[tuple[str, str]]:
    return [(e.member_id, e.reason) for e in agenda.current(m).queue]


def poo(rule: str, point: str) -> SpeakerPointOfOrder:
    return SpeakerPointOfOrder(rule=rule, point=point)


def ask(m: Meeting, who: Actor, minutes: int = 0) -> Meeting:
    return ok(speakers.request(m, SpeakerRequest(stance="for"), who, NOON + timedelta(minutes=minutes)))


def test_requests_queue_in_order_with_reasons() -> None:
    m = ask(ask(debating(), ANA), BEN, 1)
    assert queue(m) == [("ana", "first_time"), ("ben", "first_time")]
    assert agenda.current(m).queue[0].stance == "for"


def test_request_needs_a_current_item() -> None:
    m = agenda.add(meeting(), AgendaAdd(title="Motion 1"), CHAIR, NOON).meeting
    with pytest.raises(HubError) as refused:
        speakers.request(m, SpeakerRequest(), ANA, NOON)
    assert refused.value.code == "agenda.no_current_item"


def test_one_request_per_member() -> None:
    m = ask(debating(), ANA)
    with pytest.raises(HubError) as refused:
        speakers.request(m, SpeakerRequest(), ANA, NOON)
    assert refused.value.code == "speaker.already_queued"


def test_point_of_order_goes_first_and_cites_its_rule() -> None:
    m = ask(ask(debating(), ANA), BEN)
    change = speakers.point_of_order(m, poo("SO 7.2", "Out of order."), CAT, NOON)
    assert change.data["position"] == 0
    assert queue(change.meeting)[0] == ("cat", "point_of_order")
    assert agenda.current(change.meeting).queue[0].rule == "SO 7.2"


def test_point_of_order_while_the_list_is_closed() -> None:
    m = ok(speakers.close_list(ask(debating(), ANA), SpeakerCloseList(), CHAIR, NOON))
    with pytest.raises(HubError) as refused:
        speakers.request(m, SpeakerRequest(), BEN, NOON)
    assert refused.value.code == "speaker.list_closed"
    m = speakers.point_of_order(m, poo("SO 3", "Out of order."), BEN, NOON).meeting
    assert queue(m) == [("ben", "point_of_order"), ("ana", "first_time")]
    m = ok(speakers.reopen_list(m, SpeakerReopenList(), CHAIR, NOON))
    assert ask(m, CAT) is not None


def test_members_who_have_not_spoken_come_before_those_who_have() -> None:
    m = ask(ask(debating(), ANA), BEN, 1)
    m = speakers.call(m, SpeakerCall(), CHAIR, NOON).meeting  # Ana speaks
    m = ask(m, ANA, 2)  # and asks again
    m = ask(m, CAT, 3)  # Cat asks later, but has not spoken
    assert queue(m) == [("ben", "first_time"), ("cat", "first_time"), ("ana", "spoken_before")]


def test_call_takes_the_head_and_starts_the_timer() -> None:
    m = ask(ask(debating(), ANA), BEN)
    change = speakers.call(m, SpeakerCall(), CHAIR, NOON)
    speech = change.meeting.speech
    assert speech is not None
    assert (speech.member_id, speech.started_at, speech.limit_seconds) == ("ana", NOON, 180)
    assert queue(change.meeting) == [("ben", "first_time")]
    assert agenda.current(change.meeting).spoken == {"ana": 1}


def test_call_a_specific_entry_and_end_the_running_speech() -> None:
    m = ask(ask(ask(debating(), ANA), BEN), CAT)
    m = speakers.call(m, SpeakerCall(), CHAIR, NOON).meeting
    cat = agenda.current(m).queue[1].id
    change = speakers.call(m, SpeakerCall(entry_id=cat), CHAIR, NOON + timedelta(seconds=90))
    assert change.data["ended"] == {"member_id": "ana", "name": "Member ana", "seconds": 90}
    assert change.meeting.speech is not None and change.meeting.speech.member_id == "cat"


def test_call_with_an_empty_queue() -> None:
    with pytest.raises(HubError) as refused:
        speakers.call(debating(), SpeakerCall(), CHAIR, NOON)
    assert refused.value.code == "speaker.queue_empty"


def test_chair_moves_and_later_requests_respect_the_order() -> None:
    m = ask(ask(debating(), ANA), BEN)
    ben = agenda.current(m).queue[1].id
    m = ok(speakers.move(m, SpeakerMove(entry_id=ben, position=0), CHAIR, NOON))
    assert queue(m) == [("ben", "moved_by_chair"), ("ana", "first_time")]
    m = ask(m, CAT)
    assert queue(m)[-1] == ("cat", "first_time")


def test_withdraw_own_request_and_chair_removes_others() -> None:
    m = ask(ask(debating(), ANA), BEN)
    m = speakers.withdraw(m, SpeakerWithdraw(), ANA, NOON).meeting
    assert queue(m) == [("ben", "first_time")]
    with pytest.raises(HubError) as refused:
        speakers.withdraw(m, SpeakerWithdraw(), ANA, NOON)
    assert refused.value.code == "speaker.not_in_queue"
    ben = agenda.current(m).queue[0].id
    with pytest.raises(HubError) as forbidden:
        speakers.withdraw(m, SpeakerWithdraw(entry_id=ben), CAT, NOON)
    assert forbidden.value.code == "forbidden"
    m = speakers.remove(m, SpeakerRemove(entry_id=ben), CHAIR, NOON).meeting
    assert queue(m) == []


def test_timer_pause_start_extend_end() -> None:
    m = speakers.call(ask(debating(), ANA), SpeakerCall(), CHAIR, NOON).meeting
    m = ok(speakers.pause(m, SpeechPause(), CHAIR, NOON + timedelta(seconds=30)))
    assert m.speech is not None and (m.speech.started_at, m.speech.elapsed_seconds) == (None, 30)
    assert speakers.pause(m, SpeechPause(), CHAIR, NOON) is None
    m = ok(speakers.start(m, SpeechStart(), CHAIR, NOON + timedelta(minutes=5)))
    m = speakers.extend(m, SpeechExtend(seconds=60), CHAIR, NOON).meeting
    assert m.speech is not None and m.speech.limit_seconds == 240
    end = speakers.end(m, SpeechEnd(), CHAIR, NOON + timedelta(minutes=5, seconds=10))
    assert end.meeting.speech is None
    assert end.data["seconds"] == 40


def test_timer_commands_need_a_speech() -> None:
    with pytest.raises(HubError) as refused:
        speakers.end(debating(), SpeechEnd(), CHAIR, NOON)
    assert refused.value.code == "speech.none"


def balanced() -> Meeting:
    m = debating()
    orders = m.standing_orders.model_copy(update={"alternate_by_gender": True})
    return m.model_copy(update={"standing_orders": orders})


def person(member_id: str, gender: str | None) -> Actor:
    return Actor(member_id=member_id, name=member_id, role=Role.MEMBER, session="s", gender=gender)


def test_alternation_by_gender_brings_a_woman_forward_after_a_man() -> None:
    m = balanced()
    for minute, (who, gender) in enumerate([("al", "man"), ("bo", "man"), ("cy", "woman"), ("di", "man")]):
        m = ask(m, person(who, gender), minute)
    assert queue(m) == [
        ("al", "first_time"),
        ("cy", "alternation"),
        ("bo", "first_time"),
        ("di", "first_time"),
    ]
    m = speakers.call(m, SpeakerCall(), CHAIR, NOON).meeting  # al (a man) speaks
    assert [e for e, _ in queue(m)] == ["cy", "bo", "di"]
    m = speakers.call(m, SpeakerCall(), CHAIR, NOON).meeting  # cy (a woman) speaks
    assert [e for e, _ in queue(m)] == ["bo", "di"]


def test_alternation_keeps_points_of_order_first_and_never_shows_gender() -> None:
    m = ask(ask(balanced(), person("al", "man")), person("cy", "woman"), 1)
    m = speakers.point_of_order(m, poo("SO 2", "Out of order."), person("bo", "man"), NOON).meeting
    assert queue(m)[0] == ("bo", "point_of_order")
    view = m.public_view()
    assert all("balance" not in e for e in view["agenda"][0]["queue"])
    assert "last_balance" not in view["agenda"][0]


def test_without_the_rule_order_is_by_time() -> None:
    m = debating()
    for minute, (who, gender) in enumerate([("al", "man"), ("bo", "man"), ("cy", "woman")]):
        m = ask(m, person(who, gender), minute)
    assert [e for e, _ in queue(m)] == ["al", "bo", "cy"]


def test_a_point_of_order_heard_gets_one_ruling_which_the_chair_is_prompted_for() -> None:
    m = speakers.point_of_order(
        ask(debating(), ANA),
        poo("SO 7.2", "The speaker is off the motion."),
        CAT,
        NOON,
    ).meeting
    entry = agenda.current(m).queue[0]
    assert (entry.rule, entry.point) == ("SO 7.2", "The speaker is off the motion.")
    with pytest.raises(HubError) as unheard:
        speakers.rule_on_point(m, PointRule(point_id=entry.id, upheld=True, ruling="Yes."), CHAIR, NOON)
    assert unheard.value.code == "point.not_found"
    m = speakers.call(m, SpeakerCall(), CHAIR, NOON).meeting
    assert [(p.id, p.name, p.point, p.ruling) for p in m.points] == [
        (entry.id, "Member cat", "The speaker is off the motion.", None)
    ]
    # While Cat puts the point the chair listens; once it is over, it is the chair's to rule on.
    assert "rule" not in [s.step for s in m.next_steps]
    m = ok(speakers.end(m, SpeechEnd(), CHAIR, NOON))
    assert [s.point_id for s in m.next_steps if s.step == "rule"] == [entry.id]
    ruling = PointRule(
        point_id=entry.id, upheld=False, ruling="The speaker is in order: the amendment is relevant."
    )
    change = speakers.rule_on_point(m, ruling, CHAIR, NOON)
    assert change.data["upheld"] is False and change.data["rule"] == "SO 7.2"
    assert change.meeting.points[0].ruling == ruling.ruling
    assert "rule" not in [s.step for s in change.meeting.next_steps]
    with pytest.raises(HubError) as again:
        speakers.rule_on_point(change.meeting, ruling, CHAIR, NOON)
    assert again.value.code == "point.ruled"


def test_a_point_of_order_may_be_withdrawn_until_called() -> None:
    m = speakers.point_of_order(debating(), poo("SO 3", "Quorum."), CAT, NOON).meeting
    entry = agenda.current(m).queue[0]
    m = speakers.withdraw(m, SpeakerWithdraw(entry_id=entry.id), CAT, NOON).meeting
    assert queue(m) == []


def test_the_mover_opens_with_the_mover_s_time_and_replies_with_the_reply_time() -> None:
    from hub import motions
    from hub.commands import MotionReply, MotionSecond, MotionSubmit

    m = debating()
    orders = m.standing_orders.model_copy(update={"mover_seconds": 420, "reply_seconds": 120})
    m = m.model_copy(update={"standing_orders": orders})
    m = motions.submit(m, MotionSubmit(title="Votes", text="We want votes."), ANA, NOON).meeting
    m = motions.second(m, MotionSecond(motion_id=m.motions[0].id), BEN, NOON).meeting
    m = speakers.call(ask(m, ANA), SpeakerCall(), CHAIR, NOON).meeting
    assert m.speech is not None and m.speech.limit_seconds == 420
    m = speakers.call(ask(ask(m, BEN), ANA, 1), SpeakerCall(), CHAIR, NOON).meeting
    assert m.speech is not None and (m.speech.member_id, m.speech.limit_seconds) == ("ben", 180)
    m = speakers.call(m, SpeakerCall(), CHAIR, NOON).meeting
    assert m.speech is not None and (m.speech.member_id, m.speech.limit_seconds) == ("ana", 180)
    replied = motions.reply(m, MotionReply(motion_id=m.motions[0].id), CHAIR, NOON).meeting
    assert replied.speech is not None and replied.speech.limit_seconds == 120


def test_speakers_for_and_against_alternate_when_the_standing_orders_say_so() -> None:
    m = debating()
    orders = m.standing_orders.model_copy(update={"alternate_by_stance": True})
    m = m.model_copy(update={"standing_orders": orders})
    for minute, (who, stance) in enumerate([("al", "for"), ("bo", "for"), ("cy", "against"), ("di", "for")]):
        m = ok(
            speakers.request(
                m, SpeakerRequest(stance=stance), person(who, None), NOON + timedelta(minutes=minute)
            )
        )
    m = speakers.call(m, SpeakerCall(), CHAIR, NOON).meeting  # al, for
    assert [e for e, _ in queue(m)] == ["cy", "bo", "di"]
    assert queue(m)[0] == ("cy", "alternation")
    m = speakers.call(m, SpeakerCall(), CHAIR, NOON).meeting  # cy, against
    assert [e for e, _ in queue(m)] == ["bo", "di"]
