"""Polls over options: the questions the chair puts, ballots as the box keeps them, each method's
result, the hall's part, votes stored before polls, and the minutes of a question."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from hub import agenda, hall, lifecycle, polls, votes
from hub.commands import (
    AgendaSelect,
    HallCheckIn,
    MeetingSetStatus,
    VoteAsk,
    VoteCast,
    VoteClose,
    VoteHallCount,
)
from hub.errors import HubError
from hub.models import (
    AgendaItem,
    Majority,
    Meeting,
    MeetingStatus,
    Minutes,
    PollMethod,
    Role,
    Secrecy,
    Vote,
)
from signalling.minutes import pdf as minutes_pdf
from tests.unit.builders import NOON, actor, checked_in, meeting, present
from tests.unit.test_minutes import Script

CHAIR = actor("m001", Role.CHAIR)
CITIES = ["Lisbon", "Nairobi", "Online", "Manila"]


def asking(**fields: Any) -> tuple[Meeting, Vote]:
    m = present(meeting(), 10)
    command = VoteAsk.model_validate({"question": "Where shall we meet?", "options": CITIES} | fields)
    change = votes.ask(m, command, CHAIR, NOON)
    return change.meeting, change.meeting.votes[-1]


def cast(vote: Vote, **ballot: Any) -> str:
    return polls.ballot_key(vote, VoteCast.model_validate({"vote_id": vote.id, **ballot}))


def test_a_question_numbers_its_options_and_concerns_no_motion() -> None:
    _, vote = asking()
    assert vote.subject.kind == "question" and vote.subject.motion_id is None
    assert [(o.id, o.label) for o in vote.options] == [(f"o{n}", c) for n, c in enumerate(CITIES, 1)]
    assert (vote.method, vote.secrecy, vote.choose, vote.eligible) == (PollMethod.ONE_OF, Secrecy.OPEN, 1, 10)
    yes_no = asking(method="yes_no", options=[])[1]
    assert yes_no.option_ids() == ["for", "against", "abstain"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"options": ["Only one"]}, "options"),
        ({"options": ["Lisbon", " lisbon "]}, "options"),
        ({"options": ["\x00 \x07", "C"]}, "options"),
        ({"options": ["A\nB", "A B"]}, "options"),
        ({"method": "yes_no"}, "options"),
        ({"method": "up_to", "choose": 4}, "choose"),
        ({"method": "ranked", "choose": 5}, "choose"),
        ({"method": "one_of", "choose": 2}, "choose"),
    ],
)
def test_a_question_that_cannot_be_put_says_why(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(HubError) as refused:
        asking(**fields)
    assert refused.value.code == "invalid_payload"
    assert refused.value.details["problems"][0]["field"] == field


def test_a_secret_card_vote_is_refused_and_a_question_waits_like_any_vote() -> None:
    with pytest.raises(HubError) as refused:
        asking(secrecy="secret", weights=True)
    assert refused.value.code == "vote.secret_card"
    m, _ = asking()
    with pytest.raises(HubError) as refused:
        votes.ask(m, VoteAsk(question="Again?", options=["a", "b"]), CHAIR, NOON)
    assert refused.value.code == "vote.already_open"
    with pytest.raises(HubError) as refused:
        votes.ask(present(meeting(), 3), VoteAsk(question="Few?", options=["a", "b"]), CHAIR, NOON)
    assert refused.value.code == "vote.not_quorate"


def test_ballots_are_keyed_by_what_they_mark() -> None:
    _, one = asking()
    assert cast(one, choice="o2") == "o2"
    _, up_to = asking(method="up_to", choose=2)
    # Marks in any order make the same ballot.
    assert cast(up_to, choices=["o3", "o1"]) == cast(up_to, choices=["o1", "o3"]) == "o1+o3"
    _, ranked = asking(method="ranked", choose=2)
    assert cast(ranked, choices=["o3", "o1", "o4"]) == "o3>o1>o4"
    assert polls.marks(ranked, "o3>o1>o4") == ["o3", "o1", "o4"]


@pytest.mark.parametrize(
    ("method", "ballot"),
    [
        ("one_of", {"choice": "o9"}),
        ("one_of", {"choice": "for"}),
        ("one_of", {"choices": ["o1"]}),
        ("up_to", {"choice": "o1"}),
        ("up_to", {"choices": []}),
        ("up_to", {"choices": ["o1", "o2", "o3"]}),
        ("up_to", {"choices": ["o1", "o1"]}),
        ("ranked", {"choices": ["o1", "o5"]}),
        ("ranked", {"choices": ["o2", "o1", "o2"]}),
    ],
)
def test_a_ballot_that_does_not_fit_the_poll_is_refused(method: str, ballot: dict[str, Any]) -> None:
    _, vote = asking(method=method, choose=2 if method != "one_of" else 1)
    with pytest.raises(HubError) as refused:
        cast(vote, **ballot)
    assert refused.value.code == "vote.invalid_ballot"
    assert refused.value.details["vote_id"] == vote.id and refused.value.details["method"] == method


def test_a_ballot_gives_either_one_choice_or_several() -> None:
    for both in ({"vote_id": "v1"}, {"vote_id": "v1", "choice": "o1", "choices": ["o1"]}):
        with pytest.raises(ValidationError):
            VoteCast.model_validate(both)
    with pytest.raises(ValidationError):
        VoteCast.model_validate({"vote_id": "v1", "choices": ["o1>o2"]})  # no separator in a mark


def test_one_of_n_chooses_the_most_votes_and_a_tie_goes_to_the_casting_vote() -> None:
    _, vote = asking()
    result = polls.decide(vote, {"o1": 3, "o2": 5, "o4": 1}, None)
    assert (result.outcome, result.chosen, result.counts) == (
        "chosen",
        ["o2"],
        {"o1": 3, "o2": 5, "o3": 0, "o4": 1},
    )
    tied = polls.decide(vote, {"o1": 4, "o2": 4, "o3": 1}, None)
    assert (tied.outcome, tied.chosen, tied.tied) == ("tied", [], True)
    decided = polls.decide(vote, {"o1": 4, "o2": 4, "o3": 1}, "o2")
    assert (decided.outcome, decided.chosen, decided.casting_vote) == ("chosen", ["o2"], "o2")
    # A casting vote for an option not level at the top decides nothing.
    assert polls.decide(vote, {"o1": 4, "o2": 4, "o3": 1}, "o3").outcome == "tied"
    assert polls.decide(vote, {}, None).outcome == "tied"


def test_up_to_k_counts_marks_and_leaves_a_tie_for_the_last_place_open() -> None:
    _, vote = asking(method="up_to", choose=2)
    counts = {"o1+o2": 3, "o2+o3": 2, "o3": 1, "o4": 1}
    result = polls.decide(vote, counts, None)
    assert result.counts == {"o1": 3, "o2": 5, "o3": 3, "o4": 1}
    assert (result.outcome, result.chosen, result.tied) == ("tied", ["o2"], True)
    clear = polls.decide(vote, {**counts, "o1": 1}, None)
    assert (clear.outcome, clear.chosen) == ("chosen", ["o2", "o1"])
    with pytest.raises(HubError):
        polls.check_casting(vote, "o1")  # no casting vote in an up-to-k poll


def test_a_ranked_poll_is_counted_by_stv_with_its_stages() -> None:
    _, vote = asking(method="ranked", choose=2)
    # 13 ballots: quota floor(13 / 3) + 1 = 5. Lisbon's surplus of 2 goes to Online.
    counts = {"o1>o3": 7, "o2": 3, "o3>o2": 2, "o4>o2": 1}
    result = polls.decide(vote, counts, None)
    assert result.counts == {"o1": 7, "o2": 3, "o3": 2, "o4": 1}
    assert result.count is not None and result.count.quota == 5
    assert (result.outcome, result.chosen) == ("chosen", ["o1", "o2"])
    assert result.count.elected == ["Lisbon", "Nairobi"] and result.count.candidates == CITIES
    assert "single transferable vote" in result.rule
    # The count is a pure function of the ballots: any order of the box's count gives the same.
    again = polls.decide(vote, dict(reversed(list(counts.items()))), None)
    assert again == result
    irv = polls.decide(asking(method="ranked", choose=1)[1], counts, None)
    assert irv.chosen == ["o1"] and "alternative vote" in irv.rule
    empty = polls.decide(vote, {}, None)
    assert (empty.outcome, empty.chosen, empty.count) == ("tied", [], None)


def test_a_yes_no_poll_keeps_the_majority_rules() -> None:
    _, vote = asking(method="yes_no", options=[])
    assert vote.majority == Majority.SIMPLE
    assert polls.decide(vote, {"for": 3, "against": 2}, None).outcome == "carried"
    assert polls.decide(vote, {"for": 2, "against": 2}, "for").outcome == "carried"
    with pytest.raises(HubError):
        polls.check_casting(vote, "o1")


def test_the_hall_counts_hands_for_one_of_n_but_not_for_several_marks() -> None:
    m = present(meeting(status=MeetingStatus.IN_SESSION), 6)
    entrant = hall.Entrant("h000", "Hall 0", Role.MEMBER)
    checked = hall.check_in(m, HallCheckIn(member_id="h000"), actor("m007", Role.SECRETARY), NOON, entrant)
    assert checked is not None
    m = checked.meeting
    one = votes.ask(m, VoteAsk(question="Where?", options=CITIES), CHAIR, NOON).meeting
    assert one.votes[0].hall == 1 and "h000" not in votes.electorate(one, one.votes[0])
    command = VoteHallCount(vote_id=one.votes[0].id, counts={"o3": 1})
    counted = hall.count(one, command, CHAIR, NOON)
    assert counted is not None and counted.data["counts"] == {"o1": 0, "o2": 0, "o3": 1, "o4": 0}
    closed = votes.close(counted.meeting, VoteClose(vote_id=one.votes[0].id), {"o1": 2, "o3": 2}, CHAIR, NOON)
    result = closed.meeting.votes[0].result
    assert (
        result is not None and result.chosen == ["o3"] and result.hall == {"o1": 0, "o2": 0, "o3": 1, "o4": 0}
    )
    ranked = votes.ask(m, VoteAsk(question="Who?", options=CITIES, method=PollMethod.RANKED), CHAIR, NOON)
    poll = ranked.meeting.votes[0]
    # The hall votes in it online: those without a device there have no ballot, but are present.
    assert (poll.hall, poll.eligible, poll.present) == (0, 6, 7)
    with pytest.raises(HubError) as refused:
        hall.count(ranked.meeting, VoteHallCount(vote_id=poll.id, counts={"o1": 1}), CHAIR, NOON)
    assert refused.value.code == "vote.hall_secret"


@pytest.mark.parametrize(
    ("method", "secrecy", "weights"),
    [("hands", Secrecy.OPEN, False), ("secret", Secrecy.SECRET, False), ("card", Secrecy.OPEN, True)],
)
def test_a_vote_stored_before_polls_reads_as_a_yes_no_poll(
    method: str, secrecy: Secrecy, weights: bool
) -> None:
    stored = {
        "id": "v1",
        "subject": {"kind": "motion", "motion_id": "mo1"},
        "question": "Votes for life",
        "method": method,
        "majority": "simple",
        "status": "closed",
        "opened_at": NOON.isoformat(),
        "eligible": 10,
        "present": 10,
        "result": {"counts": {"for": 6, "against": 4, "abstain": 0}, "outcome": "carried", "rule": "Simple."},
    }
    vote = Vote.model_validate(stored)
    assert (vote.method, vote.secrecy, vote.weights) == (PollMethod.YES_NO, secrecy, weights)
    assert vote.option_ids() == ["for", "against", "abstain"] and vote.result is not None
    assert Vote.model_validate(vote.model_dump(mode="json")) == vote


def test_a_question_is_minuted_under_its_item_with_its_options_result_and_count() -> None:
    items = [AgendaItem(id="a1", title="Elections")]
    run = Script(checked_in(present(meeting(agenda=items), 6)))
    run(lifecycle.set_status, MeetingSetStatus(status=MeetingStatus.OPEN), CHAIR)
    run(agenda.select, AgendaSelect(item_id="a1"), CHAIR)
    labels = ["Ana *bold*", "Ben", "Cy`", "Di"]
    opened = run(votes.ask, VoteAsk(question="Delegates", options=labels, method="ranked", choose=2), CHAIR)
    assert opened.data["item_id"] == "a1" and opened.data["options"][0] == {"id": "o1", "label": labels[0]}
    run(votes.close, VoteClose(vote_id=opened.data["vote_id"]), CHAIR, {"o1>o3": 7, "o2": 3, "o3>o2": 2})
    text = run.draft()
    section = text[text.index("Elections") :]
    assert "The chair put the question “Delegates”." in section
    assert "“Ana \\*bold\\*”" in section and "ranked in order of preference, for 2 seats" in section
    assert "ELECTED “Ana \\*bold\\*”, “Cy\\`” by show of hands" in section
    # The stage table is a code block no name can close: the fence is longer than any run of backticks.
    assert "```\nDelegates\nSingle transferable vote" in section and "Stage 1: first preferences" in section
    # The PDF sets the table in a fixed-width font, its columns as the hub's stage table has them.
    published = run.meeting.model_copy(update={"minutes": Minutes(text=text, drafted_at=NOON)})
    printed = "".join(page.extract_text() for page in PdfReader(io.BytesIO(minutes_pdf(published))).pages)
    assert "Stage 2: surplus of Ana *bold*, transfer value 0.28571" in printed
    assert "Fractions lost          +0.00003" in printed


def test_an_advance_poll_needs_a_time_to_come_and_runs_beside_the_meetings_vote() -> None:
    later = (NOON + timedelta(hours=5)).isoformat()
    with pytest.raises(HubError) as refused:
        asking(closes_at=(NOON - timedelta(seconds=1)).isoformat())
    assert refused.value.code == "invalid_payload"
    # Before the meeting, without quorum: the electorate is everyone invited with a vote.
    few = present(meeting(electorate=40), 2).model_copy(update={"removed": ["p009"]})
    ask = VoteAsk(question="Where?", options=CITIES, closes_at=later)
    change = votes.ask(few, ask, CHAIR, NOON)
    advance = change.meeting.votes[0]
    assert (advance.eligible, advance.present, advance.closes_at) == (40, 40, NOON + timedelta(hours=5))
    [box] = change.effects
    # Its box admits voters as they come, but holds one removed from the meeting at weight 0: refused.
    assert box.weights == {"p009": 0} and box.closes_at == advance.closes_at  # type: ignore[union-attr]
    assert votes.open_vote(change.meeting) is None
    # The meeting's own vote opens beside it, and a second advance poll too.
    m = present(change.meeting.model_copy(update={"removed": []}), 10)
    m = votes.ask(m, VoteAsk(question="Now?", options=CITIES), CHAIR, NOON).meeting
    assert votes.open_vote(m) is not None and votes.open_vote(m).id != advance.id  # type: ignore[union-attr]
    assert votes.ask(m, ask, CHAIR, NOON).meeting.votes[-1].closes_at is not None
