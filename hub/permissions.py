"""Who may do what: a role is resolved per meeting, then checked against one matrix.

The matrix is the single source for the server check, the docs table and the test that walks it.
"""

from __future__ import annotations

from hub.errors import HubError
from hub.models import OFFICER_ROLES, VOTING_ROLES, Branch, Meeting, Role

EVERYONE = frozenset(Role)
# Those who run the meeting from the chair.
CHAIRS = frozenset({Role.ADMIN, Role.CHAIR})

MATRIX: dict[str, frozenset[Role]] = {
    "meeting.join": EVERYONE,
    "meeting.leave": EVERYONE,
    "meeting.sync": EVERYONE,
    "meeting.set_status": CHAIRS,
    "meeting.set_standing_orders": CHAIRS,
    "meeting.set_card_weights": OFFICER_ROLES,
    "agenda.add": OFFICER_ROLES,
    "agenda.update": OFFICER_ROLES,
    "agenda.move": OFFICER_ROLES,
    "agenda.remove": OFFICER_ROLES,
    "agenda.select": CHAIRS,
    "speaker.request": VOTING_ROLES,
    "speaker.point_of_order": VOTING_ROLES,
    "speaker.withdraw": VOTING_ROLES,
    "speaker.call": CHAIRS,
    "speaker.move": CHAIRS,
    "speaker.remove": CHAIRS,
    "speaker.close_list": CHAIRS,
    "speaker.reopen_list": CHAIRS,
    "speech.start": CHAIRS,
    "speech.pause": CHAIRS,
    "speech.extend": CHAIRS,
    "speech.end": CHAIRS,
    "attendance.apologise": VOTING_ROLES,
    "motion.submit": VOTING_ROLES,
    "motion.second": VOTING_ROLES,
    "motion.withdraw": VOTING_ROLES,
    "motion.allow_withdrawal": CHAIRS,
    "motion.reply": CHAIRS,
    "motion.procedural": VOTING_ROLES,
    "amendment.move": VOTING_ROLES,
    "amendment.second": VOTING_ROLES,
    "amendment.withdraw": VOTING_ROLES,
    "vote.open": CHAIRS,
    "vote.cast": VOTING_ROLES,
    "vote.close": CHAIRS,
    # Tellers: the secretary counts and checks with the chair.
    "vote.ballots": OFFICER_ROLES,
    "vote.verify": VOTING_ROLES,
    "minutes.draft": OFFICER_ROLES,
    "minutes.edit": OFFICER_ROLES,
    "minutes.approve": CHAIRS,
    # Everyone may ask; only officers see a draft (signalling/minutes.py).
    "minutes.get": EVERYONE,
    # Observers may listen (hub/media.py refuses them other modes); only members share screens.
    "media.join": EVERYONE,
    "media.answer": EVERYONE,
    "media.share": VOTING_ROLES,
    "media.leave": EVERYONE,
    "media.mute": CHAIRS,
    "media.unmute": CHAIRS,
    "media.mute_all": CHAIRS,
    "media.set_settings": CHAIRS,
    "participant.remove": CHAIRS,
    "participant.readmit": CHAIRS,
    "lobby.set": CHAIRS,
    "lobby.admit": CHAIRS,
    # Observers may follow the chat but not write in it; officers moderate.
    "chat.send": VOTING_ROLES,
    "chat.hide": OFFICER_ROLES,
    "chat.set_open": OFFICER_ROLES,
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
