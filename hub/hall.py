"""Pure rules for a hybrid meeting's hall: members at the meeting in person, without a device, checked
in and out by an officer, and the hands the tellers count there for an open vote, added to the online
ballots when it closes. No clock, no store, no I/O: the edge looks up the member checked in (their name
and role) and the roll, and hands them over.

A member in the hall is one participant entry, as online: `hall` set, `attended` set, and counted for
quorum whatever their connections do (hub/models.py `_COUNTED`), so the grace period never removes
them (hub/meetings.py) and a member in the hall who also joins online is still counted once. They vote
by show of hands in the hall, not in the online ballot box (hub/votes.py `electorate`), so no ballot
is counted twice; a secret ballot is the exception, cast online only (hands are not secret)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub import votes
from hub.commands import HallCheckIn, HallCheckOut, VoteHallCount
from hub.errors import HubError
from hub.meetings import SITTING, Actor, Change, participant, with_participants
from hub.models import HallCount, Meeting, Participant, Role


@dataclass(frozen=True)
class Entrant:
    """The member an officer checks in, as the directory knows them: name, and role in this meeting."""

    member_id: str
    name: str
    role: Role


def check_in(
    meeting: Meeting, command: HallCheckIn, actor: Actor, now: datetime, entrant: Entrant
) -> Change | None:
    """An officer checks in a member who is in the hall without a device: while the meeting sits, as
    "I'm here" online. A member connected online checks in for themselves; one whose connection has
    dropped (within the grace period, or gone) may be checked in here, and then stays. Their apologies
    are withdrawn, as when checking in online."""
    if meeting.status not in SITTING:
        raise HubError("attendance.not_sitting", "Check members in once the chair has opened the meeting.")
    if entrant.member_id in meeting.removed:
        raise HubError(
            "hall.removed",
            f"The chair removed {entrant.name} from this meeting: readmit them first.",
            {"member_id": entrant.member_id},
        )
    current = meeting.participants.get(entrant.member_id)
    if current is not None and current.hall:
        return None
    if current is not None and current.sessions:
        raise HubError(
            "hall.online",
            f"{current.name} is connected to the meeting: they check in for themselves.",
            {"member_id": entrant.member_id, "name": current.name},
        )
    update: dict[str, Any] = {
        "hall": True,
        "attended": True,
        # No connection: not present online, and no grace period running.
        "present": False,
        "away_since": None,
        "waiting": False,
        "last_seen_at": now,
    }
    if current is None:
        arrived = Participant(
            member_id=entrant.member_id,
            name=entrant.name,
            role=entrant.role,
            first_joined_at=now,
            **update,
        )
    else:
        arrived = current.model_copy(update=update)
    apologies = {m: a for m, a in meeting.apologies.items() if m != entrant.member_id}
    changed = (
        meeting
        if len(apologies) == len(meeting.apologies)
        else meeting.model_copy(update={"apologies": apologies})
    )
    written = {entrant.member_id: arrived}
    return Change(
        with_participants(changed, written),
        "hall.checked_in",
        {"member_id": entrant.member_id, "name": arrived.name, "role": arrived.role.value},
        written,
    )


def check_out(meeting: Meeting, command: HallCheckOut, actor: Actor, now: datetime) -> Change | None:
    """A member leaves the hall. Connected online, they stay, as a member here online; otherwise they
    have gone (`departed`, for the register). Checking out someone not in the hall changes nothing."""
    current = participant(meeting, command.member_id)
    if not current.hall:
        return None
    left = current.model_copy(update={"hall": False, "last_seen_at": now})
    written = {command.member_id: left}
    return Change(
        with_participants(meeting, written),
        "hall.checked_out",
        {"member_id": command.member_id, "name": current.name, "departed": not left.present},
        written,
    )


def count(meeting: Meeting, command: VoteHallCount, actor: Actor, now: datetime) -> Change | None:
    """A teller (or the chair) enters the hands counted in the hall for an open vote; entered again, the
    new count replaces the last (the event says which it replaced, and who entered each). No more hands
    than members were in the hall when the vote opened (weighted by delegates in a card vote); none in
    a poll the hall votes in online like everyone else (a secret ballot, or several marks a ballot)."""
    vote = votes.find(meeting, command.vote_id)
    if vote.status != "open":
        raise HubError("vote.closed", "This vote has already closed.", {"vote_id": vote.id})
    if not vote.hall_votes:
        raise HubError(
            "vote.hall_secret",
            "This poll is not counted by show of hands (a secret ballot, or more than one mark per "
            "ballot): members in the hall vote in it online.",
            {"vote_id": vote.id},
        )
    unknown = sorted(command.counts.keys() - set(vote.option_ids()))
    if unknown:
        raise HubError(
            "invalid_payload",
            "Count hands only for the poll's options.",
            {"problems": [{"field": f"counts.{o}", "problem": "not_an_option"} for o in unknown]},
        )
    counts: dict[str, int] = {option: command.counts.get(option, 0) for option in vote.option_ids()}
    hands = sum(counts.values())
    if hands > vote.hall:
        raise HubError(
            "vote.hall_too_many",
            f"{hands} counted in the hall, but only {vote.hall} could vote there when the vote opened.",
            {"vote_id": vote.id, "counted": hands, "most": vote.hall},
        )
    before = vote.hall_count
    if before is not None and before.counts == counts and before.by_id == actor.member_id:
        return None
    entered = HallCount(counts=counts, by=actor.name, by_id=actor.member_id, at=now)
    changed = vote.model_copy(update={"hall_count": entered})
    return Change(
        meeting.model_copy(update={"votes": [changed if v.id == vote.id else v for v in meeting.votes]}),
        "vote.hall_counted",
        {
            "vote_id": vote.id,
            "counts": counts,
            "by": actor.name,
            "replaced": None if before is None else {"counts": before.counts, "by": before.by},
        },
    )


# The most members one roll page holds.
ROLL_MOST = 100


def where(meeting: Meeting, member_id: str) -> str | None:
    """Where a member on the roll is now: "hall", "online", or None (not here)."""
    entry = meeting.participants.get(member_id)
    if entry is None:
        return None
    if entry.hall:
        return "hall"
    return "online" if entry.present else None


def roll_page(
    meeting: Meeting, roll: list[tuple[str, str, Role]], query: str, after: str | None, limit: int
) -> dict[str, Any]:
    """One page of the meeting's roll (everyone with a role in it: `roll` is (member id, name, role)),
    by name, those whose name holds `query` (any case), from just after the cursor `after`; each with
    where they are now and whether they have checked in."""
    needle = query.casefold()
    order = sorted((name.casefold(), member_id, name, role) for member_id, name, role in roll)
    matched = [row for row in order if needle in row[0]] if needle else order
    start = 0
    if after is not None:
        start = next((n + 1 for n, row in enumerate(matched) if f"{row[0]}\x00{row[1]}" == after), 0)
    page = matched[start : start + min(limit, ROLL_MOST)]
    more = start + len(page) < len(matched)
    members = []
    for _, member_id, name, role in page:
        entry = meeting.participants.get(member_id)
        members.append(
            {
                "member_id": member_id,
                "name": name,
                "role": role.value,
                "here": where(meeting, member_id),
                "checked_in": entry is not None and entry.attended,
                "removed": member_id in meeting.removed,
            }
        )
    return {
        "members": members,
        "total": len(matched),
        "next": f"{page[-1][0]}\x00{page[-1][1]}" if page and more else None,
    }
