"""Pure rules for a meeting's life: scheduled, open, in session, closed, and open again. A closed meeting
does no business until the chair reopens it; closing stops the clocks. No clock, no store, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hub.agenda import bank_time, find
from hub.commands import MeetingSetStatus
from hub.errors import HubError
from hub.meetings import SITTING, Actor, Change, with_participants
from hub.models import TRANSITIONS, Meeting, MeetingStatus


def set_status(meeting: Meeting, command: MeetingSetStatus, actor: Actor, now: datetime) -> Change | None:
    if command.status == meeting.status:
        return None
    if command.status not in TRANSITIONS[meeting.status]:
        raise HubError(
            "meeting.bad_transition",
            f"A meeting that is {meeting.status.value} cannot become {command.status.value}.",
            {"from": meeting.status.value, "to": command.status.value},
        )
    before = meeting.status
    if command.status == MeetingStatus.CLOSED:
        meeting = close(meeting, now)
    # Whoever is here as the meeting starts sitting is checked in.
    arrived = {}
    if command.status in SITTING:
        arrived = {
            m: p.model_copy(update={"attended": True})
            for m, p in meeting.participants.items()
            if p.present and not p.attended
        }
    return Change(
        with_participants(meeting.model_copy(update={"status": command.status}), arrived),
        "meeting.status_changed",
        # The quorum as it stood, for the minutes (whether the meeting opened quorate).
        {"from": before.value, "to": command.status.value, "quorum": meeting.quorum.model_dump()},
        arrived,
    )


def close(meeting: Meeting, now: datetime) -> Meeting:
    """The meeting closed (by the chair, or by an adjournment carried): no vote left open (its result
    must be declared first), no speech running, and the item under discussion left with its time
    banked."""
    open_vote = next((v for v in meeting.votes if v.status == "open"), None)
    if open_vote is not None:
        raise HubError(
            "meeting.vote_open",
            "Close the open vote and declare its result before closing the meeting.",
            {"vote_id": open_vote.id},
        )
    update: dict[str, object] = {"status": MeetingStatus.CLOSED, "speech": None, "current_item": None}
    if meeting.current_item is not None:
        item = find(meeting, meeting.current_item)
        banked = bank_time(item, now)
        update["agenda"] = [banked if i.id == item.id else i for i in meeting.agenda]
    return meeting.model_copy(update=update)


def refuse_closed(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CLOSED:
        raise HubError(
            "meeting.closed", "The meeting has closed: it does no more business unless the chair reopens it."
        )


def as_business(
    rule: Callable[[Meeting, datetime], Change | None],
) -> Callable[[Meeting, datetime], Change | None]:
    """The rule, refused once the meeting has closed."""

    def checked(meeting: Meeting, now: datetime) -> Change | None:
        refuse_closed(meeting)
        return rule(meeting, now)

    return checked
