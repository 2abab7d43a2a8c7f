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


def effective_role(branch: Branch, meeting: Meeting, member_id: str) -> Role | None:
    """A meeting appointment wins over the branch role; no role at all means not invited."""
    return meeting.roles.get(member_id) or branch.roles.get(member_id)


def authorise(event: str, role: Role) -> None:
    if role not in MATRIX[event]:
        raise HubError(
            "forbidden",
            f"A {role.value} may not use {event}.",
            {"event": event, "role": role.value},
        )
