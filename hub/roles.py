"""Sets of roles the permission matrix is written in (hub/events.py); a module of its own so that the
rules may use them without importing the declarations that import the rules."""

from __future__ import annotations

from hub.models import OFFICER_ROLES, VOTING_ROLES, Role

EVERYONE = frozenset(Role)
# Those who run the meeting from the chair.
CHAIRS = frozenset({Role.ADMIN, Role.CHAIR})
# Those who run the meeting: agenda, queue, timer.
OFFICERS = OFFICER_ROLES
# Those who take part in the business: speak, move, second and vote.
VOTERS = VOTING_ROLES
