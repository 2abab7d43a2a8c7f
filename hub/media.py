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
- What the others see of a member's media (`used`, `microphone`): each of their connections' mode and
  microphone switch, as the edge records them when the connection joins or leaves the media and as the
  member switches; the participant shows the mode that sends most and whether any microphone is on.
  Calling a member who would not be heard warns the chair (`call`, `unheard`).
- Followers: in a large meeting a connection may follow the livestream instead of holding a peer in the
  relay (`follow`, only while the livestream is on). Their browser joins the relay by itself when the
  member is called and follows again after the speech, so calling a follower is no warning.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from hub import meetings, speakers
from hub.commands import MediaMicrophone, MediaMute, MediaMuteAll, MediaSetSettings, MediaUnmute, SpeakerCall
from hub.errors import HubError
from hub.meetings import Actor, Change
from hub.models import OFFICER_ROLES, VOTING_ROLES, MediaUse, Meeting, RelayMode, Role, media_fields
from hub.roles import CHAIRS

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


def used(meeting: Meeting, actor: Actor, use: MediaUse | None) -> Change | None:
    """The actor's connection joined the media, changed its mode, or left it (`use` None): the others see
    the participant's mode and microphone. Nothing for a connection no longer in the meeting: its media
    ended with it (`meetings.leave`)."""
    participant = meeting.participants.get(actor.member_id)
    if participant is None or actor.session not in participant.sessions:
        return None
    uses = dict(participant.media_sessions)
    if use is None and uses.pop(actor.session, None) is None:
        return None
    if use is not None:
        if uses.get(actor.session) == use:
            return None
        uses[actor.session] = use
    entry = participant.model_copy(update=media_fields(uses))
    return Change(
        meetings.with_participants(meeting, {actor.member_id: entry}),
        "participant.media",
        {"member_id": actor.member_id, "media": entry.media, "microphone": entry.microphone},
        {actor.member_id: entry},
    )


def microphone(meeting: Meeting, command: MediaMicrophone, actor: Actor, now: datetime) -> Change | None:
    """The member switched their own microphone on or off on this connection. Only what the others see:
    their browser stops sending sound; the relay's own rules (mutes, formal mode) are apart."""
    participant = meeting.participants.get(actor.member_id)
    use = None if participant is None else participant.media_sessions.get(actor.session)
    if use is None or use.mode == "follow":
        raise HubError("media.not_joined", "Join the meeting's audio and video first.")
    if use.mode == "listen":
        raise HubError("media.listen_only", "Listening only: join with audio to use a microphone.")
    return used(meeting, actor, use.model_copy(update={"microphone": command.on}))


def follow(meeting: Meeting, actor: Actor) -> Change | None:
    """The actor's connection follows the livestream instead of the relay (the edge ends its peer, if
    any): it sends nothing. Only while the meeting is streamed, or there would be nothing to follow."""
    if not meeting.livestream.on:
        raise HubError(
            "media.not_streamed", "The meeting is not being livestreamed: join its audio and video instead."
        )
    return used(meeting, actor, MediaUse(mode="follow", microphone=False))


def unheard(meeting: Meeting, member_id: str) -> dict[str, Any] | None:
    """Why a member would not be heard if given the floor now, as an error object (code, message,
    details), or None: muted by the chair, not in the audio at all, listening only, or their own
    microphone off. A follower is heard while the livestream is on: their browser joins the relay when
    they are called."""
    participant = meetings.participant(meeting, member_id)
    name = participant.name
    if member_id in meeting.muted:
        code, message = "media.muted", f"{name} is muted: unmute them to hear them."
    elif participant.media == "follow" and meeting.livestream.on:
        return None
    elif participant.media in (None, "follow"):
        # A follower whose livestream has stopped holds no call either.
        code, message = "media.not_connected", f"{name} has not joined the audio: nobody hears them yet."
    elif participant.media == "listen":
        code, message = "media.listening", f"{name} is listening only: nobody hears them yet."
    elif not participant.microphone:
        code, message = "media.microphone_off", f"{name}'s microphone is off."
    else:
        return None
    return {"code": code, "message": message, "details": {"member_id": member_id, "name": name}}


def call(meeting: Meeting, command: SpeakerCall, actor: Actor, now: datetime) -> Change:
    """`speakers.call`, with a `warning` in its data (and so in the chair's reply) when the member called
    would not be heard as things stand. The call stands: the chair may unmute them, and their browser
    prompts them to turn their microphone on."""
    change = speakers.call(meeting, command, actor, now)
    speech = change.meeting.speech
    assert speech is not None
    warning = unheard(change.meeting, speech.member_id)
    if warning is None:
        return change
    return replace(change, data={**change.data, "warning": warning})


def check_mode(role: Role, mode: RelayMode) -> None:
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
    return speakers.elapsed(speech, now) < speech.limit_seconds + OVERRUN_SECONDS


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
