"""Pure rules for a series of meetings (monthly for a year, say): the dates it falls on, the hub's
proposal of a rotation of weekly slots so that no region always carries the night (hub/slots.py
`plan`), each region's share of the night over the series, and the meetings the series makes, each
numbered in its title and knowing its place (`Meeting.series`). No I/O (hub/directory.py reads and
writes the store)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, timedelta
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from hub import slots
from hub.models import SERIES_MOST, Branch, Meeting, Member, SeriesPlace
from hub.officers import (
    YEARS,
    Invitees,
    LocalTime,
    MeetingDetails,
    MeetingForm,
    Minutes,
    local_time,
    meeting_id,
    new_meeting,
)

Every = Literal["week", "fortnight", "month"]
# A series starts within the years a meeting may be held in.
EARLIEST, LATEST = date(YEARS[0], 1, 1), date(YEARS[1], 12, 31)
# A title leaves room for the meeting's number: "Branch meeting (12/12)".
SeriesTitle = Annotated[str, Field(min_length=1, max_length=100)]
Starts = Annotated[list[LocalTime], Field(min_length=2, max_length=SERIES_MOST)]


def _distinct(starts: Sequence[str]) -> None:
    if len(set(starts)) != len(starts):
        raise ValueError("two meetings of the series are at the same time")


class SeriesTimes(Invitees):
    """A series to plan: how often, how many and from when. With `starts` (the officer's own times,
    in the branch's zone, after changing the hub's proposal) those are scored instead."""

    minutes: Minutes = 90
    every: Every = "month"
    meetings: Annotated[int, Field(ge=2, le=SERIES_MOST)] = 12
    first: date
    starts: Starts | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SeriesTimes:
        if not EARLIEST <= self.first <= LATEST:
            raise ValueError(f"a series starts between {EARLIEST} and {LATEST}")
        if self.starts is not None:
            if len(self.starts) != self.meetings:
                raise ValueError(f"give a time for each of the {self.meetings} meetings")
            _distinct(self.starts)
        return self


class SeriesForm(MeetingDetails):
    """A series as the officer creates it: one meeting's details, and every meeting's time."""

    title: SeriesTitle
    starts: Starts

    @model_validator(mode="after")
    def _distinct_times(self) -> SeriesForm:
        _distinct(self.starts)
        return self


def anchors(first: date, every: Every, count: int) -> list[date]:
    """The days from which each meeting of the series falls on its slot's weekday: every week or
    fortnight from `first`, or the same day of each month (the month's last, when it is shorter)."""
    if every != "month":
        step = timedelta(weeks=1 if every == "week" else 2)
        return [first + n * step for n in range(count)]
    found = []
    for n in range(count):
        year, month = divmod(first.month - 1 + n, 12)
        year += first.year
        found.append(date(year, month + 1, min(first.day, calendar.monthrange(year, month + 1)[1])))
    return found


# The clocks change on the same rules every year: a year's weeks show every offset a slot will meet.
YEAR_WEEKS = 53


def span_weeks(days: Sequence[date]) -> int:
    """How many weeks to score the slots a series may use over: those its dates cover, at most a year."""
    return min((days[-1] - days[0]).days // 7 + 2, YEAR_WEEKS)


def numbered(title: str, number: int, of: int) -> str:
    return f"{title} ({number}/{of})"


def meetings(
    form: SeriesForm, branch: Branch, members: Mapping[str, Member], taken: Iterable[str]
) -> list[Meeting]:
    """The series' meetings, soonest first, each made as the console makes one (hub/officers.py
    `new_meeting`), numbered in its title and knowing its place. The series is named after its first
    meeting, whose id nobody else has."""
    zone = form.time_zone or branch.home_time_zone
    starts = sorted(form.starts, key=lambda s: local_time(s, zone))
    details = form.model_dump(exclude={"title", "starts"})
    used = set(taken)
    made: list[Meeting] = []
    for number, start in enumerate(starts, start=1):
        one = MeetingForm.model_validate(
            {**details, "title": numbered(form.title, number, len(starts)), "starts_at": start}
        )
        draft = new_meeting(one, branch, "draft", members)
        found = meeting_id(one, draft.starts_at, used)
        used.add(found)
        made.append(draft.model_copy(update={"id": found}))
    place = [SeriesPlace(id=made[0].id, number=n, of=len(made)) for n in range(1, len(made) + 1)]
    return [m.model_copy(update={"series": p}) for m, p in zip(made, place, strict=True)]


# Views.


def _burden(by_region: Mapping[str, slots.Burden]) -> dict[str, Any]:
    return {
        "night": sum(b.night for b in by_region.values()),
        "edge": sum(b.edge for b in by_region.values()),
        "by_region": {r: {"night": b.night, "edge": b.edge} for r, b in by_region.items()},
    }


def shares(planned: Sequence[slots.Planned], zones: Mapping[str, int]) -> dict[str, dict[str, Any]]:
    """For each region: its members, the meetings that ask some of them to meet at night or at the
    edge of their day, and the share of its members' meetings over the series that fall at night
    (the worst-off region's share is what the proposal keeps low)."""
    counted = slots.people(zones)
    summed = slots.nights([p.by_region for p in planned], counted)
    found = {}
    for name, members in sorted(counted.items()):
        asked = [p.by_region.get(name, slots.Burden()) for p in planned]
        found[name] = {
            "members": members,
            "night_meetings": sum(1 for b in asked if b.night),
            "edge_meetings": sum(1 for b in asked if b.edge),
            "night_share": round(summed.get(name, 0.0) / len(planned), 3) if planned else 0.0,
        }
    return found


def plan_view(planned: Sequence[slots.Planned], zones: Mapping[str, int]) -> dict[str, Any]:
    """A series' meetings as the console shows them, each in the slot's zone and in UTC, with whom
    it asks, and each region's share of the night."""
    return {
        "meetings": [
            {
                "number": n,
                "starts_at": p.start.strftime("%Y-%m-%dT%H:%M"),
                "utc": p.start.astimezone(UTC).isoformat(),
                "weekday": p.start.weekday(),
                **_burden(p.by_region),
            }
            for n, p in enumerate(planned, start=1)
        ],
        "regions": shares(planned, zones),
    }


def scored(starts: Sequence[str], zone: str, minutes: int, zones: Mapping[str, int]) -> list[slots.Planned]:
    """The officer's own times for a series, each scored on its date (a time the clocks skip is
    refused, as when the meeting is made)."""
    return [slots.planned(local_time(s, zone), minutes, zones) for s in starts]
