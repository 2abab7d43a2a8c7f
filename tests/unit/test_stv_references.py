"""The count against others': the official stage-by-stage results of a real Scottish council election,
and STVPoll, a maintained implementation of Scottish STV, over many random elections. What was
compared and how close it came is in docs/elections.md."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import pytest
from stvpoll.irv import calculate_irv
from stvpoll.scottish_stv import calculate_scottish_stv

from hub import blt, stv
from hub.rankings import Ballot, Profile
from hub.stv import Reason, StageKind

DATA = Path(__file__).parent.parent / "data" / "elections"
OFFICIAL = json.loads((DATA / "edinburgh-2017-official-stages.json").read_text())


@pytest.mark.parametrize("ward", sorted(OFFICIAL))
def test_every_stage_equals_the_official_result_sheet(ward: str) -> None:
    official = OFFICIAL[ward]
    result = stv.count(blt.parse((DATA / f"{ward}.blt").read_text()))
    assert (result.seats, result.valid, result.quota) == (
        official["seats"],
        official["valid"],
        official["quota"],
    )
    assert len(result.stages) == len(official["stages"])
    for stage, sheet in zip(result.stages, official["stages"], strict=True):
        assert stage.votes == {name: Decimal(votes) for name, votes in sheet.items()}, f"stage {stage.number}"


def test_the_almond_ward_elects_as_declared() -> None:
    result = stv.count(blt.parse((DATA / "edinburgh-2017-ward-01-almond.blt").read_text()))
    assert result.elected == ["Kevin  LANG", "Louise YOUNG", "Graham HUTCHISON", "Norrie WORK"]
    assert [stage.kind for stage in result.stages[1:4]] == [StageKind.SURPLUS] * 3
    assert result.stages[1].transfer_values == [Decimal("0.53248")]


def random_profile(rng: random.Random) -> Profile:
    candidates = rng.randint(2, 10)
    seats = rng.randint(1, min(6, candidates))
    ballots = tuple(
        Ballot(rng.randint(1, 3), tuple(rng.sample(range(candidates), rng.randint(1, candidates))))
        for _ in range(rng.randint(5, 300))
    )
    return Profile("Random", tuple(f"C{n}" for n in range(candidates)), seats, ballots)


def elected_together(result: stv.Count) -> bool:
    """Two or more candidates reached the quota at one stage: STVPoll transfers the first one's surplus
    to the others (they are "standing" to it), the rules do not (they are no longer continuing)."""
    return any(sum(d.reason is Reason.QUOTA for d in stage.elected) > 1 for stage in result.stages)


def closest_call(result: stv.Count) -> Decimal:
    """The narrowest margin of any decision: a continuing candidate's distance from the quota, or the
    excluded candidate's distance from the next lowest."""
    margins = []
    gone: set[str] = set()
    previous: dict[str, Decimal] = {}
    for stage in result.stages:
        if stage.kind is StageKind.EXCLUSION and stage.excluded[0].reason is Reason.LOWEST:
            (loser,) = stage.subject
            margins += [previous[name] - previous[loser] for name in previous if name not in gone | {loser}]
        gone.update(d.candidate for d in stage.excluded)
        margins += [abs(votes - result.quota) for name, votes in stage.votes.items() if name not in gone]
        gone.update(d.candidate for d in stage.elected)
        previous = stage.votes
    return min(margins)


def test_against_stvpoll_on_random_elections() -> None:
    """Where the two differ, it is for one of two known reasons, and otherwise they always agree:

    - STVPoll rounds a transfer value to five places where the rules truncate it, so a margin within
      that rounding can go either way;
    - STVPoll elects everyone over the quota at once and lets one's surplus flow to another elected in
      the same round.

    Elections that need a lot are left out: the two draw different lots."""
    rng = random.Random(15)
    outcomes = {"same": 0, "rounding": 0, "together": 0}
    for _ in range(500):
        profile = random_profile(rng)
        result = stv.count(profile)
        names = profile.candidates
        ballots = [([names[c] for c in ballot.ranking], ballot.weight) for ballot in profile.ballots]
        if profile.seats == 1:
            reference = calculate_irv(names, ballots, allow_random=False)
        else:
            reference = calculate_scottish_stv(names, ballots, profile.seats, allow_random=False)
        if (
            any(tie.decided_by == "lot" for stage in result.stages for tie in stage.ties)
            or not reference.complete
        ):
            continue
        if set(reference.elected_as_tuple()) == set(result.elected):
            outcomes["same"] += 1
            continue
        tolerance = Decimal(result.valid) * len(result.stages) * Decimal("0.00001")
        assert profile.seats > 1, "one seat: the alternative vote must agree exactly"
        if closest_call(result) <= tolerance:
            outcomes["rounding"] += 1
        else:
            assert elected_together(result), (profile, result.elected, reference.elected_as_tuple())
            outcomes["together"] += 1
    counted = sum(outcomes.values())
    assert counted > 400
    assert outcomes["same"] / counted > 0.95, outcomes
