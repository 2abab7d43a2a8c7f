"""Pure rules and policy for a meeting's audio and video: no clock, no store, no I/O, no WebRTC.

The chair's controls (mute, unmute, mute everyone, the media settings) are rules like any other. The
policy functions answer the relay's questions from the meeting alone; the relay (signalling/media/)
obeys them and decides nothing about procedure.

- Muted by the chair: that member's audio is never forwarded, in any mode. A mute is kept when the
  member leaves and comes back, and calling a muted member to speak does not unmute them: the chair
  muted them for a reason and unmutes them explicitly. Muting is for audio only.
- Formal mode (on, or "auto" with more than `formal_above` present): only officers (admin, chair,
  secretary) and the member who has the floor are heard. The floor is open while the speech's timer
  runs and for `OVERRUN_SECONDS` past the time allowed, so a speaker can finish a sentence; the chair
  can extend the speech. A paused speech closes the mic: the chair pauses the clock to speak or to
  restore order, and the floor is not used while the clock stands. It reopens when the timer resumes.
- On stage: the member whose speech is current, running or paused, until the speech ends.
- Cameras: the one on stage, plus the `last_n` most recently active speakers; when the other cameras
  number `last_n` or fewer, everyone's. So the relay's cost grows with `last_n`, not with the square of
  the participants.
- Screens: everyone's who shares; in formal mode only officers' and the screen of the member on stage,
  so an uncalled member cannot take over the room.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from hub import meetings
from hub.commands import MediaMode, MediaMute, MediaMuteAll, MediaSetSettings, MediaUnmute
from hub.errors import HubError
from hub.meetings import Actor, Change
from hub.models import OFFICER_ROLES, VOTING_ROLES, Meeting, Role
from hub.roles import CHAIRS
from hub.speakers import elapsed

# Heard in formal mode without being called.
HEARD_IN_FORMAL = OFFICER_ROLES
# How long past the time allowed the floor stays open.
OVERRUN_SECONDS = 10


# Rules.


def mute(meeting: Meeting, command: MediaMute, actor: Actor, now: datetime) -> Change | None:
    participant = meetings.participant(meeting, command.member_id)
    if participant.role in CHAIRS:
        raise HubError(
            "media.cannot_mute_chair",
            f"{participant.name} is in the chair and cannot be muted.",
            {"member_id": command.member_id},
        )
    if command.member_id in meeting.muted:
        return None
    return Change(
        meeting.model_copy(update={"muted": [*meeting.muted, command.member_id]}),
        "participant.muted",
        {"member_id": command.member_id, "name": participant.name},
    )


def unmute(meeting: Meeting, command: MediaUnmute, actor: Actor, now: datetime) -> Change | None:
    if command.member_id not in meeting.muted:
        return None
    participant = meetings.participant(meeting, command.member_id)
    return Change(
        meeting.model_copy(update={"muted": [m for m in meeting.muted if m != command.member_id]}),
        "participant.unmuted",
        {"member_id": command.member_id, "name": participant.name},
    )


def mute_all(meeting: Meeting, command: MediaMuteAll, actor: Actor, now: datetime) -> Change | None:
    """Mute everyone present except those in the chair."""
    muted = set(meeting.muted)
    targets = [
        m for m, p in meeting.participants.items() if p.present and p.role not in CHAIRS and m not in muted
    ]
    if not targets:
        return None
    return Change(
        meeting.model_copy(update={"muted": [*meeting.muted, *targets]}),
        "participants.muted",
        {"member_ids": targets},
    )


def set_settings(meeting: Meeting, command: MediaSetSettings, actor: Actor, now: datetime) -> Change | None:
    settings = meeting.media.model_copy(update=command.model_dump(exclude_none=True))
    if settings == meeting.media:
        return None
    return Change(
        meeting.model_copy(update={"media": settings}),
        "media.settings_set",
        {"settings": settings.model_dump(mode="json")},
    )


def check_mode(role: Role, mode: MediaMode) -> None:
    """Only those who may take part in the business send audio or video; observers listen."""
    if mode != "listen" and role not in VOTING_ROLES:
        raise HubError(
            "media.mode_not_allowed",
            f"A {role.value} may only listen.",
            {"mode": mode, "role": role.value},
        )


# Policy.


@dataclass(frozen=True)
class Forwarding:
    """Whose audio, camera and screen the relay forwards right now (member ids)."""

    audio: frozenset[str]
    cameras: frozenset[str]
    screens: frozenset[str]


def formal(meeting: Meeting) -> bool:
    mode = meeting.media.formal
    if mode == "auto":
        return meeting.presence.present > meeting.media.formal_above
    return mode == "on"


def on_stage(meeting: Meeting) -> str | None:
    return meeting.speech.member_id if meeting.speech is not None else None


def has_floor(meeting: Meeting, member_id: str, now: datetime) -> bool:
    """The member's speech is running and within its time (plus the overrun)."""
    speech = meeting.speech
    if speech is None or speech.member_id != member_id or speech.started_at is None:
        return False
    return elapsed(speech, now) < speech.limit_seconds + OVERRUN_SECONDS


def audio_forwarded(meeting: Meeting, member_id: str, now: datetime) -> bool:
    participant = meeting.participants.get(member_id)
    if participant is None or not participant.present or member_id in meeting.muted:
        return False
    if not formal(meeting) or participant.role in HEARD_IN_FORMAL:
        return True
    return has_floor(meeting, member_id, now)


def screen_forwarded(meeting: Meeting, member_id: str) -> bool:
    participant = meeting.participants.get(member_id)
    if participant is None or not participant.present:
        return False
    return not formal(meeting) or participant.role in HEARD_IN_FORMAL or member_id == on_stage(meeting)


def cameras_forwarded(meeting: Meeting, cameras: Sequence[str], recent: Sequence[str]) -> frozenset[str]:
    """Of the members sending a camera (in the order they started), those to forward: the one on stage,
    then the most recently active speakers (`recent`, latest first), then the others in order, up to
    `last_n` besides the stage."""
    present = [c for c in dict.fromkeys(cameras) if (p := meeting.participants.get(c)) and p.present]
    stage = on_stage(meeting)
    others = [c for c in present if c != stage]
    chosen = others
    if len(others) > meeting.media.last_n:
        waiting = set(others)
        ranked = [r for r in dict.fromkeys(recent) if r in waiting]
        spoke = set(ranked)
        ranked += [c for c in others if c not in spoke]
        chosen = ranked[: meeting.media.last_n]
    return frozenset(chosen) | ({stage} if stage in present else set())


def forwarding(
    meeting: Meeting,
    *,
    microphones: Collection[str],
    cameras: Sequence[str],
    screens: Collection[str],
    recent: Sequence[str],
    now: datetime,
) -> Forwarding:
    """Everything the relay needs at once, given who sends what and who spoke last."""
    return Forwarding(
        audio=frozenset(m for m in microphones if audio_forwarded(meeting, m, now)),
        cameras=cameras_forwarded(meeting, cameras, recent),
        screens=frozenset(m for m in screens if screen_forwarded(meeting, m)),
    )
