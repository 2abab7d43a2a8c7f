"""A member's home: the meetings they are invited to that are still to come or running, and the
published minutes of their branches' meetings. Pure: the caller loads the directory and meetings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.models import Branch, Meeting, MeetingStatus, Member, Role
from hub.permissions import effective_role

# A scheduled meeting stays on the list this long after its start, in case it starts late.
GRACE = timedelta(hours=12)
# How long a meeting is assumed to last when its agenda gives no time budgets (for calendars).
DEFAULT_LENGTH = timedelta(hours=2)


@dataclass(frozen=True)
class Invitation:
    meeting: Meeting
    branch: Branch
    role: Role


def invitations(member: Member, branches: dict[str, Branch], meetings: list[Meeting]) -> list[Invitation]:
    """Every meeting the member may join, with the role they would have there. `branches` holds the
    meetings' branches and the member's own."""
    found = []
    home = branches.get(member.branch) if member.branch else None
    for meeting in meetings:
        branch = branches.get(meeting.branch_id)
        role = effective_role(branch, meeting, member.id, home) if branch and member.active else None
        if branch is not None and role is not None:
            found.append(Invitation(meeting, branch, role))
    return found


def upcoming(invited: list[Invitation], now: datetime) -> list[Invitation]:
    """Meetings running now or still to come, soonest first."""
    live = {MeetingStatus.OPEN, MeetingStatus.IN_SESSION}
    return sorted(
        (
            i
            for i in invited
            if i.meeting.status in live
            or (i.meeting.status == MeetingStatus.SCHEDULED and i.meeting.starts_at + GRACE > now)
        ),
        key=lambda i: i.meeting.starts_at,
    )


def with_minutes(invited: list[Invitation]) -> list[Invitation]:
    """Meetings whose minutes are approved and so published, most recent meeting first."""
    published = [i for i in invited if i.meeting.minutes and i.meeting.minutes.status == "approved"]
    return sorted(published, key=lambda i: i.meeting.starts_at, reverse=True)


def length(meeting: Meeting) -> timedelta:
    """The agenda's time budgets added up, or a default when there are none."""
    budget = sum(item.minutes_budget or 0 for item in meeting.agenda)
    return timedelta(minutes=budget) if budget else DEFAULT_LENGTH
