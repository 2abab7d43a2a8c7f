"""Pure rules for attendance: checking in, apologies sent ahead, the lobby, and the chair removing (and
readmitting) a participant. Quorum counts those checked in who are present or within their grace period
(Meeting.quorum); joining and leaving are in hub/meetings.py."""

from __future__ import annotations

from datetime import datetime

from hub.commands import (
    AttendanceApologise,
    AttendanceCheckIn,
    LobbyAdmit,
    LobbySet,
    ParticipantReadmit,
    ParticipantRemove,
)
from hub.errors import HubError
from hub.meetings import (
    SITTING,
    Actor,
    Change,
    CloseMember,
    Disconnect,
    StrikeVoter,
    participant,
    with_participants,
)
from hub.models import Apology, Meeting, Participant, Role


def check_in(meeting: Meeting, command: AttendanceCheckIn, actor: Actor, now: datetime) -> Change | None:
    """ "I'm here": only while the meeting sits (a closed meeting refuses it as business). Checking in
    withdraws the member's apologies: they came after all, and the minutes list them as present."""
    if meeting.status not in SITTING:
        raise HubError("attendance.not_sitting", "Check in once the chair has opened the meeting.")
    current = participant(meeting, actor.member_id)
    if current.attended:
        return None
    arrived = current.model_copy(update={"attended": True})
    apologies = {m: a for m, a in meeting.apologies.items() if m != actor.member_id}
    changed = (
        meeting
        if len(apologies) == len(meeting.apologies)
        else meeting.model_copy(update={"apologies": apologies})
    )
    return Change(
        with_participants(changed, {actor.member_id: arrived}),
        "attendance.checked_in",
        {"member_id": actor.member_id, "name": current.name, "role": current.role.value},
        {actor.member_id: arrived},
    )


def apologise(meeting: Meeting, command: AttendanceApologise, actor: Actor, now: datetime) -> Change | None:
    """Apologies for absence, any time until the member checks in (then they are here, not absent)."""
    here = meeting.participants.get(actor.member_id)
    if here is not None and here.attended:
        raise HubError("attendance.checked_in", "You have checked in: you are at this meeting.")
    apology = Apology(name=actor.name, at=now, note=command.note)
    current = meeting.apologies.get(actor.member_id)
    if current is not None and current.note == apology.note:
        return None
    return Change(
        meeting.model_copy(update={"apologies": {**meeting.apologies, actor.member_id: apology}}),
        "attendance.apologised",
        {"member_id": actor.member_id, "name": actor.name, "note": command.note},
    )


# Those in the chair cannot be removed (as they cannot be muted).
UNREMOVABLE = frozenset({Role.ADMIN, Role.CHAIR})


def remove(meeting: Meeting, command: ParticipantRemove, actor: Actor, now: datetime) -> Change | None:
    """The participant leaves at once and may not come back until readmitted; their connections are
    closed and open ballot boxes refuse them (effects the edge carries out). Their requests to speak
    and any speech of theirs go with them."""
    target = participant(meeting, command.member_id)
    if target.role in UNREMOVABLE:
        raise HubError("participant.cannot_remove_chair", "Those in the chair cannot be removed.")
    if command.member_id in meeting.removed:
        return None
    gone = target.model_copy(
        update={
            "present": False,
            "hall": False,
            "waiting": False,
            "sessions": [],
            "away_since": None,
            "last_seen_at": now,
        }
    )
    agenda = [
        item.model_copy(update={"queue": [e for e in item.queue if e.member_id != command.member_id]})
        for item in meeting.agenda
    ]
    speaking = meeting.speech is not None and meeting.speech.member_id == command.member_id
    changed = meeting.model_copy(
        update={
            "removed": [*meeting.removed, command.member_id],
            # Readmitted, they go through the lobby again if it is on.
            "admitted": [m for m in meeting.admitted if m != command.member_id],
            "agenda": agenda,
            # Their speech ends with them.
            "speech": None if speaking else meeting.speech,
        }
    )
    written = {command.member_id: gone}
    open_votes = tuple(v.id for v in meeting.votes if v.status == "open")
    return Change(
        with_participants(changed, written),
        "participant.removed",
        {"member_id": command.member_id, "name": target.name},
        written,
        # Their connections close (those that never joined too), and open ballot boxes, outside the
        # meeting's state, refuse them.
        (
            Disconnect(tuple(target.sessions)),
            CloseMember(command.member_id),
            StrikeVoter(command.member_id, open_votes),
        ),
    )


def readmit(meeting: Meeting, command: ParticipantReadmit, actor: Actor, now: datetime) -> Change | None:
    if command.member_id not in meeting.removed:
        return None
    removed = [m for m in meeting.removed if m != command.member_id]
    name = meeting.participants[command.member_id].name
    return Change(
        meeting.model_copy(update={"removed": removed}),
        "participant.readmitted",
        {"member_id": command.member_id, "name": name},
    )


def set_lobby(meeting: Meeting, command: LobbySet, actor: Actor, now: datetime) -> Change | None:
    """Turn the lobby on or off; turning it off admits everyone waiting."""
    if meeting.lobby == command.on:
        return None
    # Those already in are admitted: a dropped connection must not land them in the lobby.
    here = [
        p.member_id
        for p in meeting.participants.values()
        if p.present and p.member_id not in meeting.admitted
    ]
    waiting = [p.member_id for p in meeting.participants.values() if p.waiting]
    written = {m: _admitted(meeting, m, now) for m in waiting}
    admitted = [*meeting.admitted, *here, *(m for m in waiting if m not in meeting.admitted)]
    changed = meeting.model_copy(update={"lobby": command.on, "admitted": admitted})
    return Change(
        with_participants(changed, written),
        "lobby.turned_on" if command.on else "lobby.turned_off",
        {"admitted": waiting},
        written,
    )


def admit(meeting: Meeting, command: LobbyAdmit, actor: Actor, now: datetime) -> Change | None:
    target = participant(meeting, command.member_id)
    if not target.waiting:
        return None
    written = {command.member_id: _admitted(meeting, command.member_id, now)}
    admitted = [*meeting.admitted, *([] if command.member_id in meeting.admitted else [command.member_id])]
    return Change(
        with_participants(meeting.model_copy(update={"admitted": admitted}), written),
        "lobby.admitted",
        {"member_id": command.member_id, "name": target.name},
        written,
    )


def _admitted(meeting: Meeting, member_id: str, now: datetime) -> Participant:
    """Out of the lobby and present (they check in themselves); they will not wait again in this meeting
    (the caller lists them as admitted)."""
    current = meeting.participants[member_id]
    update = {"waiting": False, "present": bool(current.sessions), "last_seen_at": now}
    return current.model_copy(update=update)
