"""Pure rules for fair meeting times across time zones: how many members a weekly slot asks to meet at
night or at the edges of their day, by region, for each date it falls on (so daylight-saving changes
count), and a rotation of slots for a series so that no region always carries the night. No I/O.

A member's cost for a meeting is the worst hour it touches in their own zone: any minute between 23:00
and 07:00 is night; otherwise any minute between 07:00 and 09:00 or between 21:00 and 23:00 is the edge
of the day, a lesser cost."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

# How much worse a night is than the edge of a day, when slots are ranked.
NIGHT_WEIGHT = 4
EDGE_WEIGHT = 1
# Minutes of the local day: [from, to).
_NIGHT = ((23 * 60, 24 * 60), (0, 7 * 60))
_EDGE = ((7 * 60, 9 * 60), (21 * 60, 23 * 60))
_DAY = 24 * 60


class Cost(enum.IntEnum):
    NONE = 0
    EDGE = 1
    NIGHT = 2


@dataclass(frozen=True, order=True)
class Slot:
    """A weekly time in one zone: `weekday` 0 is Monday."""

    weekday: int
    start: time
    minutes: int
    zone: str

    def on(self, first: date) -> datetime:
        """The slot's first occurrence on or after `first`, as an aware time in its zone."""
        days = (self.weekday - first.weekday()) % 7
        return datetime.combine(first + timedelta(days=days), self.start, ZoneInfo(self.zone))


@dataclass(frozen=True)
class Burden:
    """Members asked to meet at night and at the edge of their day."""

    night: int = 0
    edge: int = 0

    @property
    def weight(self) -> int:
        return NIGHT_WEIGHT * self.night + EDGE_WEIGHT * self.edge

    def __add__(self, other: Burden) -> Burden:
        return Burden(self.night + other.night, self.edge + other.edge)


@dataclass(frozen=True)
class Score:
    """A slot over the dates it falls on: the worst date's burden overall and by region (a slot whose
    burden changes with daylight saving shows its worst weeks), and whether the dates differ."""

    slot: Slot
    burden: Burden
    by_region: Mapping[str, Burden]
    varies: bool


def region(zone: str) -> str:
    """The part of the world a zone names: its first part (Europe, America, Asia, Africa, Australia,
    Pacific, ...); UTC and other single names are their own."""
    return zone.split("/", 1)[0]


def _touches(start: int, minutes: int, bands: Iterable[tuple[int, int]]) -> bool:
    """Whether minutes [start, start + minutes) of the local day, running past midnight if they do,
    overlap any of the bands."""
    end = start + minutes
    spans = [(start, min(end, _DAY))] + ([(0, end - _DAY)] if end > _DAY else [])
    return any(a < hi and lo < b for a, b in spans for lo, hi in bands)


def cost(start_utc: datetime, minutes: int, zone: ZoneInfo) -> Cost:
    """What a meeting starting at `start_utc` asks of a member living in `zone`."""
    local = start_utc.astimezone(zone)
    start = local.hour * 60 + local.minute
    if _touches(start, minutes, _NIGHT):
        return Cost.NIGHT
    if _touches(start, minutes, _EDGE):
        return Cost.EDGE
    return Cost.NONE


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def burden_at(start: datetime, minutes: int, zones: Mapping[str, int]) -> dict[str, Burden]:
    """Per region, the members (counted by zone) a meeting at `start` asks at night or at the edge."""
    start_utc = start.astimezone(UTC)
    out: dict[str, Burden] = {}
    for zone, count in zones.items():
        asked = cost(start_utc, minutes, _zone(zone))
        if asked is Cost.NONE:
            continue
        add = Burden(night=count) if asked is Cost.NIGHT else Burden(edge=count)
        out[region(zone)] = out.get(region(zone), Burden()) + add
    return out


