"""A balance rule for a post: at least so many of its seats to each named group (for example at least
2 of 4 seats to women), applied during an STV count (hub/stv.py).

The method is the constrained count of the Electoral Reform Society's rules and the Church of England's
election regulations, as I. D. Hill sets it out in "STV with constraints" (Voting matters 9, 1998):
a continuing candidate whose election would leave the rule impossible to meet is *doomed* and excluded
at once, and one whose exclusion would leave it impossible is *guarded* and never chosen for
exclusion. Each candidate is in at most one group and the rule only sets minimums, so whether it can
still be met is a sum, not the search over compositions that several overlapping constraints need
(J. Otten, "STV with multiple constraints", Voting matters 13, 2001).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Mapping


@dataclasses.dataclass(frozen=True)
class Balance:
    """`groups` gives candidates (by number) their group; `minimums` the seats each group must have."""

    groups: Mapping[int, str]
    minimums: Mapping[str, int]

    def shortfall(self, elected: Collection[int]) -> dict[str, int]:
        """Seats each group still needs, given who is elected."""
        have = Counter(self.groups[c] for c in elected if c in self.groups)
        return {group: need - have[group] for group, need in self.minimums.items() if need > have[group]}

    def possible(self, elected: Collection[int], continuing: Collection[int], vacancies: int) -> bool:
        """Whether the rule can still be met by electing continuing candidates to the vacancies."""
        short = self.shortfall(elected)
        if sum(short.values()) > vacancies:
            return False
        available = Counter(self.groups[c] for c in continuing if c in self.groups)
        return all(available[group] >= need for group, need in short.items())

    def doomed(self, elected: Collection[int], continuing: Collection[int], vacancies: int) -> list[int]:
        """Continuing candidates whose election now would make the rule impossible to meet.

        While the rule can be met, electing a candidate of a group still short of its minimum keeps it
        possible; electing anyone else does exactly when the shortfalls fill every vacancy.
        """
        short = self.shortfall(elected)
        if sum(short.values()) < vacancies:
            return []
        return [c for c in continuing if self.groups.get(c) not in short]

    def guarded(self, elected: Collection[int], continuing: Collection[int], vacancies: int) -> list[int]:
        """Continuing candidates whose exclusion now would make the rule impossible to meet: those of a
        group short of its minimum by as many as it has continuing candidates."""
        short = self.shortfall(elected)
        available = Counter(self.groups[c] for c in continuing if c in self.groups)
        return [
            c
            for c in continuing
            if (group := self.groups.get(c)) in short and available[group] <= short[group]
        ]
