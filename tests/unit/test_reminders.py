"""When reminders fall due: pure rules, every time explicit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub import reminders

START = datetime(2027, 3, 13, 13, 0, tzinfo=UTC)
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


def test_offsets_are_read_as_written_and_written_as_read() -> None:
    assert reminders.parse("1d,1h") == (DAY, HOUR)
    assert reminders.parse(" 1h 1d ") == (DAY, HOUR)
    assert reminders.parse("90m,1w") == (timedelta(weeks=1), timedelta(minutes=90))
    assert reminders.parse("none") == reminders.parse("") == ()
    assert reminders.describe((timedelta(weeks=1), DAY, timedelta(minutes=90))) == "1w,1d,90m"
    assert reminders.describe(()) == "none"
    assert reminders.parse(reminders.describe(reminders.DEFAULT)) == reminders.DEFAULT


@pytest.mark.parametrize("text", ["1x", "d", "1d,", "-1h", "1d;1h", "1.5h", "1m", "5w", "1d,2d,3d,4d,5d"])
def test_offsets_out_of_shape_or_range_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        reminders.parse(text)


def test_nothing_is_due_before_the_first_reminders_time() -> None:
    assert reminders.due(START, (DAY, HOUR), START - DAY - timedelta(seconds=1)) is None
    assert reminders.due(START, (DAY, HOUR), START - timedelta(days=30)) is None


def test_the_day_before_reminder_is_due_from_its_time_until_the_next_one() -> None:
    assert reminders.due(START, (DAY, HOUR), START - DAY) == DAY
    assert reminders.due(START, (DAY, HOUR), START - HOUR - timedelta(seconds=1)) == DAY


def test_the_hour_before_reminder_takes_over_and_none_is_due_from_the_start() -> None:
    assert reminders.due(START, (DAY, HOUR), START - HOUR) == HOUR
    assert reminders.due(START, (DAY, HOUR), START - timedelta(seconds=1)) == HOUR
    assert reminders.due(START, (DAY, HOUR), START) is None
    assert reminders.due(START, (DAY, HOUR), START + timedelta(minutes=5)) is None


def test_a_hub_that_was_down_for_the_day_before_sends_only_the_hour_before() -> None:
    """Down from two days before until 50 minutes before: the day-before reminder was never due while
    it ran, and now only the hour-before one is."""
    assert reminders.due(START, (DAY, HOUR), START - timedelta(minutes=50)) == HOUR


def test_a_meeting_without_reminders_has_none_due() -> None:
    assert reminders.due(START, (), START - HOUR) is None


def test_a_member_invited_after_a_reminders_time_does_not_get_it() -> None:
    assert reminders.wanted(START, DAY, START - timedelta(days=3))
    assert not reminders.wanted(START, DAY, START - timedelta(hours=5))
    assert reminders.wanted(START, HOUR, START - timedelta(hours=5))
    assert not reminders.wanted(START, HOUR, START - HOUR)
