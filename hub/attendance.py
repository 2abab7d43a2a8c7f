"""Pure rules for attendance: apologies sent ahead. Check-in happens on joining (hub/meetings.py);
quorum is derived from who is present (Meeting.quorum)."""

from __future__ import annotations

from datetime import datetime

from hub.commands import AttendanceApologise
from hub.errors import HubError
from hub.meetings import Actor, Change
from hub.models import Apology, Meeting, MeetingStatus


def apologise(meeting: Meeting, command: AttendanceApologise, actor: Actor, now: datetime) -> Change | None:
    if meeting.status == MeetingStatus.CLOSED:
        raise HubError("meeting.closed", "This meeting has closed.")
    apology = Apology(name=actor.name, at=now, note=command.note)
    current = meeting.apologies.get(actor.member_id)
    if current is not None and current.note == apology.note:
        return None
    return Change(
        meeting.model_copy(update={"apologies": {**meeting.apologies, actor.member_id: apology}}),
        "attendance.apologised",
        {"member_id": actor.member_id, "name": actor.name, "note": command.note},
    )
