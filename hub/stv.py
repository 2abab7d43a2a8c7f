"""The count of a ranked election: one seat by instant run-off (the alternative vote), several by the
single transferable vote under the rules of Scottish local government elections, with an optional
balance rule (hub/balance.py). docs/elections.md states the rules with their sources.

The count is a pure function of the ballots: no clock, no randomness beyond a seed it records (a lot
is drawn from it), and exact arithmetic in whole units of 1/100000 of a vote, so that a transfer value
"calculated to five decimal places (any remainder being ignored)" is floor division and nothing is
ever rounded twice.

Rule numbers are those of The Scottish Local Government Elections Order 2011 (SSI 2011/399),
Schedule 1, rules 46 to 53.
"""

from __future__ import annotations

import enum
import hashlib
from collections import defaultdict
from collections.abc import Collection
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub import blt
from hub.balance import Balance
from hub.rankings import Profile

# One vote is SCALE units: five decimal places.
SCALE = 100_000


class Method(enum.StrEnum):
    # One seat: the alternative vote. It is the same count as below with one seat (docs/elections.md).
    IRV = "irv"
    STV = "scottish_stv"


class Reason(enum.StrEnum):
    # Elected: reached the quota (rule 48).
    QUOTA = "quota"
    # Elected: as many continuing candidates as vacancies left (rule 53).
    LAST_VACANCIES = "last_vacancies"
    # Excluded: the fewest votes (rule 51).
    LOWEST = "lowest"
    # Excluded: their election would make the balance rule impossible to meet.
    BALANCE = "balance"


class StageKind(enum.StrEnum):
    FIRST = "first"
    SURPLUS = "surplus"
    EXCLUSION = "exclusion"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Decision(_Record):
    candidate: str
    reason: Reason


class Tie(_Record):
    """Candidates level when one had to be chosen, and how the choice was made (rules 50 and 52)."""

    # What was chosen: whose papers to exclude, whose surplus to transfer first, who is elected first.
    purpose: Literal["exclusion", "surplus", "election_order"]
    candidates: list[str]
    chosen: str
    decided_by: Literal["earlier_stage", "lot"]
    # The most recent earlier stage at which they were not level, when that decided it.
    stage: int | None = None


class Stage(_Record):
    number: int
    kind: StageKind
    # Whose surplus, or whose papers on exclusion, this stage transferred (empty at the first stage).
    subject: list[str]
    # Surplus stages: the transfer value of the papers, one for each value at which they were received.
    transfer_values: list[Decimal]
    # The change in each candidate's votes at this stage, and their votes at its end.
    transfers: dict[str, Decimal]
    votes: dict[str, Decimal]
    # Papers with no next available preference, at the value they would have gone on at.
    non_transferable: Decimal
    # What truncating transfer values to five decimal places left untransferred of a surplus.
    fractions: Decimal
    elected: list[Decision]
    excluded: list[Decision]
    # Candidates the balance rule kept from exclusion at this stage although they had no more votes.
    kept: list[str]
    ties: list[Tie]


class BalanceRule(_Record):
    """At least `minimums[group]` seats to each group; `groups` gives candidates (by name) their group."""

    groups: dict[str, str] = Field(max_length=500)
    minimums: dict[str, int] = Field(max_length=50)


class Count(_Record):
    title: str
    method: Method
    seats: int
    candidates: list[str]
    withdrawn: list[str]
    # Ballots with a first preference for a standing candidate, and those without one.
    valid: int
    empty: int
    quota: int
    balance: BalanceRule | None
    # What any lot was drawn from: by default the SHA-256 of the anonymised BLT file of the ballots.
    seed: str
    stages: list[Stage]
    # In order of election.
    elected: list[str]


def decimal(units: int) -> Decimal:
    """Units of 1/100000 of a vote as an exact decimal with five places."""
    sign = "-" if units < 0 else ""
    whole, part = divmod(abs(units), SCALE)
    return Decimal(f"{sign}{whole}.{part:05d}")


