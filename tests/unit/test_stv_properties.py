"""Properties of the count over generated elections: it never elects more than the seats, does not
depend on the order of the ballots, loses no fraction of a vote unaccounted, repeats itself exactly,
and meets any balance rule it accepts."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from hub import blt, stv
from hub.balance import Balance
from hub.rankings import Ballot, Profile
from hub.stv import BalanceRule


@st.composite
def profiles(draw: st.DrawFn, max_candidates: int = 7) -> Profile:
    candidates = draw(st.integers(1, max_candidates))
    seats = draw(st.integers(1, candidates))
    withdrawn = draw(st.frozensets(st.integers(0, candidates - 1), max_size=candidates - 1))
    ranking = st.permutations(range(candidates)).flatmap(
        lambda order: st.integers(0, candidates).map(lambda length: tuple(order[:length]))
    )
    ballots = draw(st.lists(st.builds(Ballot, st.integers(1, 4), ranking), min_size=1, max_size=40))
    if not any(set(b.ranking) - withdrawn for b in ballots):
        ballots.append(Ballot(1, (next(c for c in range(candidates) if c not in withdrawn),)))
    return Profile("Generated", tuple(f"C{n}" for n in range(candidates)), seats, tuple(ballots), withdrawn)


def standing(profile: Profile) -> int:
    return len(profile.candidates) - len(profile.withdrawn)


@settings(max_examples=300, deadline=None)
@given(profiles())
def test_never_more_elected_than_seats_and_every_seat_filled_when_enough_stand(profile: Profile) -> None:
    result = stv.count(profile)
    assert len(result.elected) == len(set(result.elected)) == min(profile.seats, standing(profile))
    assert not set(result.elected) & set(result.withdrawn)
    decided = [d.candidate for stage in result.stages for d in stage.elected]
    assert decided == result.elected


@settings(max_examples=200, deadline=None)
@given(profiles(), st.randoms(use_true_random=False))
def test_the_order_and_bundling_of_ballots_change_nothing(profile: Profile, rng: random.Random) -> None:
    single = [Ballot(1, ballot.ranking) for ballot in profile.ballots for _ in range(ballot.weight)]
    rng.shuffle(single)
    reordered = Profile(profile.title, profile.candidates, profile.seats, tuple(single), profile.withdrawn)
    assert stv.count(reordered) == stv.count(profile)


@settings(max_examples=300, deadline=None)
@given(profiles())
def test_every_unit_of_every_vote_is_accounted_for_exactly(profile: Profile) -> None:
    result = stv.count(profile)
    lost = Decimal(0)
    for stage in result.stages:
        lost += stage.non_transferable + stage.fractions
        assert sum(stage.votes.values()) + lost == result.valid
        assert all(value >= 0 and value.as_tuple().exponent == -5 for value in stage.votes.values())
        assert all(0 <= value <= 1 for value in stage.transfer_values)
        assert stage.fractions >= 0 and stage.non_transferable >= 0


@settings(max_examples=200, deadline=None)
@given(profiles(), st.text(max_size=10))
def test_the_count_is_deterministic_for_a_seed(profile: Profile, seed: str) -> None:
    assert stv.count(profile, seed=seed) == stv.count(profile, seed=seed)
    assert stv.count(profile) == stv.count(profile)


def alternative_vote(profile: Profile) -> str | None:
    """The alternative vote as it is usually stated: exclude the lowest until someone has a majority
    of the ballots still in the count; None where a tie would have to be broken."""
    gone = set(profile.withdrawn)
    while True:
        tally: Counter[int] = Counter({c: 0 for c in range(len(profile.candidates)) if c not in gone})
        for ballot in profile.ballots:
            first = next((c for c in ballot.ranking if c not in gone), None)
            if first is not None:
                tally[first] += ballot.weight
        leader, most = tally.most_common(1)[0]
        if 2 * most > sum(tally.values()) or len(tally) == 1:
            return profile.candidates[leader]
        fewest = min(tally.values())
        lowest = [c for c, votes in tally.items() if votes == fewest]
        if len(lowest) > 1:
            return None
        gone.add(lowest[0])


@settings(max_examples=300, deadline=None)
@given(profiles(max_candidates=6))
def test_one_seat_elects_whom_the_alternative_vote_elects(profile: Profile) -> None:
    profile = profile.with_seats(1)
    result = stv.count(profile)
    winner = alternative_vote(profile)
    if winner is not None and not any(stage.ties for stage in result.stages):
        assert result.method is stv.Method.IRV
        assert result.elected == [winner]


@st.composite
def balanced(draw: st.DrawFn) -> tuple[Profile, BalanceRule]:
    profile = draw(profiles())
    present = [c for c in range(len(profile.candidates)) if c not in profile.withdrawn]
    women = draw(st.lists(st.sampled_from(present), unique=True, min_size=1))
    minimum = draw(st.integers(1, min(len(women), profile.seats)))
    rule = BalanceRule(groups={profile.candidates[c]: "women" for c in women}, minimums={"women": minimum})
    return profile, rule


@settings(max_examples=300, deadline=None)
@given(balanced())
def test_a_balance_rule_that_can_be_met_is_met(case: tuple[Profile, BalanceRule]) -> None:
    profile, rule = case
    result = stv.count(profile, rule)
    women = sum(1 for name in result.elected if rule.groups.get(name) == "women")
    assert women >= rule.minimums["women"]
    assert len(result.elected) == min(profile.seats, standing(profile))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["w", "m", None]), min_size=1, max_size=8),
    st.integers(0, 3),
    st.integers(0, 3),
    st.data(),
)
def test_doomed_and_guarded_are_what_their_definitions_say(
    groups: list[str | None], need_w: int, need_m: int, data: st.DataObject
) -> None:
    everyone = list(range(len(groups)))
    balance = Balance(
        {c: g for c, g in enumerate(groups) if g}, {g: n for g, n in (("w", need_w), ("m", need_m)) if n}
    )
    elected = data.draw(st.lists(st.sampled_from(everyone), unique=True, max_size=len(everyone)))
    continuing = [c for c in everyone if c not in elected]
    vacancies = data.draw(st.integers(0, len(continuing)))
    if not balance.possible(elected, continuing, vacancies):
        return
    by_definition_doomed = [
        c for c in continuing if not balance.possible([*elected, c], set(continuing) - {c}, vacancies - 1)
    ]
    by_definition_guarded = [
        c for c in continuing if not balance.possible(elected, set(continuing) - {c}, vacancies)
    ]
    if vacancies:
        assert balance.doomed(elected, continuing, vacancies) == by_definition_doomed
    assert balance.guarded(elected, continuing, vacancies) == by_definition_guarded


@settings(max_examples=200, deadline=None)
@given(profiles())
def test_a_written_blt_file_reads_back_as_the_same_election(profile: Profile) -> None:
    assert blt.parse(blt.write(profile)) == profile.canonical()
