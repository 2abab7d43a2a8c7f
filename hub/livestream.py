"""The pure rules of the livestream: officers start and stop the programme feed and say how it is sent
and who may watch (`Meeting.livestream`). The relay runs the feed while it is on (docs/livestream.md).

Pure: no store, no clock, no I/O.
"""

from __future__ import annotations

from datetime import datetime

from hub.commands import LivestreamPush, LivestreamSet, LivestreamSettings, LivestreamStart, LivestreamStop
from hub.errors import HubError
from hub.meetings import Actor, Change
from hub.models import RECORDINGS_MOST, Livestream, Meeting, MeetingStatus, Recording, push_host

# A meeting that is over streams nothing more.
OVER = frozenset({MeetingStatus.CLOSED, MeetingStatus.CANCELLED})


def _settled(live: Livestream, command: LivestreamSettings) -> Livestream:
    chosen = command.model_dump(exclude_none=True)
    return live.model_copy(update=chosen)


def _settings(live: Livestream) -> dict[str, object]:
    return {
        "quality": live.quality,
        "audience": live.audience,
        "record": live.record,
        "language": live.language,
    }


def start(meeting: Meeting, command: LivestreamStart, actor: Actor, now: datetime) -> Change | None:
    if meeting.status in OVER:
        raise HubError(
            "livestream.meeting_over",
            "This meeting is over: its livestream cannot start.",
            {"status": meeting.status.value},
        )
    if meeting.livestream.on:
        # Started already (another officer, or a retry): as asked, but changing nothing.
        return None
    live = _settled(meeting.livestream, command).model_copy(
        update={"on": True, "started_at": now, "ended_at": None}
    )
    return Change(meeting.model_copy(update={"livestream": live}), "livestream.started", _settings(live))


def stop(meeting: Meeting, command: LivestreamStop, actor: Actor, now: datetime) -> Change | None:
    if not meeting.livestream.on:
        return None
    live = meeting.livestream.model_copy(update={"on": False, "ended_at": now})
    return Change(meeting.model_copy(update={"livestream": live}), "livestream.stopped")


def set_settings(meeting: Meeting, command: LivestreamSet, actor: Actor, now: datetime) -> Change | None:
    """How the livestream is sent and who may watch, whether it is on or not (it takes effect at once)."""
    live = _settled(meeting.livestream, command)
    if live == meeting.livestream:
        return None
    changed = {k: v for k, v in _settings(live).items() if _settings(meeting.livestream)[k] != v}
    return Change(meeting.model_copy(update={"livestream": live}), "livestream.set", changed)


def push(meeting: Meeting, command: LivestreamPush, actor: Actor, now: datetime) -> Change | None:
    """Where the programme is pushed while the livestream is on (at once if it is on), or nowhere. The
    event names the host only: the address holds the platform's key."""
    url = command.url
    if url == meeting.livestream.push_url:
        return None
    to = None if url is None else push_host(url)
    live = meeting.livestream.model_copy(update={"push_url": url, "push_to": to})
    return Change(meeting.model_copy(update={"livestream": live}), "livestream.push_set", {"to": to})


def recorded(meeting: Meeting, recording: Recording, now: datetime) -> Change | None:
    """A recording finished (`ready`) or that could not be made (`failed`), committed by the hub itself
    once the feed stopped, or at start-up for one a crash left. The same recording again changes
    nothing; one finished after it failed (a later start-up) takes its place."""
    kept = meeting.livestream.recordings
    if recording in kept:
        return None
    others = [r for r in kept if r.id != recording.id]
    recordings = [*others, recording][-RECORDINGS_MOST:]
    live = meeting.livestream.model_copy(update={"recordings": recordings})
    changed = meeting.model_copy(update={"livestream": live})
    if recording.status == "ready":
        return Change(
            changed, "recording.finished", {"recording_id": recording.id, "seconds": recording.seconds}
        )
    return Change(changed, "recording.failed", {"recording_id": recording.id})
