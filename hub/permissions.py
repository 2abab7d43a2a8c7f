"""Who may do what: a role is resolved per meeting, then checked against one matrix.

Who may send each event is declared with the event (hub/events.py); `MATRIX` is that column, read by
the server check, the docs table and the test that walks it.
"""

from __future__ import annotations

from hub.errors import HubError
from hub.events import MATRIX
from hub.models import Branch, Meeting, Role
from hub.roles import CHAIRS, EVERYONE

# The matrix is a view of the declarations; CHAIRS and EVERYONE stay importable from here.
__all__ = ["CHAIRS", "EVERYONE", "MATRIX", "authorise", "effective_role"]


def effective_role(
    branch: Branch, meeting: Meeting, member_id: str, home: Branch | None = None
) -> Role | None:
    """A meeting appointment wins over the branch role; no role at all means not invited. A meeting
    that invites other branches' members (or everyone) admits them as members, or as observers where
    that is their role in their own branch (`home`): officers of another branch do not run it."""
    role = meeting.roles.get(member_id) or branch.roles.get(member_id)
    if role is not None or not (meeting.everyone or meeting.invited_branches):
        return role
    at_home = home.roles.get(member_id) if home is not None else None
    if meeting.everyone or (home is not None and at_home is not None and home.id in meeting.invited_branches):
        return Role.OBSERVER if at_home == Role.OBSERVER else Role.MEMBER
    return None


def authorise(event: str, role: Role) -> None:
    if role not in MATRIX[event]:
        raise HubError(
            "forbidden",
            f"A {role.value} may not use {event}.",
            {"event": event, "role": role.value},
        )
