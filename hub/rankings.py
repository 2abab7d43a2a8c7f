"""Ranked ballots: the preference profile of an election, as counted (hub/stv.py) and as written to and
read from BLT files (hub/blt.py).

A profile holds no voter: a ballot is a weight (how many voters cast that ranking) and a ranking of
candidate numbers, and `canonical()` merges equal rankings and sorts them, so nothing of the order in
which ballots were cast survives.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable

# A name or title goes into a BLT file between double quotes, with no way to escape one.
_FORBIDDEN = frozenset('"') | frozenset(chr(code) for code in range(32)) | {"\x7f"}
MAX_CANDIDATES = 500
MAX_NAME = 200


def check_text(text: str, what: str) -> None:
    """Refuse a name or title that a BLT file cannot hold."""
    if not text.strip():
        raise ValueError(f"{what} is empty")
    if len(text) > MAX_NAME:
        raise ValueError(f"{what} is longer than {MAX_NAME} characters")
    bad = sorted(set(text) & _FORBIDDEN)
    if bad:
        raise ValueError(f"{what} {text!r} contains {bad[0]!r}, which a BLT file cannot hold")


@dataclasses.dataclass(frozen=True)
class Ballot:
    """`weight` voters ranked these candidates (numbers from 0), first preference first."""

    weight: int
    ranking: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Profile:
    title: str
    candidates: tuple[str, ...]
    seats: int
    ballots: tuple[Ballot, ...]
    # Candidates who withdrew before the count: their names stay on the ballots and are skipped.
    withdrawn: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        check_text(self.title, "the title")
        if not 1 <= len(self.candidates) <= MAX_CANDIDATES:
            raise ValueError(f"an election needs 1 to {MAX_CANDIDATES} candidates")
        for name in self.candidates:
            check_text(name, "a candidate's name")
        repeated = [name for name, times in Counter(self.candidates).items() if times > 1]
        if repeated:
            raise ValueError(f"two candidates are both called {repeated[0]!r}")
        if not 1 <= self.seats <= len(self.candidates):
            raise ValueError(f"{self.seats} seats for {len(self.candidates)} candidates")
        numbers = range(len(self.candidates))
        if any(number not in numbers for number in self.withdrawn):
            raise ValueError("a withdrawn candidate is not among the candidates")
        for ballot in self.ballots:
            if ballot.weight < 1:
                raise ValueError(f"a ballot has weight {ballot.weight}: weights are whole numbers from 1")
            if any(number not in numbers for number in ballot.ranking):
                raise ValueError("a ballot ranks someone who is not a candidate")
            if len(set(ballot.ranking)) != len(ballot.ranking):
                raise ValueError("a ballot ranks a candidate twice")

    def canonical(self) -> Profile:
        """The same election with equal rankings merged and sorted: the anonymised form."""
        weights: Counter[tuple[int, ...]] = Counter()
        for ballot in self.ballots:
            weights[ballot.ranking] += ballot.weight
        ballots = tuple(Ballot(weight, ranking) for ranking, weight in sorted(weights.items()))
        return dataclasses.replace(self, ballots=ballots)

    def with_seats(self, seats: int) -> Profile:
        return dataclasses.replace(self, seats=seats)


def profile(
    title: str,
    candidates: Iterable[str],
    seats: int,
    rankings: Iterable[Iterable[str]],
    withdrawn: Iterable[str] = (),
) -> Profile:
    """A profile from rankings by name, one per voter (the form the hub's ballot box will hand over)."""
    names = tuple(candidates)
    number = {name: index for index, name in enumerate(names)}

    def numbers(ranking: Iterable[str]) -> tuple[int, ...]:
        try:
            return tuple(number[name] for name in ranking)
        except KeyError as exc:
            raise ValueError(f"a ballot ranks {exc.args[0]!r}, who is not a candidate") from None

    try:
        gone = frozenset(number[name] for name in withdrawn)
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} withdrew but is not a candidate") from None
    ballots = tuple(Ballot(1, numbers(ranking)) for ranking in rankings)
    return Profile(title, names, seats, ballots, gone).canonical()