def default_seed(profile: Profile) -> str:
    return hashlib.sha256(blt.write(profile).encode()).hexdigest()


def count(profile: Profile, balance: BalanceRule | None = None, seed: str | None = None) -> Count:
    """Count the ballots; a `ValueError` says why they cannot be counted (no valid ballot, a balance
    rule that cannot be met)."""
    return _Counter(profile, balance, default_seed(profile) if seed is None else seed).run()


class _Parcel:
    """Papers with one ranking, held by the candidate at `position` on it, each worth `value` units."""

    __slots__ = ("papers", "position", "ranking", "value")

    def __init__(self, ranking: tuple[int, ...], papers: int) -> None:
        self.ranking = ranking
        self.position = 0
        self.papers = papers
        self.value = SCALE


class _Counter:
    def __init__(self, profile: Profile, rule: BalanceRule | None, seed: str) -> None:
        self.profile = profile
        self.rule = rule
        self.seed = seed
        self.names = profile.candidates
        self.standing = [c for c in range(len(self.names)) if c not in profile.withdrawn]
        self.continuing = set(self.standing)
        self.elected: list[int] = []
        self.pending: set[int] = set()  # elected with a surplus not yet transferred
        self.papers: dict[int, list[_Parcel]] = {c: [] for c in self.standing}
        self.votes = dict.fromkeys(self.standing, 0)
        self.history: list[dict[int, int]] = []
        self.stages: list[Stage] = []
        self.ties: list[Tie] = []
        valid = empty = 0
        for ballot in profile.canonical().ballots:
            ranking = tuple(c for c in ballot.ranking if c not in profile.withdrawn)
            if not ranking:
                empty += ballot.weight
                continue
            valid += ballot.weight
            self.papers[ranking[0]].append(_Parcel(ranking, ballot.weight))
            self.votes[ranking[0]] += ballot.weight * SCALE
        if not valid:
            raise ValueError("there are no valid ballots to count")
        self.valid, self.empty = valid, empty
        # Rule 47: the quota.
        self.quota = valid // (profile.seats + 1) + 1
        self.quota_units = self.quota * SCALE
        self.balance = self._balance(rule)

    def _balance(self, rule: BalanceRule | None) -> Balance | None:
        if rule is None or not rule.minimums:
            return None
        number = {name: index for index, name in enumerate(self.names)}
        unknown = sorted(set(rule.groups) - set(number))
        if unknown:
            raise ValueError(f"the balance rule names {unknown[0]!r}, who is not a candidate")
        for group, minimum in rule.minimums.items():
            if minimum < 1:
                raise ValueError(f"the balance rule asks for {minimum} seats to {group!r}: at least 1")
        balance = Balance({number[name]: group for name, group in rule.groups.items()}, dict(rule.minimums))
        if sum(rule.minimums.values()) > self.profile.seats:
            raise ValueError(
                f"the balance rule asks for {sum(rule.minimums.values())} seats of {self.profile.seats}"
            )
        for group, minimum in rule.minimums.items():
            standing = sum(1 for c in self.standing if balance.groups.get(c) == group)
            if standing < minimum:
                raise ValueError(
                    f"the balance rule cannot be met: it asks for {minimum} seats to {group!r} "
                    f"and {standing} such candidates stand"
                )
        return balance

    @property
    def vacancies(self) -> int:
        return self.profile.seats - len(self.elected)

    def run(self) -> Count:
        # Rule 46: the first stage, first preferences.
        self._finish(StageKind.FIRST, [], [], {}, 0, 0, [])
        while self.vacancies and self.continuing:
            doomed = self._doomed()
            if doomed:
                self._exclude(doomed, Reason.BALANCE, [])
            elif self.pending:
                # Rules 49 and 50: the largest surplus first.
                surpluses = {c: self.votes[c] - self.quota_units for c in self.pending}
                self._surplus(self._choose(surpluses, highest=True, purpose="surplus"))
            else:
                # Rules 51 and 52: exclude the lowest, passing over those the balance rule guards.
                guarded = set(self._guarded())
                open_ = {c: self.votes[c] for c in self.continuing if c not in guarded}
                # While the rule can be met, not every continuing candidate is guarded, or rule 53
                # would have filled the vacancies already (docs/elections.md).
                assert open_, "every continuing candidate is guarded"
                lowest = self._choose(open_, highest=False, purpose="exclusion")
                kept = sorted(c for c in guarded if self.votes[c] <= self.votes[lowest])
                self._exclude([lowest], Reason.LOWEST, kept)
        return Count(
            title=self.profile.title,
            method=Method.IRV if self.profile.seats == 1 else Method.STV,
            seats=self.profile.seats,
            candidates=list(self.names),
            withdrawn=[self.names[c] for c in sorted(self.profile.withdrawn)],
            valid=self.valid,
            empty=self.empty,
            quota=self.quota,
            balance=self.rule if self.balance else None,
            seed=self.seed,
            stages=self.stages,
            elected=[self.names[c] for c in self.elected],
        )

    def _doomed(self) -> list[int]:
        if self.balance is None:
            return []
        return sorted(self.balance.doomed(self.elected, self.continuing, self.vacancies))

    def _guarded(self) -> list[int]:
        if self.balance is None:
            return []
        return self.balance.guarded(self.elected, self.continuing, self.vacancies)

    def _next(self, parcel: _Parcel) -> int | None:
        """Move a parcel to its next available preference: the next candidate on it still continuing."""
        ranking, position = parcel.ranking, parcel.position + 1
        while position < len(ranking) and ranking[position] not in self.continuing:
            position += 1
        parcel.position = position
        return ranking[position] if position < len(ranking) else None

    def _surplus(self, transferring: int) -> None:
        """Rule 49: every paper the candidate holds goes on at surplus x its value / their votes."""
        self.pending.discard(transferring)
        total = self.votes[transferring]
        surplus = total - self.quota_units
        values: dict[int, int] = {}
        gains: dict[int, int] = defaultdict(int)
        moved = lost = 0
        for parcel in self.papers.pop(transferring):
            received = parcel.value
            if received not in values:
                values[received] = surplus * received // total
            parcel.value = values[received]
            amount = parcel.papers * parcel.value
            moved += amount
            target = self._next(parcel)
            if target is None:
                lost += amount
            else:
                gains[target] += amount
                self.papers[target].append(parcel)
        self.votes[transferring] = self.quota_units
        for target, amount in gains.items():
            self.votes[target] += amount
        transfer_values = sorted(set(values.values()), reverse=True)
        self._finish(StageKind.SURPLUS, [transferring], [], {}, lost, surplus - moved, transfer_values)

    def _exclude(self, excluded: list[int], reason: Reason, kept: list[int]) -> None:
        """Rule 51: every paper of the excluded goes on at the value it was received at."""
        self.continuing.difference_update(excluded)
        gains: dict[int, int] = defaultdict(int)
        lost = 0
        for candidate in excluded:
            for parcel in self.papers.pop(candidate):
                amount = parcel.papers * parcel.value
                target = self._next(parcel)
                if target is None:
                    lost += amount
                else:
                    gains[target] += amount
                    self.papers[target].append(parcel)
            self.votes[candidate] = 0
        for target, amount in gains.items():
            self.votes[target] += amount
        decisions = {c: reason for c in excluded}
        self._finish(StageKind.EXCLUSION, excluded, kept, decisions, lost, 0, [])

    def _finish(
        self,
        kind: StageKind,
        subject: list[int],
        kept: list[int],
        excluded: dict[int, Reason],
        non_transferable: int,
        fractions: int,
        transfer_values: list[int],
    ) -> None:
        """Close a stage: record the votes, then deem elected whoever the rules elect at its end."""
        self.history.append(dict(self.votes))
        number = len(self.stages) + 1
        elected = self._elect(number)
        previous = self.stages[-1].votes if self.stages else {}
        votes = {self.names[c]: decimal(self.votes[c]) for c in self.standing}
        self.stages.append(
            Stage(
                number=number,
                kind=kind,
                subject=[self.names[c] for c in subject],
                transfer_values=[decimal(value) for value in transfer_values],
                transfers={name: value - previous.get(name, Decimal(0)) for name, value in votes.items()},
                votes=votes,
                non_transferable=decimal(non_transferable),
                fractions=decimal(fractions),
                elected=elected,
                excluded=[Decision(candidate=self.names[c], reason=r) for c, r in excluded.items()],
                kept=[self.names[c] for c in kept],
                ties=self.ties,
            )
        )
        self.ties = []

    def _elect(self, stage: int) -> list[Decision]:
        decisions = []
        # Rule 48: whoever has reached the quota, in order of their votes.
        reached = {c: self.votes[c] for c in self.continuing if self.votes[c] >= self.quota_units}
        for candidate in self._order(reached, "election_order"):
            if not self.vacancies:
                break
            if candidate in self._doomed():
                continue  # passed over: excluded at the next stage
            decisions.append(self._deem_elected(candidate, Reason.QUOTA))
            if self.votes[candidate] > self.quota_units:
                self.pending.add(candidate)
        # Rule 53: as many continuing candidates as vacancies. While the balance rule can be met, none of
        # them is doomed then (docs/elections.md); those doomed before are excluded first, on the record.
        rest = {c: self.votes[c] for c in self.continuing}
        if self.vacancies and len(rest) <= self.vacancies:
            decisions.extend(
                self._deem_elected(c, Reason.LAST_VACANCIES) for c in self._order(rest, "election_order")
            )
        return decisions

    def _deem_elected(self, candidate: int, reason: Reason) -> Decision:
        self.continuing.discard(candidate)
        self.elected.append(candidate)
        return Decision(candidate=self.names[candidate], reason=reason)

    def _order(self, values: dict[int, int], purpose: Literal["election_order"]) -> list[int]:
        order = []
        values = dict(values)
        while values:
            chosen = self._choose(values, highest=True, purpose=purpose)
            order.append(chosen)
            del values[chosen]
        return order

    def _choose(
        self,
        values: dict[int, int],
        highest: bool,
        purpose: Literal["exclusion", "surplus", "election_order"],
    ) -> int:
        """The candidate with the most (or fewest) of `values`; a tie goes to the most recent earlier
        stage at which the tied candidates' votes differed (rules 50(2) and 52(2)(a)), then to the lot."""
        best = max(values.values()) if highest else min(values.values())
        tied = sorted(c for c, value in values.items() if value == best)
        if len(tied) == 1:
            return tied[0]
        group = tied
        pick = max if highest else min
        for index in range(len(self.history) - 1, -1, -1):
            at = {c: self.history[index][c] for c in group}
            if len(set(at.values())) > 1:
                target = pick(at.values())
                group = [c for c in group if at[c] == target]
                if len(group) == 1:
                    self._tie(purpose, tied, group[0], "earlier_stage", index + 1)
                    return group[0]
        chosen = min(group, key=lambda c: self._lot(c))
        self._tie(purpose, tied, chosen, "lot", None)
        return chosen

    def _lot(self, candidate: int) -> str:
        """Rules 50(3) and 52(2)(b), by lot: the tied candidate with the smallest SHA-256 of
        "seed:stage:name" is drawn (the stage being the one the choice is made for)."""
        return hashlib.sha256(
            f"{self.seed}:{len(self.stages) + 1}:{self.names[candidate]}".encode()
        ).hexdigest()

    def _tie(self, purpose: str, tied: Collection[int], chosen: int, by: str, stage: int | None) -> None:
        self.ties.append(
            Tie.model_validate(
                {
                    "purpose": purpose,
                    "candidates": [self.names[c] for c in tied],
                    "chosen": self.names[chosen],
                    "decided_by": by,
                    "stage": stage,
                }
            )
        )
