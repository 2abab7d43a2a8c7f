"""The count's rules, each on a hand-made election whose stages are worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub import stv
from hub.rankings import Ballot, Profile
from hub.stv import BalanceRule, Reason, StageKind


def election(seats: int, spec: str, candidates: str = "ABCDE", withdrawn: str = "") -> Profile:
    """`spec` is one ballot line a line, "weight: first second ...", candidates by letter."""
    ballots = []
    for line in spec.strip().splitlines():
        weight, _, ranking = line.partition(":")
        ballots.append(Ballot(int(weight), tuple(candidates.index(c) for c in ranking.split())))
    gone = frozenset(candidates.index(c) for c in withdrawn)
    return Profile("Test", tuple(candidates), seats, tuple(ballots), gone)


def votes(stage: stv.Stage) -> dict[str, str]:
    return {name: str(value) for name, value in stage.votes.items()}


def test_quota_is_droop_on_valid_ballots_and_empty_ballots_do_not_count() -> None:
    result = stv.count(election(2, "4: A\n3: B\n3: C\n2:", "ABC"))
    assert (result.valid, result.empty, result.quota) == (10, 2, 4)  # floor(10 / 3) + 1
    assert result.stages[0].kind is StageKind.FIRST
    assert votes(result.stages[0]) == {"A": "4.00000", "B": "3.00000", "C": "3.00000"}
    assert [(d.candidate, d.reason) for d in result.stages[0].elected] == [("A", Reason.QUOTA)]


def test_a_surplus_elects_a_second_candidate_at_its_transfer_value() -> None:
    # 14 valid, quota 5. A's surplus of 3 goes on at 3/8 = 0.375 a paper: 8 x 0.375 = 3 to B.
    result = stv.count(election(2, "8: A B\n2: B\n3: C\n1: D", "ABCD"))
    surplus = result.stages[1]
    assert (surplus.kind, surplus.subject, surplus.transfer_values) == (
        StageKind.SURPLUS,
        ["A"],
        [Decimal("0.375")],
    )
    assert votes(surplus) == {"A": "5.00000", "B": "5.00000", "C": "3.00000", "D": "1.00000"}
    assert surplus.transfers["A"] == Decimal("-3") and surplus.transfers["B"] == Decimal("3")
    assert [(d.candidate, d.reason) for d in surplus.elected] == [("B", Reason.QUOTA)]
    assert result.elected == ["A", "B"] and len(result.stages) == 2


def test_transfer_values_are_truncated_to_five_places_and_the_remainder_is_recorded() -> None:
    # 10 valid, 2 seats, quota 4. A has 6: surplus 2, transfer value 2/6 = 0.33333 (not 0.33334).
    result = stv.count(election(2, "6: A B\n2: B\n2: C", "ABC"))
    surplus = result.stages[1]
    assert surplus.transfer_values == [Decimal("0.33333")]
    assert surplus.votes["B"] == Decimal("3.99998")  # 2 + 6 x 0.33333: not yet the quota
    assert surplus.fractions == Decimal("0.00002")
    assert surplus.non_transferable == 0
    # B still has more than C, so C is excluded, and B fills the last vacancy.
    assert result.stages[2].excluded[0].candidate == "C"
    assert result.elected == ["A", "B"]


def test_papers_without_a_next_preference_are_non_transferable_at_their_value() -> None:
    # Quota 4 of 10 (2 seats). A's surplus 2 at 2/6: 3 papers go to C, 3 have no next preference.
    result = stv.count(election(2, "3: A C\n3: A\n2: B\n2: C", "ABC"))
    surplus = result.stages[1]
    assert surplus.transfer_values == [Decimal("0.33333")]
    assert surplus.non_transferable == Decimal("0.99999")
    assert surplus.votes["C"] == Decimal("2.99999")
    assert surplus.fractions == Decimal("0.00002")
    # B is excluded and its 2 papers end there too.
    exclusion = result.stages[2]
    assert (exclusion.subject, exclusion.non_transferable) == (["B"], Decimal("2.00000"))
    assert result.elected == ["A", "C"]


def test_a_second_surplus_moves_each_paper_at_its_own_value() -> None:
    # 3 seats, 20 valid, quota 6. A (12) passes 6 x 0.5 to B; B (4 + 6 = 10) then has papers worth 1
    # and 0.5, going on at 4 x 1 / 10 = 0.4 and 4 x 0.5 / 10 = 0.2 (rule 49(3)).
    result = stv.count(election(3, "12: A B C\n4: B C\n3: D\n1: E", "ABCDE"))
    second = result.stages[2]
    assert second.subject == ["B"]
    assert second.transfer_values == [Decimal("0.4"), Decimal("0.2")]
    assert second.transfers["C"] == Decimal("4.00000")  # 4 x 0.4 + 12 x 0.2
    assert votes(second)["C"] == "4.00000"


def test_an_excluded_candidates_papers_go_on_at_the_value_they_arrived_with() -> None:
    # Quota 5 of 12 (2 seats). A's surplus: 7 papers at 2/7 = 0.28571 to C. C is then lowest, and its
    # papers go on to B, the first preference one at 1, the transferred ones at 0.28571.
    result = stv.count(election(2, "7: A C B\n1: C B\n4: B", "ABC"))
    assert result.stages[1].transfer_values == [Decimal("0.28571")]
    exclusion = result.stages[2]
    assert exclusion.subject == ["C"]
    assert exclusion.transfers["B"] == Decimal("2.99997")  # 1 + 7 x 0.28571
    assert exclusion.transfers["C"] == Decimal("-2.99997")
    assert result.elected == ["A", "B"]


def test_the_largest_surplus_is_transferred_first() -> None:
    # Quota 6 of 26 (4 seats): A 8 (surplus 2) and B 9 (surplus 3) both elected at once; B's first.
    result = stv.count(election(4, "8: A C\n9: B D\n4: C\n3: D\n2: E"))
    assert [d.candidate for d in result.stages[0].elected] == ["B", "A"]
    assert [stage.subject for stage in result.stages[1:3]] == [["B"], ["A"]]


def test_an_exclusion_tie_goes_to_the_most_recent_earlier_stage_where_they_differed() -> None:
    # 3 seats, quota 6 of 20. A's surplus of 2 goes on at 0.25: 4 papers to C, 4 with no next preference.
    # E is excluded; C and D then both have 3, but at the first stage C had 2 and D 3: C goes.
    result = stv.count(election(3, "4: A C\n4: A\n2: C\n3: D\n5: B\n2: E"))
    assert [stage.subject for stage in result.stages[1:4]] == [["A"], ["E"], ["C"]]
    assert result.stages[2].votes["C"] == result.stages[2].votes["D"] == Decimal("3.00000")
    (tie,) = result.stages[3].ties
    assert (tie.purpose, tie.candidates, tie.chosen, tie.decided_by, tie.stage) == (
        "exclusion",
        ["C", "D"],
        "C",
        "earlier_stage",
        1,
    )


def test_a_tie_at_every_stage_is_decided_by_a_lot_drawn_from_the_recorded_seed() -> None:
    profile = election(1, "2: A\n2: B\n2: C", "ABC")
    drawn = {}
    for seed in ("a", "b", "c", "d", "e", "f"):
        result = stv.count(profile, seed=seed)
        assert result.seed == seed
        first = result.stages[1]
        (tie,) = first.ties
        assert (tie.purpose, tie.decided_by, tie.candidates) == ("exclusion", "lot", ["A", "B", "C"])
        assert first.subject == [tie.chosen]
        drawn[seed] = tie.chosen
        # The same seed draws the same lot: the count is a function of ballots and seed.
        assert stv.count(profile, seed=seed) == result
    assert len(set(drawn.values())) > 1  # and the lot does depend on it


def test_without_a_seed_the_lot_is_drawn_from_the_ballots_themselves() -> None:
    profile = election(1, "2: A\n2: B\n2: C", "ABC")
    assert stv.count(profile).seed == stv.default_seed(profile)
    assert len(stv.default_seed(profile)) == 64


def test_equal_surpluses_are_ordered_by_lot_when_equal_at_every_stage() -> None:
    result = stv.count(election(3, "6: A C\n6: B D\n2: C\n1: D", "ABCD"), seed="x")
    first = result.stages[0]
    assert {d.candidate for d in first.elected} == {"A", "B"}
    assert [tie.purpose for tie in first.ties] == ["election_order"]
    assert [tie.purpose for tie in result.stages[1].ties] == ["surplus"]


def test_last_vacancies_are_filled_by_the_continuing_candidates() -> None:
    # Quota 4 of 10, 2 seats: A is elected; D and then C are excluded, their papers exhausted, and B is
    # left alone for the last vacancy without reaching the quota (rule 53).
    result = stv.count(election(2, "4: A\n3: B\n2: C\n1: D", "ABCD"))
    assert [stage.subject for stage in result.stages[1:]] == [["D"], ["C"]]
    assert [(d.candidate, d.reason) for d in result.stages[-1].elected] == [("B", Reason.LAST_VACANCIES)]
    assert result.stages[-1].votes["B"] == Decimal("3.00000")
    assert result.elected == ["A", "B"]


def test_withdrawn_candidates_are_skipped_on_every_ballot() -> None:
    result = stv.count(election(1, "3: B A\n2: A\n2: C", "ABC", withdrawn="B"))
    assert result.withdrawn == ["B"]
    assert "B" not in result.stages[0].votes
    assert result.stages[0].votes["A"] == Decimal("5.00000")
    assert result.elected == ["A"]


def test_a_ballot_of_withdrawn_candidates_only_is_empty() -> None:
    result = stv.count(election(1, "3: B\n2: A\n2: C", "ABC", withdrawn="B"))
    assert (result.valid, result.empty, result.quota) == (4, 3, 3)


def test_one_seat_is_the_alternative_vote() -> None:
    # No majority at first; C's papers decide between A and B.
    result = stv.count(election(1, "4: A\n3: B\n2: C B", "ABC"))
    assert result.method is stv.Method.IRV
    assert result.quota == 5
    assert result.stages[1].subject == ["C"] and result.elected == ["B"]


def test_fewer_candidates_than_seats_leaves_seats_unfilled() -> None:
    result = stv.count(election(2, "3: A\n2: B", "ABC", withdrawn="BC"))
    assert result.elected == ["A"]


def test_a_count_without_valid_ballots_is_refused() -> None:
    with pytest.raises(ValueError, match="no valid ballots"):
        stv.count(election(1, "3:", "AB"))


WOMEN = BalanceRule(groups={"C": "women", "D": "women"}, minimums={"women": 1})


def test_the_balance_rule_passes_over_a_candidate_who_reaches_the_quota() -> None:
    # 2 seats, quota 7 of 20, at least one woman (C or D). A is elected; B then reaches the quota too,
    # but electing B would leave no seat for a woman: B is excluded and B's papers go on to D.
    result = stv.count(election(2, "9: A B\n7: B D\n2: C\n2: D", "ABCD"), WOMEN)
    assert result.elected == ["A", "D"]
    exclusion = next(s for s in result.stages if s.subject == ["B"])
    assert exclusion.kind is StageKind.EXCLUSION
    assert [(d.candidate, d.reason) for d in exclusion.excluded] == [("B", Reason.BALANCE)]
    assert result.balance == WOMEN
    # Without the rule, B is elected.
    assert stv.count(election(2, "9: A B\n7: B D\n2: C\n2: D", "ABCD")).elected == ["A", "B"]


def test_the_balance_rule_keeps_the_last_woman_from_exclusion() -> None:
    # 3 seats, quota 5 of 19, at least one woman (C or D). A is elected at once and C, the lowest, is
    # excluded. D, the only woman left, is then kept although she has the fewest votes: E is excluded
    # instead and elects F. With one vacancy left for a woman, B is passed over, and D fills it.
    profile = election(3, "5: A\n4: B\n1: C\n2: D\n3: E F\n4: F", "ABCDEF")
    result = stv.count(profile, WOMEN)
    assert [(s.subject, s.kept) for s in result.stages[1:]] == [(["C"], []), (["E"], ["D"]), (["B"], [])]
    assert [d.reason for s in result.stages for d in s.excluded] == [
        Reason.LOWEST,
        Reason.LOWEST,
        Reason.BALANCE,
    ]
    assert result.elected == ["A", "F", "D"]
    assert result.stages[-1].elected[-1].reason is Reason.LAST_VACANCIES
    assert stv.count(profile).elected == ["A", "F", "B"]


def test_the_balance_rule_dooms_everyone_else_once_the_vacancies_are_needed() -> None:
    # 2 seats, at least one woman: once A is elected, the last seat is hers, and B and E are excluded
    # together for it.
    result = stv.count(election(2, "6: A\n3: B\n1: C\n2: D\n4: E"), WOMEN)
    balance = result.stages[1]
    assert balance.subject == ["B", "E"]
    assert [(d.candidate, d.reason) for d in balance.excluded] == [
        ("B", Reason.BALANCE),
        ("E", Reason.BALANCE),
    ]
    assert result.elected[0] == "A" and result.elected[1] in {"C", "D"}


def test_a_balance_rule_that_cannot_be_met_is_refused() -> None:
    profile = election(2, "3: A\n2: B\n2: C", "ABC")
    with pytest.raises(ValueError, match="cannot be met"):
        stv.count(profile, BalanceRule(groups={"C": "women"}, minimums={"women": 2}))
    with pytest.raises(ValueError, match="3 seats of 2"):
        stv.count(profile, BalanceRule(groups={"A": "x", "B": "y"}, minimums={"x": 2, "y": 1}))
    with pytest.raises(ValueError, match="not a candidate"):
        stv.count(profile, BalanceRule(groups={"Z": "women"}, minimums={"women": 1}))
    with pytest.raises(ValueError, match="cannot be met"):
        stv.count(
            election(2, "3: A\n2: B\n2: C", "ABC", withdrawn="C"),
            BalanceRule(groups={"C": "w"}, minimums={"w": 1}),
        )
