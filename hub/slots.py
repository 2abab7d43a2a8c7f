"""Pure rules for fair meeting times across time zones: how many members a weekly slot asks to meet at
night or at the edges of their day, by region, for each date it falls on (so daylight-saving changes
count), and a rotation of slots for a series so that no region always carries the night. No I/O.

A member's cost for a meeting is the worst hour it touches in their own zone: any minute between 23:00
and 07:00 is night; otherwise any minute between 07:00 and 09:00 or between 21:00 and 23:00 is the edge
of the day, a lesser cost."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    return _cost(local.hour * 60 + local.minute, minutes)


@cache
def _cost(start: int, minutes: int) -> Cost:
    """What a meeting starting at minute `start` of the local day asks."""
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
    utc_minute = start_utc.hour * 60 + start_utc.minute
    # Only the zone's offset at that instant is looked up per zone; a local start's cost is cached.
    night: Counter[str] = Counter()
    edge: Counter[str] = Counter()
    for zone, count in zones.items():
        offset = start_utc.astimezone(_zone(zone)).utcoffset()
        local = (utc_minute + (offset // timedelta(minutes=1) if offset else 0)) % _DAY
        asked = _cost(local, minutes)
        if asked is Cost.NIGHT:
            night[region(zone)] += count
        elif asked is Cost.EDGE:
            edge[region(zone)] += count
    return {name: Burden(night[name], edge[name]) for name in sorted(night.keys() | edge.keys())}


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
    scores = [s for day in weekdays for s in day_scores(zones, home, day, first, minutes, step, weeks)]
    return sorted(scores, key=lambda s: (s.burden.weight, s.slot))


def day_scores(
    zones: Mapping[str, int],
    home: str,
    weekday: int,
    first: date,
    minutes: int = 90,
    step: int = 60,
    weeks: int = 26,
) -> list[Score]:
    """The slots of one weekday starting each `step` minutes in the `home` zone, in the order of the
    day: the rows of a heat map."""
    dates = _dates(weekday, (home, *sorted(zones)), first, weeks)
    return [
        _score(Slot(weekday, time(minute // 60, minute % 60), minutes, home), zones, dates)
        for minute in range(0, 24 * 60, step)
    ]


def people(zones: Mapping[str, int]) -> Counter[str]:
    """Members counted by region."""
    found: Counter[str] = Counter()
    for zone, count in zones.items():
        found[region(zone)] += count
    return found


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
    counted = people(zones)
    chosen = _rotate(_pool(scores, counted, choices), counted, meetings, lambda n, s: s.by_region)
    return Rotation(tuple(s.slot for s, _ in chosen), nights([b for _, b in chosen], counted))


def _pool(scores: Sequence[Score], counted: Mapping[str, int], choices: int) -> list[Score]:
    pool = list(scores[:choices])
    for name in counted:
        spared = [s for s in scores if not s.by_region.get(name, Burden()).night][:choices]
        pool += [s for s in spared if s not in pool]
    return pool


# A slot's burden at the nth meeting of a series; None when the slot cannot be held then.
Burdens = Callable[[int, Score], Mapping[str, Burden] | None]


def _rotate(
    pool: Sequence[Score], counted: Mapping[str, int], meetings: int, burden: Burdens
) -> list[tuple[Score, Mapping[str, Burden]]]:
    running: dict[str, float] = {}
    chosen: list[tuple[Score, Mapping[str, Burden]]] = []
    for n in range(max(meetings, 0)):
        options = [(s, b) for s in pool if (b := burden(n, s)) is not None]

        def after(option: tuple[Score, Mapping[str, Burden]]) -> tuple[float, int, int, Slot]:
            s, b = option
            totals = dict(running)
            for name, each in b.items():
                totals[name] = totals.get(name, 0.0) + each.night / counted[name]
            used = sum(1 for c, _ in chosen if c.slot == s.slot)
            return (max(totals.values(), default=0.0), used, sum(x.weight for x in b.values()), s.slot)

        if not options:
            break
        best = min(options, key=after)
        chosen.append(best)
        for name, each in best[1].items():
            if each.night:
                running[name] = running.get(name, 0.0) + each.night / counted[name]
    return chosen


def nights(meetings: Iterable[Mapping[str, Burden]], counted: Mapping[str, int]) -> dict[str, float]:
    """Each region's meetings at night over a series, as a share of its members (1.0: one whole
    meeting's worth of the region's members asked to meet at night)."""
    found: dict[str, float] = {}
    for burden in meetings:
        for name, b in burden.items():
            if b.night:
                found[name] = found.get(name, 0.0) + b.night / counted[name]
    return {name: round(n, 3) for name, n in sorted(found.items())}


# A series of meetings on given dates.


@dataclass(frozen=True)
class Planned:
    """One meeting of a series: when it starts (in its slot's zone) and whom it asks, by region."""

    start: datetime
    minutes: int
    by_region: Mapping[str, Burden]


def exists(at: datetime) -> bool:
    """Whether a wall-clock time happens in its zone (not in the hour the clocks skip)."""
    return at.astimezone(UTC).astimezone(at.tzinfo).replace(tzinfo=None) == at.replace(tzinfo=None)


def planned(start: datetime, minutes: int, zones: Mapping[str, int]) -> Planned:
    """A meeting at `start` scored on its own date."""
    return Planned(start, minutes, dict(sorted(burden_at(start, minutes, zones).items())))


def plan(
    scores: Sequence[Score], zones: Mapping[str, int], anchors: Sequence[date], choices: int = 4
) -> tuple[Planned, ...]:
    """`rotation` for a series held on dates: the nth meeting is its slot's first day on or after
    `anchors[n]`, scored on that very date (a slot's burden moves with daylight saving), so the night
    passes between regions as the meetings will really fall."""
    counted = people(zones)

    def burden(n: int, s: Score) -> Mapping[str, Burden] | None:
        at = s.slot.on(anchors[n])
        return burden_at(at, s.slot.minutes, zones) if exists(at) else None

    chosen = _rotate(_pool(scores, counted, choices), counted, len(anchors), burden)
    return tuple(
        Planned(s.slot.on(anchors[n]), s.slot.minutes, dict(sorted(b.items())))
        for n, (s, b) in enumerate(chosen)
    )
