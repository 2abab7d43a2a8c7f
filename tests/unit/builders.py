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
    """The meeting with `count` more members here and checked in (whatever its status: the check-in
    rule's own conditions are tested in test_attendance)."""
    after = joined(m, count, role)
    return checked_in(after, *(n for n in after.participants if n not in m.participants))


def joined(m: Meeting, count: int, role: Role = Role.MEMBER) -> Meeting:
    """The meeting with `count` more members here, not checked in."""
    from hub import meetings

    start = len(m.participants)
    for n in range(start, start + count):
        change = meetings.join(m, actor(f"p{n:03}", role, f"s{n}"), NOON)
        assert change is not None
        m = change.meeting
    return m


def checked_in(m: Meeting, *member_ids: str) -> Meeting:
    """The meeting with these participants checked in (every one here when none are named)."""
    from hub.meetings import with_participants

    names = member_ids or tuple(n for n, p in m.participants.items() if p.present)
    return with_participants(m, {n: m.participants[n].model_copy(update={"attended": True}) for n in names})
