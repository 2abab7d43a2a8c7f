"""Elections as agenda items: posts, nominations (seconders, acceptance, withdrawal, closing), the
ballot a post opens, its count under the balance rule, and the minutes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hub import agenda, elections, lifecycle, polls, speakers, votes
from hub.commands import (
    AgendaSelect,
    ElectionAccept,
    ElectionAddPost,
    ElectionNominate,
    ElectionOpenBallot,
    ElectionRemovePost,
    ElectionSecond,
    ElectionWithdraw,
    MeetingSetStatus,
    VoteClose,
)
from hub.errors import HubError
from hub.meetings import Actor
from hub.models import AgendaItem, AgendaKind, Meeting, MeetingStatus, PollMethod, Role, Secrecy
from tests.unit.builders import NOON, actor, checked_in, meeting, present
from tests.unit.test_minutes import Script

CHAIR = actor("m001", Role.CHAIR)
ITEMS = [
    AgendaItem(id="a1", title="Reports"),
    AgendaItem(id="a2", title="Elections", kind=AgendaKind.ELECTION),
]
# Who the directory says the members are: p000-p004 describe themselves as women.
WOMEN = {f"p{n:03}" for n in range(5)}


def nominee(member_id: str, role: Role = Role.MEMBER) -> elections.Nominee:
    return elections.Nominee(
        member_id, f"Member {member_id}", role, "woman" if member_id in WOMEN else "other"
    )


def with_post(**fields: Any) -> Meeting:
    m = present(meeting(agenda=ITEMS, current_item="a2"), 10)
    command = ElectionAddPost.model_validate({"item_id": "a2", "title": "Delegates", "seats": 2} | fields)
    return elections.add_post(m, command, CHAIR, NOON).meeting


def nominate(m: Meeting, member_id: str, by: Actor | None = None, post_id: str = "post1") -> Meeting:
    who = by or actor(member_id)
    command = ElectionNominate(post_id=post_id, member_id=member_id)
    return elections.nominate(m, command, who, NOON, nominee(member_id)).meeting


def refused(code: str, rule: Any, m: Meeting, command: Any, who: Actor, *more: Any) -> None:
    with pytest.raises(HubError) as caught:
        rule(m, command, who, NOON, *more)
    assert caught.value.code == code, caught.value.message


def test_a_post_belongs_to_an_election_item_and_keeps_its_rule_within_its_seats() -> None:
    m = with_post(women_at_least=1)
    post = m.posts[0]
    assert (post.id, post.item_id, post.seats, post.women_at_least, post.vote_id) == (
        "post1",
        "a2",
        2,
        1,
        None,
    )
    refused(
        "election.not_an_election", elections.add_post, m, ElectionAddPost(item_id="a1", title="X"), CHAIR
    )
    refused("agenda.not_found", elections.add_post, m, ElectionAddPost(item_id="a9", title="X"), CHAIR)
    too_many = ElectionAddPost(item_id="a2", title="X", seats=1, women_at_least=2)
    refused("invalid_payload", elections.add_post, m, too_many, CHAIR)
    m = nominate(m, "p001")
    removed = elections.remove_post(m, ElectionRemovePost(post_id="post1"), CHAIR, NOON).meeting
    assert removed.posts == [] and removed.nominations == []


def test_nominations_by_oneself_and_by_another_with_acceptance_seconding_and_withdrawal() -> None:
    m = nominate(with_post(), "p001")
    own = m.nominations[0]
    assert (own.accepted, own.nominated_by, own.group) == (True, "p001", None)
    m = nominate(m, "p006", by=actor("p002"))
    other = m.nominations[1]
    assert not other.accepted and other.nominator_name == "Member p002"
    refused(
        "election.already_nominated",
        elections.nominate,
        m,
        ElectionNominate(post_id="post1", member_id="p006"),
        actor("p003"),
        nominee("p006"),
    )
    # Only the nominee accepts; the statement can be replaced, and the same again changes nothing.
    refused("forbidden", elections.accept, m, ElectionAccept(nomination_id=other.id), actor("p002"))
    m = elections.accept(
        m, ElectionAccept(nomination_id=other.id, statement=" I will serve. "), actor("p006"), NOON
    ).meeting
    assert m.nominations[1].accepted and m.nominations[1].statement == "I will serve."
    assert (
        elections.accept(
            m, ElectionAccept(nomination_id=other.id, statement="I will serve."), actor("p006"), NOON
        )
        is None
    )
    # Neither the nominator nor the nominee seconds; a third member does, once.
    for who in ("p002", "p006"):
        refused(
            "election.own_nomination", elections.second, m, ElectionSecond(nomination_id=other.id), actor(who)
        )
    m = elections.second(m, ElectionSecond(nomination_id=other.id), actor("p007"), NOON).meeting
    assert m.nominations[1].seconder_name == "Member p007"
    assert elections.second(m, ElectionSecond(nomination_id=other.id), actor("p008"), NOON) is None
    # Only the nominee withdraws; a withdrawn nomination takes no more business, and may be made anew.
    refused("forbidden", elections.withdraw, m, ElectionWithdraw(nomination_id=own.id), actor("p002"))
    m = elections.withdraw(m, ElectionWithdraw(nomination_id=own.id), actor("p001"), NOON).meeting
    refused("election.withdrawn", elections.second, m, ElectionSecond(nomination_id=own.id), actor("p009"))
    assert [n.member_id for n in elections.standing(m, m.posts[0])] == ["p006"]
    m = nominate(m, "p001")
    assert [n.member_id for n in elections.standing(m, m.posts[0])] == ["p006", "p001"]


def test_who_may_stand_and_the_balance_group_shown_only_where_a_rule_needs_it() -> None:
    m = with_post(stand=["member"], women_only=True, seats=1)
    refused(
        "election.may_not_stand",
        elections.nominate,
        m,
        ElectionNominate(post_id="post1", member_id="p007"),
        actor("p007"),
        nominee("p007"),
    )
    refused(
        "election.may_not_stand",
        elections.nominate,
        m,
        ElectionNominate(post_id="post1", member_id="p001"),
        actor("p001"),
        nominee("p001", Role.OBSERVER),
    )
    assert nominate(m, "p001").nominations[0].group == "woman"
    ruled = nominate(nominate(with_post(women_at_least=1), "p001"), "p007")
    assert [n.group for n in ruled.nominations] == ["woman", "other"]


def test_nominations_close_at_their_time_and_when_the_ballot_opens() -> None:
    m = nominate(with_post(closes_at=(NOON + timedelta(hours=1)).isoformat()), "p001")
    later = NOON + timedelta(hours=2)
    with pytest.raises(HubError) as closed:
        elections.nominate(
            m, ElectionNominate(post_id="post1", member_id="p002"), actor("p002"), later, nominee("p002")
        )
    assert closed.value.code == "election.nominations_closed"
    with pytest.raises(HubError) as closed:
        elections.withdraw(m, ElectionWithdraw(nomination_id=m.nominations[0].id), actor("p001"), later)
    assert closed.value.code == "election.nominations_closed"


def test_a_seconder_is_needed_where_the_standing_orders_say() -> None:
    m = nominate(with_post(), "p001")
    m = m.model_copy(
        update={"standing_orders": m.standing_orders.model_copy(update={"nominations_need_seconder": True})}
    )
    assert elections.standing(m, m.posts[0]) == []
    m = elections.second(m, ElectionSecond(nomination_id=m.nominations[0].id), actor("p002"), NOON).meeting
    assert len(elections.standing(m, m.posts[0])) == 1


def test_the_ballot_is_a_ranked_secret_poll_of_the_candidates_with_the_balance_rule() -> None:
    m = with_post(women_at_least=1)
    open_it = ElectionOpenBallot(post_id="post1")
    refused("election.too_few_candidates", elections.open_ballot, nominate(m, "p007"), open_it, CHAIR)
    elsewhere = m.model_copy(update={"current_item": "a1"})
    refused("election.not_current_item", elections.open_ballot, elsewhere, open_it, CHAIR)
    for member_id in ("p007", "p008", "p009"):
        m = nominate(m, member_id)
    refused("election.balance_impossible", elections.open_ballot, m, open_it, CHAIR)
    m = nominate(m, "p001")
    change = elections.open_ballot(m, open_it, CHAIR, NOON)
    m = change.meeting
    vote = m.votes[-1]
    assert (vote.method, vote.secrecy, vote.choose, vote.subject.post_id) == (
        PollMethod.RANKED,
        Secrecy.SECRET,
        2,
        "post1",
    )
    assert vote.question == "Delegates (2 seats)" and m.posts[0].vote_id == vote.id
    assert [o.label for o in vote.options] == ["Member p007", "Member p008", "Member p009", "Member p001"]
    assert vote.balance is not None and vote.balance.minimums == {"woman": 1}
    assert vote.balance.groups["Member p001"] == "woman" and change.data["item_id"] == "a2"
    refused("election.ballot_opened", elections.open_ballot, m, open_it, CHAIR)
    refused(
        "election.nominations_closed",
        elections.nominate,
        m,
        ElectionNominate(post_id="post1", member_id="p002"),
        actor("p002"),
        nominee("p002"),
    )
    refused("election.ballot_opened", elections.remove_post, m, ElectionRemovePost(post_id="post1"), CHAIR)
    # The count keeps a seat for a woman: p001 is elected though p009 has more first preferences.
    ids = {o.label: o.id for o in vote.options}
    counts = {
        f"{ids['Member p007']}>{ids['Member p008']}": 5,
        f"{ids['Member p008']}>{ids['Member p007']}": 4,
        ids["Member p009"]: 3,
        ids["Member p001"]: 2,
    }
    result = polls.decide(vote, counts, None)
    assert result.chosen == [ids["Member p007"], ids["Member p001"]]
    assert result.count is not None and result.count.balance == vote.balance
    assert any(d.reason == "balance" for s in result.count.stages for d in s.excluded)


def test_two_candidates_of_one_name_are_told_apart_on_the_ballot() -> None:
    m = with_post()
    for member_id in ("p001", "p002"):
        command = ElectionNominate(post_id="post1", member_id=member_id)
        same = elections.Nominee(member_id, "Ana Silva", Role.MEMBER, None)
        m = elections.nominate(m, command, actor(member_id), NOON, same).meeting
    vote = elections.open_ballot(m, ElectionOpenBallot(post_id="post1"), CHAIR, NOON).meeting.votes[-1]
    assert [o.label for o in vote.options] == ["Ana Silva (p001)", "Ana Silva (p002)"]


def test_an_election_is_minuted_with_its_candidates_and_count() -> None:
    run = Script(checked_in(present(meeting(agenda=ITEMS), 6)))
    run(lifecycle.set_status, MeetingSetStatus(status=MeetingStatus.OPEN), CHAIR)
    run(agenda.select, AgendaSelect(item_id="a2"), CHAIR)
    run(elections.add_post, ElectionAddPost(item_id="a2", title="Treasurer"), CHAIR)
    post_id = run.meeting.posts[0].id
    for member_id in ("p001", "p002"):
        found = nominee(member_id)
        run(
            lambda m, c, who, now, found=found: elections.nominate(m, c, who, now, found),
            ElectionNominate(post_id=post_id, member_id=member_id),
            actor("p005"),
        )
    for nomination in run.meeting.nominations:
        run(elections.accept, ElectionAccept(nomination_id=nomination.id), actor(nomination.member_id))
    run(elections.second, ElectionSecond(nomination_id=run.meeting.nominations[0].id), actor("p004"))
    opened = run(elections.open_ballot, ElectionOpenBallot(post_id=post_id), CHAIR)
    first = run.meeting.nominations[0].id
    run(
        votes.close,
        VoteClose(vote_id=opened.data["vote_id"]),
        CHAIR,
        {first: 4, run.meeting.nominations[1].id: 1},
    )
    text = run.draft()
    section = text[text.index("Elections") :]
    assert "Election: Treasurer (1 seat), by ranked secret ballot." in section
    assert "Member p001 (nominated by Member p005, seconded by Member p004)" in section
    assert "ELECTED “Member p001” by secret ballot" in section and "Stage 1: first preferences" in section


def test_a_post_may_be_voted_for_by_some_roles_only() -> None:
    m = present(with_post(seats=1, voters=["chair", "secretary"]), 2, Role.SECRETARY)
    m = nominate(m, "p001")
    vote = elections.open_ballot(m, ElectionOpenBallot(post_id="post1"), CHAIR, NOON).meeting.votes[-1]
    assert vote.voters == ["chair", "secretary"] and vote.eligible == 2
    everyone = nominate(with_post(seats=1), "p001")
    assert (
        elections.open_ballot(everyone, ElectionOpenBallot(post_id="post1"), CHAIR, NOON)
        .meeting.votes[-1]
        .voters
        is None
    )


@pytest.mark.parametrize(
    ("gender", "group"),
    [
        ("Woman", "woman"),
        (" trans  woman ", "woman"),
        ("mujer", "woman"),
        ("F", "woman"),
        ("man", "other"),
        ("non-binary", "other"),
        ("womanly", "other"),
        ("", None),
        (None, None),
    ],
)
def test_the_balance_group_reads_a_self_described_gender(gender: str | None, group: str | None) -> None:
    assert speakers.balance_group(gender) == group
