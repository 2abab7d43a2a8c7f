"""Pure rules for a meeting's life: scheduled, open, in session, closed, and open again. A closed meeting
does no business until the chair reopens it; closing stops the clocks. An adjourned meeting does no
business until the time it was adjourned to, when it resumes where it was (or the chair resumes it
sooner). No clock, no store, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hub.agenda import bank_time, find, replace_item
from hub.commands import MeetingResume, MeetingSetStatus
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
    # The officer who opens the meeting is evidently here: opening checks them in. Everyone else,
    # the secretary included, checks in for themselves (attendance.check_in).
    opener = meeting.participants.get(actor.member_id)
    arrived = {}
    if command.status in SITTING and opener is not None and opener.present and not opener.attended:
        arrived = {actor.member_id: opener.model_copy(update={"attended": True})}
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
    update: dict[str, object] = {
        "status": MeetingStatus.CLOSED,
        "speech": None,
        "current_item": None,
        # Closed, it no longer resumes by itself: reopening is the chair's.
        "adjourned_until": None,
    }
    if meeting.current_item is not None:
        item = find(meeting, meeting.current_item)
        banked = bank_time(item, now)
        update["agenda"] = [banked if i.id == item.id else i for i in meeting.agenda]
    return meeting.model_copy(update=update)


# How far ahead a meeting may be adjourned to: further than this, it is closed and called again.
ADJOURN_LIMIT = timedelta(days=14)


class ResumeDue(HubError):
    """Business sent to a meeting whose adjournment has run out before anything resumed it: the edge
    commits the resumption (`resume_due`) and runs the command again."""

    def __init__(self, until: datetime) -> None:
        super().__init__(
            "meeting.adjourned", "The meeting is resuming; try again.", {"until": until.isoformat()}
        )


def when(meeting: Meeting, at: datetime) -> str:
    """A time as the record says it: in the meeting's own zone."""
    return f"{at.astimezone(ZoneInfo(meeting.time_zone)):%H:%M on %A %d %B %Y} ({meeting.time_zone})"


def check_until(until: datetime, now: datetime) -> None:
    """An adjournment's stated time: later than now, and within ADJOURN_LIMIT."""
    latest = now + ADJOURN_LIMIT
    if not now < until <= latest:
        raise HubError(
            "motion.adjourn_time",
            f"Adjourn the meeting to a time in the next {ADJOURN_LIMIT.days} days.",
            {"until": until.isoformat(), "latest": latest.isoformat()},
        )


def adjourn(meeting: Meeting, until: datetime, now: datetime) -> Meeting:
    """Adjourned to `until` (an adjournment carried): no speech running (a speech is paused, so its
    speaker may go on after), the item's clock banked; the agenda, the current item, the speaker lists
    and the motions stay as they are for the resumption."""
    update: dict[str, object] = {"adjourned_until": until}
    speech = meeting.speech
    if speech is not None and speech.started_at is not None:
        ran = speech.elapsed_seconds + (now - speech.started_at).total_seconds()
        update["speech"] = speech.model_copy(update={"started_at": None, "elapsed_seconds": ran})
    if meeting.current_item is not None:
        banked = bank_time(find(meeting, meeting.current_item), now)
        update["agenda"] = [banked if i.id == banked.id else i for i in meeting.agenda]
    return meeting.model_copy(update=update)


def resume(meeting: Meeting, command: MeetingResume, actor: Actor, now: datetime) -> Change | None:
    """The chair resumes an adjourned meeting, before its time if they wish; a meeting not adjourned
    (already resumed at its time) changes nothing."""
    if meeting.adjourned_until is None:
        return None
    return _resumed(meeting, now)


def resume_due(meeting: Meeting, now: datetime) -> Change | None:
    """The hub resumes an adjourned meeting once its time has come; before then, or once resumed,
    nothing changes (so any number of timers and processes commit it once)."""
    if meeting.adjourned_until is None or now < meeting.adjourned_until:
        return None
    return _resumed(meeting, now)


def _resumed(meeting: Meeting, now: datetime) -> Change:
    until = meeting.adjourned_until
    assert until is not None
    resumed = meeting.model_copy(update={"adjourned_until": None})
    if meeting.current_item is not None:
        # The item's clock runs again from now; a paused speech waits for the chair.
        item = find(meeting, meeting.current_item)
        resumed = replace_item(resumed, item.model_copy(update={"opened_at": now}))
    return Change(resumed, "meeting.resumed", {"adjourned_until": until.isoformat(), "early": now < until})


def refuse_closed(meeting: Meeting, now: datetime) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise HubError("meeting.cancelled", "The meeting was cancelled: it does no business.")
    if meeting.status == MeetingStatus.CLOSED:
        raise HubError(
            "meeting.closed", "The meeting has closed: it does no more business unless the chair reopens it."
        )
    until = meeting.adjourned_until
    if until is not None:
        if now >= until:
            raise ResumeDue(until)
        raise HubError(
            "meeting.adjourned",
            f"The meeting is adjourned until {when(meeting, until)}: it does no business until then.",
            {"until": until.isoformat()},
        )


def as_business(
    rule: Callable[[Meeting, datetime], Change | None],
) -> Callable[[Meeting, datetime], Change | None]:
    """The rule, refused once the meeting has closed, and while it is adjourned."""

    def checked(meeting: Meeting, now: datetime) -> Change | None:
        refuse_closed(meeting, now)
        return rule(meeting, now)

    return checked
