"""Counting an election: 3,500 ranked ballots for 14 seats among 30 candidates by the single
transferable vote (hub/stv.py), and the same with a balance rule (at least 7 of the 14 seats to one
group); how long does the count take?

The ballots are drawn from a seed: candidates of unequal popularity, three slates whose supporters rank
their own slate's candidates high, the group the balance rule favours a little less popular than the
rest, and rankings of every length from one name to all thirty. Baselines in the same run: STVPoll
(PyPI `stvpoll`), an independent implementation of Scottish STV, counting the same ballots (without
the balance rule, which it does not have), and the floor of merely reading the ballots into a profile
and writing its BLT file (the count hashes that file for its seed).

    .venv/bin/python -m bench.count --ballots 3500 --seats 14 --candidates 30

Each path runs `--repeat` times; the medians, fastest and slowest are reported. Prints a table and,
last, one JSON line.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from stvpoll.scottish_stv import calculate_scottish_stv

from bench.harness import arguments, note, report, table
from hub import blt, rankings, stv

TARGET_MS = 500.0
# Of the voters, this share votes for one of the slates; the rest go by popularity alone.
SLATES = 3
BLOC_SHARE = 0.6
# How much more likely a slate's voter is to rank one of its candidates next.
SLATE_PULL = 6.0
# The balance rule's group is every candidate whose number is in GROUP_PLACES modulo 5 (12 of 30),
# a little less popular than the rest, so that the rule changes who is elected.
GROUP_PLACES = (0, 2)
GROUP_HANDICAP = 0.7
GROUP = "women"
# Preferences beyond the first: exponential with this mean; FULL_SHARE of the voters rank everyone.
MEAN_EXTRA = 4.0
FULL_SHARE = 0.05


def names(candidates: int) -> list[str]:
    return [f"Candidate {n:02}" for n in range(1, candidates + 1)]


def group(candidates: int) -> list[int]:
    """The candidates (by number) of the group the balance rule favours."""
    return [c for c in range(candidates) if c % 5 in GROUP_PLACES]


def slate(candidate: int) -> int | None:
    """The slate a candidate stands on, if any (every fourth stands on none)."""
    place = candidate % (SLATES + 1)
    return place if place < SLATES else None


def ballots(seed: int, candidates: int, voters: int) -> list[tuple[int, ...]]:
    """One ranking (candidate numbers, first preference first) per voter, the same for the same seed.

    Each voter ranks by the Plackett-Luce model: the next preference is a candidate not yet ranked,
    drawn with probability in proportion to their weight (sorting by exponential draws does that)."""
    rng = random.Random(seed)
    favoured = set(group(candidates))
    popularity = [
        rng.lognormvariate(0, 0.8) * (GROUP_HANDICAP if c in favoured else 1.0) for c in range(candidates)
    ]
    pulled = [
        [weight * SLATE_PULL if slate(c) == s else weight for c, weight in enumerate(popularity)]
        for s in range(SLATES)
    ]
    drawn = []
    for _ in range(voters):
        weights = pulled[rng.randrange(SLATES)] if rng.random() < BLOC_SHARE else popularity
        full = rng.random() < FULL_SHARE
        length = candidates if full else min(candidates, 1 + int(rng.expovariate(1 / MEAN_EXTRA)))
        order = sorted(range(candidates), key=lambda c: rng.expovariate(weights[c]))
        drawn.append(tuple(order[:length]))
    return drawn


def timed(work: Callable[[], Any], repeat: int) -> tuple[dict[str, float], Any]:
    """`work()` `repeat` times, each after a full collection: its median, fastest and slowest, and
    its last result."""
    spent = []
    result = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = work()
        spent.append(1000 * (time.perf_counter() - start))
    spread = {"median_ms": statistics.median(spent), "min_ms": min(spent), "max_ms": max(spent)}
    return {k: round(v, 1) for k, v in spread.items()}, result


def from_group(result: stv.Count, members: set[str]) -> int:
    return sum(name in members for name in result.elected)


def balance_stages(result: stv.Count) -> int:
    """Stages at which the balance rule acted: kept a candidate of the group from exclusion, or excluded
    one whose election would have left the rule impossible to meet."""
    return sum(
        bool(stage.kept) or any(d.reason is stv.Reason.BALANCE for d in stage.excluded)
        for stage in result.stages
    )


def bench(voters: int, candidates: int, seats: int, seed: int, repeat: int) -> dict[str, Any]:
    everyone = names(candidates)
    drawn = [[everyone[c] for c in ranking] for ranking in ballots(seed, candidates, voters)]
    favoured = {everyone[c] for c in group(candidates)}
    rule = stv.BalanceRule(groups=dict.fromkeys(favoured, GROUP), minimums={GROUP: (seats + 1) // 2})

    def read() -> str:
        return blt.write(rankings.profile("Council", everyone, seats, drawn))

    note(f"{voters} ballots: reading them")
    floor, _ = timed(read, repeat)
    profile = rankings.profile("Council", everyone, seats, drawn)
    note(f"{voters} ballots: counting")
    plain, counted = timed(lambda: stv.count(profile), repeat)
    note(f"{voters} ballots: counting with the balance rule")
    balanced, counted_balanced = timed(lambda: stv.count(profile, rule), repeat)
    # STVPoll takes the same merged ballots: (names in order of preference, how many cast them).
    merged = [([everyone[c] for c in ballot.ranking], ballot.weight) for ballot in profile.ballots]
    note(f"{voters} ballots: STVPoll")
    reference, referred = timed(
        lambda: calculate_scottish_stv(everyone, merged, seats, allow_random=False), repeat
    )
    return {
        "benchmark": "count",
        "ballots": voters,
        "distinct": len(profile.ballots),
        "candidates": candidates,
        "seats": seats,
        "seed": seed,
        "repeat": repeat,
        "stages": len(counted.stages),
        "stages_balance": len(counted_balanced.stages),
        "group_elected": from_group(counted, favoured),
        "group_elected_balance": from_group(counted_balanced, favoured),
        "group_minimum": rule.minimums[GROUP],
        "balance_stages": balance_stages(counted_balanced),
        # The same seats, in whatever order: a check that both counted the same election.
        "stvpoll_agrees": set(referred.elected_as_tuple()) == set(counted.elected),
        "read_and_blt": floor,
        "count": plain,
        "count_balance": balanced,
        "stvpoll": reference,
        "ratio_stvpoll": round(plain["median_ms"] / reference["median_ms"], 3),
        "target_ms": TARGET_MS,
        "target_met": max(plain["median_ms"], balanced["median_ms"]) < TARGET_MS,
    }


def summary(results: list[dict[str, Any]]) -> str:
    def spread(timing: dict[str, float]) -> str:
        return f"{timing['median_ms']} ({timing['min_ms']}-{timing['max_ms']})"

    columns = [
        "ballots (distinct)",
        "stages (plain, balance)",
        "group's seats (plain, balance)",
        "read + BLT (ms)",
        "count (ms)",
        "count, balance rule (ms)",
        "STVPoll (ms)",
        "count / STVPoll",
        "same seats",
        f"under {TARGET_MS:.0f} ms",
    ]
    rows = [
        [
            f"{r['ballots']} ({r['distinct']})",
            f"{r['stages']}, {r['stages_balance']}",
            f"{r['group_elected']}, {r['group_elected_balance']} (at least {r['group_minimum']}, "
            f"the rule acting at {r['balance_stages']} stages)",
            spread(r["read_and_blt"]),
            spread(r["count"]),
            spread(r["count_balance"]),
            spread(r["stvpoll"]),
            f"{r['ratio_stvpoll']}x",
            "yes" if r["stvpoll_agrees"] else "no",
            "yes" if r["target_met"] else "no",
        ]
        for r in results
    ]
    return table(columns, rows) + "\n\nmedian (fastest-slowest) of each path's repetitions"


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--ballots", type=int, nargs="+", default=[3500])
    parser.add_argument("--seats", type=int, default=14)
    parser.add_argument("--candidates", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    report([bench(n, args.candidates, args.seats, args.seed, args.repeat) for n in args.ballots], summary)
