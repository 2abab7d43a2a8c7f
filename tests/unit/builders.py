"""Builders for pure-rule tests: a meeting and actors with sensible defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hub.meetings import Actor
from hub.models import Meeting, Role

NOON = datetime(2027, 3, 13, 12, 0, tzinfo=UTC)


def meeting(**overrides: Any) -> Meeting:
    fields: dict[str, Any] = {
        "id": "agm",
        "branch_id": "intl",
        "title": "Annual General Meeting",
        "starts_at": datetime(2027, 3, 13, 13, 0, tzinfo=UTC),
        "time_zone": "Europe/London",
    }
    return Meeting(**{**fields, **overrides})


def actor(member_id: str = "m002", role: Role = Role.MEMBER, session: str = "s1") -> Actor:
    return Actor(member_id=member_id, name=f"Member {member_id}", role=role, session=session)


def present(m: Meeting, count: int, role: Role = Role.MEMBER) -> Meeting:
    """The meeting with `count` more members checked in."""
    from hub import meetings

    start = len(m.participants)
    for n in range(start, start + count):
        change = meetings.join(m, actor(f"p{n:03}", role, f"s{n}"), NOON)
        assert change is not None
        m = change.meeting
    return m
