"""Fair meeting times (hub/slots.py): night and the edges of the day in each member's own zone,
daylight-saving changes, and a rotation that moves the night between regions."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time

import pytest

from hub import slots
from hub.slots import Burden, Cost, Slot

MONDAY = date(2027, 1, 4)


@pytest.mark.parametrize(
    ("local", "minutes", "expected"),
    [
        (time(10), 90, Cost.NONE),
        (time(19, 30), 90, Cost.NONE),  # ends at 21:00 sharp
        (time(20), 90, Cost.EDGE),
        (time(8), 60, Cost.EDGE),
        (time(21, 30), 90, Cost.EDGE),  # ends at 23:00 sharp
        (time(21, 45), 90, Cost.NIGHT),  # runs into 23:00
        (time(23, 30), 60, Cost.NIGHT),  # past midnight
        (time(6), 30, Cost.NIGHT),
        (time(5, 30), 240, Cost.NIGHT),  # night then the edge: the worst counts
    ],
)
def test_a_member_is_asked_by_the_worst_hour_the_meeting_touches(
    local: time, minutes: int, expected: Cost
) -> None:
    zone = slots.ZoneInfo("Asia/Tokyo")
    start = datetime.combine(MONDAY, local, zone).astimezone(UTC)
    assert slots.cost(start, minutes, zone) == expected


def test_burden_counts_members_by_region() -> None:
    zones = {"Europe/Berlin": 5, "Europe/Paris": 2, "America/New_York": 3, "Asia/Tokyo": 4}
    # 18:00 in Berlin: 12:00 in New York, 02:00 in Tokyo.
    start = datetime.combine(MONDAY, time(18), slots.ZoneInfo("Europe/Berlin"))
    assert slots.burden_at(start, 90, zones) == {"Asia": Burden(night=4)}
    score = slots.score(Slot(0, time(18), 90, "Europe/Berlin"), zones, MONDAY)
    assert score.burden == Burden(night=4) and score.burden.weight == 4 * slots.NIGHT_WEIGHT


def test_daylight_saving_changes_count_from_the_day_they_happen() -> None:
    """13:00 in London is 08:00 in New York (the edge of the day) in winter and summer, but 09:00 in the
    two weeks of March when New York has moved its clocks and London has not."""
    slot = Slot(0, time(13), 90, "Europe/London")
    zones = {"America/New_York": 2}
    winter = slots.score(slot, zones, MONDAY, weeks=8)
    assert winter == slots.Score(slot, Burden(edge=2), {"America": Burden(edge=2)}, False)
    spring = slots.score(slot, zones, date(2027, 3, 1), weeks=6)
    assert spring.burden == Burden(edge=2) and spring.varies
    in_the_gap = datetime.combine(date(2027, 3, 22), time(13), slots.ZoneInfo("Europe/London"))
    assert slots.burden_at(in_the_gap, 90, zones) == {}


def test_candidates_come_best_first_and_spare_everyone_when_they_can() -> None:
    zones = Counter({"Europe/Berlin": 10, "Africa/Lagos": 3})
    found = slots.candidates(zones, "Europe/Berlin", MONDAY, weekdays=(2,))
    assert len(found) == 48
    assert [s.burden.weight for s in found] == sorted(s.burden.weight for s in found)
    # Not 09:00: from the end of March Berlin is an hour ahead of Lagos, where 08:00 is early.
    assert found[0].burden == Burden() and found[0].slot == Slot(2, time(10), 90, "Europe/Berlin")
    assert found[-1].burden == Burden(night=13)


def test_a_rotation_moves_the_night_between_regions() -> None:
    """London, Shanghai and Los Angeles are eight hours apart: every slot is night somewhere, and a
    series passes the night round rather than leaving it with one region."""
    zones = Counter({"Europe/London": 6, "Asia/Shanghai": 6, "America/Los_Angeles": 6})
    found = slots.candidates(zones, "Europe/London", MONDAY, weekdays=(1,))
    assert all(s.burden.night for s in found)
    series = slots.rotation(found, zones, 6)
    assert len(series.slots) == 6
    assert series.nights == {"America": 2.0, "Asia": 2.0, "Europe": 2.0}
    # Left to the single best slot, one region would carry all six.
    alone = slots.rotation(found[:1], zones, 6)
    assert alone.slots == (found[0].slot,) * 6 and max(alone.nights.values()) == 6.0


def test_nothing_to_rotate() -> None:
    assert slots.rotation([], {"Europe/London": 1}, 3) == slots.Rotation((), {})


def test_a_heat_map_day_is_every_hour_in_order_and_regions_count_members() -> None:
    zones = Counter({"Europe/Berlin": 10, "Asia/Tokyo": 4, "Asia/Kolkata": 2})
    day = slots.day_scores(zones, "Europe/Berlin", 2, MONDAY)
    assert [s.slot.start for s in day] == [time(h) for h in range(24)]
    assert all(s.slot.weekday == 2 for s in day)
    # 03:00 in Berlin is night there and 11:00 in Tokyo; in Kolkata 07:30 in winter, but 06:30 (night)
    # once Berlin's clocks go forward: the worst weeks count.
    assert day[3].by_region == {"Europe": Burden(night=10), "Asia": Burden(night=2)} and day[3].varies
    assert slots.people(zones) == {"Europe": 10, "Asia": 6}


def test_a_series_on_its_dates_passes_the_night_round_and_scores_each_date() -> None:
    """Monthly from January: each meeting is its slot's first weekday on or after the month's start,
    scored on that very date, and the night moves between the three regions."""
    zones = Counter({"Europe/London": 6, "Asia/Shanghai": 6, "America/Los_Angeles": 6})
    anchors = [date(2027, month, 1) for month in range(1, 7)]
    found = slots.candidates(zones, "Europe/London", anchors[0], weekdays=(1,), weeks=26)
    planned = slots.plan(found, zones, anchors)
    assert len(planned) == 6
    for meeting, anchor in zip(planned, anchors, strict=True):
        assert meeting.start.weekday() == 1 and 0 <= (meeting.start.date() - anchor).days < 7
        assert meeting.by_region == slots.burden_at(meeting.start, 90, zones)
    assert slots.nights([p.by_region for p in planned], slots.people(zones)) == {
        "America": 2.0,
        "Asia": 2.0,
        "Europe": 2.0,
    }


def test_a_series_never_proposes_a_time_the_clocks_skip() -> None:
    """01:00 to 02:00 on 28 March 2027 does not happen in London (the clocks go forward): a series
    meeting that Sunday is never put in that hour."""
    zones = Counter({"Europe/London": 3})
    london = slots.ZoneInfo("Europe/London")
    assert not slots.exists(datetime.combine(date(2027, 3, 28), time(1, 30), london))
    assert slots.exists(datetime.combine(date(2027, 3, 28), time(2), london))
    sundays = slots.candidates(zones, "Europe/London", date(2027, 3, 22), weekdays=(6,))
    in_the_gap = [s for s in sundays if s.slot.start in (time(1), time(1, 30))]
    assert slots.plan(in_the_gap, zones, [date(2027, 3, 28)]) == ()
    assert slots.plan(in_the_gap, zones, [date(2027, 4, 4)])[0].start.date() == date(2027, 4, 4)
