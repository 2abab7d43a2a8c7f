"""When reminders go out before a meeting: pure rules, with the time as an argument. No I/O.

A meeting's reminders are offsets before its start (a day and an hour by default; the hub's
`--reminders` option, or the meeting's own setting). At any moment at most one of them is due: the
latest whose time has come, while the meeting has not started. One whose time passed while a later one
was already due is skipped (a hub that was down for the day-before reminder does not send it an hour
before the start, next to the hour-before one). A member invited after a reminder's time does not get
that reminder: their invitation came later and says the same."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

DEFAULT: tuple[timedelta, ...] = (timedelta(days=1), timedelta(hours=1))
# More would be nagging; further ahead than four weeks is the invitation's job.
MOST = 4
LONGEST = timedelta(days=28)
SHORTEST = timedelta(minutes=5)

_UNITS = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
_PART = re.compile(r"(\d{1,5})\s*([wdhm])")


def parse(text: str) -> tuple[timedelta, ...]:
    """Offsets written as `1d,1h`, `2d 3h`, `90m` or `1w`; `none` (or nothing) for no reminders.
    ValueError with the reason otherwise."""
    text = text.strip().lower()
    if text in ("", "none", "0"):
        return ()
    offsets = []
    for item in re.split(r"[,\s]+", text):
        found = _PART.fullmatch(item)
        if found is None:
            raise ValueError(f"a reminder is a number and a unit (w, d, h or m), like 1d or 90m: {item!r}")
        offsets.append(int(found.group(1)) * _UNITS[found.group(2)])
    return checked(offsets)


def checked(offsets: Sequence[timedelta]) -> tuple[timedelta, ...]:
    """The offsets, longest first, each once; ValueError if there are too many or one is out of range."""
    unique = sorted(set(offsets), reverse=True)
    if len(unique) > MOST:
        raise ValueError(f"at most {MOST} reminders")
    for offset in unique:
        if not SHORTEST <= offset <= LONGEST:
            raise ValueError(
                f"a reminder goes between {describe((SHORTEST,))} and {describe((LONGEST,))} before"
            )
    return tuple(unique)


def describe(offsets: Sequence[timedelta]) -> str:
    """The offsets as `parse` reads them: `1d,1h`."""
    parts = []
    for offset in offsets:
        minutes = int(offset.total_seconds() // 60)
        for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60), ("m", 1)):
            if minutes % size == 0:
                parts.append(f"{minutes // size}{unit}")
                break
    return ",".join(parts) or "none"


def due(starts_at: datetime, offsets: Sequence[timedelta], now: datetime) -> timedelta | None:
    """The reminder to send now: the shortest offset whose time (`starts_at - offset`) has come, as long
    as the meeting has not started. None before the first reminder's time and from the start on."""
    if now >= starts_at:
        return None
    come = [offset for offset in offsets if starts_at - offset <= now]
    return min(come) if come else None


def wanted(starts_at: datetime, offset: timedelta, invited_at: datetime) -> bool:
    """Whether a member invited at `invited_at` gets the reminder `offset` before the start."""
    return invited_at < starts_at - offset