def _dates(weekday: int, zones: tuple[str, ...], first: date, weeks: int) -> list[date]:
    """The dates `weekday` falls on in the next `weeks`, one for each different set of UTC offsets the
    zones have on them (a daylight-saving change counts from the day it happens)."""
    start = first + timedelta(days=(weekday - first.weekday()) % 7)
    found: dict[tuple[timedelta | None, ...], date] = {}
    for week in range(weeks):
        day = start + timedelta(weeks=week)
        noon = datetime.combine(day, time(12), UTC)
        found.setdefault(tuple(noon.astimezone(_zone(z)).utcoffset() for z in zones), day)
    return list(found.values())


def score(slot: Slot, zones: Mapping[str, int], first: date, weeks: int = 26) -> Score:
    """`slot` on its dates in the next `weeks` from `first`, for members counted by zone."""
    return _score(slot, zones, _dates(slot.weekday, (slot.zone, *sorted(zones)), first, weeks))


def _score(slot: Slot, zones: Mapping[str, int], dates: Sequence[date]) -> Score:
    worst: dict[str, Burden] = {}
    seen: set[tuple[tuple[str, Burden], ...]] = set()
    for day in dates:
        # The same wall-clock time in the slot's zone, whatever its offset that day.
        regions = burden_at(datetime.combine(day, slot.start, _zone(slot.zone)), slot.minutes, zones)
        seen.add(tuple(sorted(regions.items(), key=lambda r: r[0])))
        for name, b in regions.items():
            held = worst.get(name, Burden())
            worst[name] = b if b.weight > held.weight else held
    total = sum(worst.values(), Burden())
    return Score(slot, total, dict(sorted(worst.items())), len(seen) > 1)


def candidates(
    zones: Mapping[str, int],
    home: str,
    first: date,
    minutes: int = 90,
    step: int = 30,
    weekdays: Sequence[int] = tuple(range(7)),
    weeks: int = 26,
) -> list[Score]:
    """Every slot on `weekdays` starting each `step` minutes in the `home` zone, best first (least
    weighted burden, then earliest in the week)."""
    named = (home, *sorted(zones))
    scores = [
        _score(Slot(day, time(minute // 60, minute % 60), minutes, home), zones, dates)
        for day in weekdays
        for dates in [_dates(day, named, first, weeks)]
        for minute in range(0, 24 * 60, step)
    ]
    return sorted(scores, key=lambda s: (s.burden.weight, s.slot))


@dataclass(frozen=True)
class Rotation:
    slots: tuple[Slot, ...]
    # Over the whole series, each region's meetings at night as a share of its members: 1.0 is one
    # whole meeting's worth of the region's members asked to meet at night.
    nights: Mapping[str, float]


def rotation(scores: Sequence[Score], zones: Mapping[str, int], meetings: int, choices: int = 4) -> Rotation:
    """A series of `meetings` in which the region most often asked to meet at night is asked as rarely
    as can be. The slots to draw from are the `choices` best overall and, for each region, the
    `choices` best that spare it the night; each meeting takes the slot that keeps the worst region's
    running share of nights lowest (then a slot used less so far, then the lighter one). A region's
    share counts its members, so a region of three is not outweighed by one of thirty."""
    people: Counter[str] = Counter()
    for zone, count in zones.items():
        people[region(zone)] += count
    pool = list(scores[:choices])
    for name in people:
        spared = [s for s in scores if not s.by_region.get(name, Burden()).night][:choices]
        pool += [s for s in spared if s not in pool]
    if not pool or meetings < 1:
        return Rotation((), {})
    nights: dict[str, float] = {}
    chosen: list[Slot] = []

    def after(s: Score) -> tuple[float, int, int, Slot]:
        totals = dict(nights)
        for name, b in s.by_region.items():
            totals[name] = totals.get(name, 0.0) + b.night / people[name]
        return (max(totals.values(), default=0.0), chosen.count(s.slot), s.burden.weight, s.slot)

    for _ in range(meetings):
        best = min(pool, key=after)
        chosen.append(best.slot)
        for name, b in best.by_region.items():
            if b.night:
                nights[name] = nights.get(name, 0.0) + b.night / people[name]
    return Rotation(tuple(chosen), {name: round(n, 3) for name, n in sorted(nights.items())})
