"""A series of meetings (hub/series.py): its dates, the forms checked, the meetings it makes, numbered
and knowing their place, and each region's share of the night."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from hub import series, slots
from hub.errors import HubError
from hub.models import Branch, Member, Role, SeriesPlace

BERLIN = Branch(id="berlin", name="Berlin", home_time_zone="Europe/Berlin", roles={"ana": Role.SECRETARY})
MEMBERS = {"ana": Member(id="ana", name="Ana", branch="berlin")}


@pytest.mark.parametrize(
    ("every", "expected"),
    [
        ("week", [date(2031, 1, 31), date(2031, 2, 7), date(2031, 2, 14)]),
        ("fortnight", [date(2031, 1, 31), date(2031, 2, 14), date(2031, 2, 28)]),
        # The 31st in a shorter month is its last day; the year turns.
        ("month", [date(2031, 1, 31), date(2031, 2, 28), date(2031, 3, 31)]),
    ],
)
def test_a_series_falls_every_week_fortnight_or_month(every: series.Every, expected: list[date]) -> None:
    assert series.anchors(date(2031, 1, 31), every, 3) == expected


def test_a_monthly_series_runs_into_the_next_year() -> None:
    found = series.anchors(date(2031, 11, 15), "month", 4)
    assert found == [date(2031, 11, 15), date(2031, 12, 15), date(2032, 1, 15), date(2032, 2, 15)]
    assert series.span_weeks(found) == 15


def test_the_forms_are_checked() -> None:
    base = {"branch_id": "berlin", "first": "2031-01-06"}
    assert series.SeriesTimes.model_validate(base).meetings == 12
    for wrong in (
        {"meetings": 1},
        {"meetings": 53},
        {"first": "1999-12-31"},
        {"first": "9999-12-01"},
        {"every": "year"},
        {"meetings": 2, "starts": ["2031-01-06T18:00"]},
        {"meetings": 2, "starts": ["2031-01-06T18:00", "2031-01-06T18:00"]},
    ):
        with pytest.raises(ValidationError):
            series.SeriesTimes.model_validate({**base, **wrong})
    form = {
        "branch_id": "berlin",
        "title": "Branch meeting",
        "starts": ["2031-01-06T18:00", "2031-02-03T18:00"],
    }
    assert series.SeriesForm.model_validate(form).title == "Branch meeting"
    with pytest.raises(ValidationError):
        series.SeriesForm.model_validate({**form, "title": "x" * 101})
    with pytest.raises(ValidationError):
        series.SeriesForm.model_validate({**form, "starts": ["2031-01-06T18:00"]})


def test_the_meetings_are_numbered_in_order_and_know_their_series() -> None:
    form = series.SeriesForm(
        branch_id="berlin",
        title="Branch meeting",
        # Given out of order: numbered by when they fall.
        starts=["2031-07-07T18:00", "2031-01-06T18:00", "2031-04-07T09:00"],
        chair="ana",
    )
    made = series.meetings(form, BERLIN, MEMBERS, taken=["berlin-branch-2031-01-06"])
    assert [m.title for m in made] == ["Branch meeting (1/3)", "Branch meeting (2/3)", "Branch meeting (3/3)"]
    # The first date's id was taken: the series is named after its first meeting, as made.
    assert [m.id for m in made] == [
        "berlin-branch-2031-01-06-2",
        "berlin-branch-2031-04-07",
        "berlin-branch-2031-07-07",
    ]
    assert [m.series for m in made] == [
        SeriesPlace(id="berlin-branch-2031-01-06-2", number=n, of=3) for n in (1, 2, 3)
    ]
    # Berlin is an hour ahead of UTC in winter and two in summer.
    assert [m.starts_at for m in made] == [
        datetime(2031, 1, 6, 17, tzinfo=UTC),
        datetime(2031, 4, 7, 7, tzinfo=UTC),
        datetime(2031, 7, 7, 16, tzinfo=UTC),
    ]
    assert all(m.roles == {"ana": Role.CHAIR} and len(m.agenda) == 4 for m in made)


def test_a_time_the_clocks_skip_refuses_the_whole_series() -> None:
    form = series.SeriesForm(branch_id="berlin", title="T", starts=["2031-03-02T18:00", "2031-03-30T02:30"])
    with pytest.raises(HubError) as refused:
        series.meetings(form, BERLIN, MEMBERS, taken=[])
    assert refused.value.code == "meeting.bad_time"


def test_each_regions_share_of_the_night() -> None:
    zones = {"Europe/London": 4, "Asia/Shanghai": 2, "America/Los_Angeles": 2}
    london = slots.ZoneInfo("Europe/London")
    times = [datetime(2031, 1, 6, 2, tzinfo=london), datetime(2031, 2, 3, 13, tzinfo=london)]
    planned = [slots.planned(t, 90, zones) for t in times]
    view = series.plan_view(planned, zones)
    # 02:00 in London: night for London, 10:00 in Shanghai, 18:00 in Los Angeles; 13:00: 21:00 in
    # Shanghai (the edge of the day) and 05:00 in Los Angeles (night).
    assert view["regions"] == {
        "America": {"members": 2, "night_meetings": 1, "edge_meetings": 0, "night_share": 0.5},
        "Asia": {"members": 2, "night_meetings": 0, "edge_meetings": 1, "night_share": 0.0},
        "Europe": {"members": 4, "night_meetings": 1, "edge_meetings": 0, "night_share": 0.5},
    }
    assert view["meetings"][0] == {
        "number": 1,
        "starts_at": "2031-01-06T02:00",
        "utc": "2031-01-06T02:00:00+00:00",
        "weekday": 0,
        "night": 4,
        "edge": 0,
        "by_region": {"Europe": {"night": 4, "edge": 0}},
    }
