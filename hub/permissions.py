"""Who may do what: a role is resolved per meeting, then checked against one matrix.

The matrix is the single source for the server check, the docs table and the test that walks it.
"""

from __future__ import annotations

from hub.errors import HubError
from hub.models import Branch, Meeting, Role

EVERYONE = frozenset(Role)
OFFICERS = frozenset({Role.ADMIN, Role.CHAIR})

MATRIX: dict[str, frozenset[Role]] = {
    "meeting.join": EVERYONE,
    "meeting.leave": EVERYONE,
    "meeting.sync": EVERYONE,
    "meeting.set_status": OFFICERS,
}


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
