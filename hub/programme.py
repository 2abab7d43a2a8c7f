"""The programme feed's scene: what a viewer of the livestream sees and hears now, from the meeting and
the relay's forwarding alone. Pure: no clock, no store, no media.

- Who is shown: the member on stage (`media.on_stage`: their speech is current, running or paused),
  else the chair presiding (present with the role chair, else admin; one sending a camera first).
- Their picture: their screen if the relay forwards it; with nobody on stage, an officer's forwarded
  screen (the secretary showing the accounts); else their camera; else none, and the feed shows their
  name card. The relay's policy already keeps an uncalled member's screen off in formal mode.
- The sound: the member on stage and the chair, each only if the relay forwards their audio, so a mute
  and formal mode hold on the feed exactly as in the room.
- The caption: name, role, and what they speak to (a point of order, moving a motion, the reply); the
  speech's clock, which the feed counts down itself, so the scene changes only when the procedure does.
- The vote: the open vote's question, then its result for `RESULT_SECONDS` after it closed. Advance
  polls run beside the meeting and are not shown.
- Before the meeting, while adjourned and once closed, a slate with a note instead.

The relay computes the scene whenever it re-applies its policy and sends it on only when it differs.
Text is in the feed's language (English or Spanish).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from hub import media, votes
from hub.media import Forwarding
from hub.models import OFFICER_ROLES, Language, Meeting, MeetingStatus, PollMethod, Role, Speech, Vote

# How long a vote's result stays on screen after it closed.
RESULT_SECONDS = 30

Status = Literal["waiting", "live", "adjourned", "closed"]
Source = Literal["camera", "screen"]

PHRASES: dict[Language, dict[str, str]] = {
    "en": {
        "live": "LIVE",
        "voting": "Voting open",
        "paused": "Paused",
        "point_of_order": "Point of order",
        "moving": "Moving “{title}”",
        "reply": "Reply on “{title}”",
        "carried": "Carried",
        "lost": "Lost",
        "tied": "Tied",
        "chosen": "Chosen: {names}",
        "elected": "Elected: {names}",
        "for": "For",
        "against": "Against",
        "abstain": "Abstain",
        "waiting": "Starts at {when}",
        "adjourned": "Adjourned until {when}",
        "closed": "The meeting has closed",
        "cancelled": "The meeting was cancelled",
        "admin": "Chair",
        "chair": "Chair",
        "secretary": "Secretary",
        "treasurer": "Treasurer",
        "officer": "Officer",
        "member": "Member",
        "observer": "Observer",
    },
    "es": {
        "live": "EN DIRECTO",
        "voting": "Votación abierta",
        "paused": "En pausa",
        "point_of_order": "Cuestión de orden",
        "moving": "Presenta «{title}»",
        "reply": "Réplica sobre «{title}»",
        "carried": "Aprobada",
        "lost": "Rechazada",
        "tied": "Empate",
        "chosen": "Elegido: {names}",
        "elected": "Elegidos: {names}",
        "for": "A favor",
        "against": "En contra",
        "abstain": "Abstención",
        "waiting": "Empieza a las {when}",
        "adjourned": "Se reanuda a las {when}",
        "closed": "La reunión ha terminado",
        "cancelled": "La reunión se ha cancelado",
        "admin": "Presidencia",
        "chair": "Presidencia",
        "secretary": "Secretaría",
        "treasurer": "Tesorería",
        "officer": "Cargo",
        "member": "Miembro",
        "observer": "Observador",
    },
}


def phrase(language: Language, key: str, **values: str) -> str:
    return PHRASES[language][key].format(**values)


@dataclass(frozen=True)
class Caption:
    name: str
    role: str
    context: str | None = None


@dataclass(frozen=True)
class Clock:
    """The speech's clock as the meeting holds it: the feed counts it down against its own clock."""

    limit_seconds: int
    elapsed_seconds: float
    # None while paused.
    started_at: datetime | None


@dataclass(frozen=True)
class VoteCard:
    question: str
    open: bool
    # Once closed: "Carried", "Elected: A, B".
    result: str | None = None
    # Once closed, the total per option by its label (none for ranked polls: first preferences mislead).
    counts: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Scene:
    status: Status
    title: str
    language: Language
    # "4. Motion 2: Climate emergency"
    item: str | None = None
    # Who is on screen (member id), their picture ((member id, source); None: their name card), and
    # their caption.
    shown: str | None = None
    video: tuple[str, Source] | None = None
    caption: Caption | None = None
    clock: Clock | None = None
    vote: VoteCard | None = None
    # Member ids whose audio is mixed: the floor, then the chair.
    audio: tuple[str, ...] = ()
    # The slate's line when not live.
    note: str | None = None


def scene(
    meeting: Meeting,
    now: datetime,
    *,
    cameras: Collection[str],
    forwarding: Forwarding,
    language: Language = "en",
) -> Scene:
    """The scene now. `cameras`: the members sending a camera (the programme shows the chair's even when
    the relay forwards it to nobody); screens and audio come from `forwarding`, which obeys the policy."""
    status = _status(meeting)
    if status != "live":
        return Scene(status, meeting.title, language, note=_note(meeting, status, now, language))
    stage = media.on_stage(meeting)
    chair = _presiding(meeting, cameras, forwarding.audio)
    shown = stage or chair
    speech = meeting.speech if stage is not None else None
    return Scene(
        status,
        meeting.title,
        language,
        item=_item(meeting),
        shown=shown,
        video=None if shown is None else _video(meeting, shown, stage is None, cameras, forwarding),
        caption=None if shown is None else _caption(meeting, shown, speech, language),
        clock=_clock(speech),
        vote=_vote(meeting, now, language),
        audio=tuple(dict.fromkeys(m for m in (stage, chair) if m is not None and m in forwarding.audio)),
    )


def time_left(clock: Clock, now: datetime) -> str:
    """The speech's time left as the caption shows it ("2:59"), and the overrun ("-0:05")."""
    running = 0.0 if clock.started_at is None else (now - clock.started_at).total_seconds()
    left = clock.limit_seconds - (clock.elapsed_seconds + running)
    # Counting down, a second shows until it has fully passed: 2:59.4 left reads 3:00 as clocks do.
    seconds = int(-(-left // 1)) if left > 0 else int(-left)
    return f"{'-' if left < 0 and seconds else ''}{seconds // 60}:{seconds % 60:02}"


def _status(meeting: Meeting) -> Status:
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        return "closed"
    if meeting.adjourned_until is not None:
        return "adjourned"
    return "waiting" if meeting.status == MeetingStatus.SCHEDULED else "live"


def _note(meeting: Meeting, status: Status, now: datetime, language: Language) -> str:
    if status == "waiting":
        return phrase(language, "waiting", when=_when(meeting, meeting.starts_at, now))
    if status == "adjourned":
        assert meeting.adjourned_until is not None
        return phrase(language, "adjourned", when=_when(meeting, meeting.adjourned_until, now))
    return phrase(language, "cancelled" if meeting.status == MeetingStatus.CANCELLED else "closed")


def _when(meeting: Meeting, at: datetime, now: datetime) -> str:
    """A time in the meeting's zone, with its date when not today there (numeric: no month names)."""
    zone = ZoneInfo(meeting.time_zone)
    local = at.astimezone(zone)
    shown = f"{local:%H:%M}" if local.date() == now.astimezone(zone).date() else f"{local:%Y-%m-%d %H:%M}"
    return f"{shown} ({meeting.time_zone})"


def _item(meeting: Meeting) -> str | None:
    for number, item in enumerate(meeting.agenda, start=1):
        if item.id == meeting.current_item:
            return f"{number}. {item.title}"
    return None


def _presiding(meeting: Meeting, cameras: Collection[str], heard: Collection[str]) -> str | None:
    """The chair (else an admin) present, preferring one on camera, then one heard. Those sending are
    few, so the whole room is walked only when no chair sends anything."""
    for role in (Role.CHAIR, Role.ADMIN):
        for senders in (cameras, heard):
            found = sorted(m for m in senders if _is(meeting, m, role))
            if found:
                return found[0]
        found = [m for m, p in meeting.participants.items() if p.present and p.role == role]
        if found:
            return found[0]
    return None


def _is(meeting: Meeting, member_id: str, role: Role) -> bool:
    participant = meeting.participants.get(member_id)
    return participant is not None and participant.present and participant.role == role


def _video(
    meeting: Meeting, shown: str, open_floor: bool, cameras: Collection[str], forwarding: Forwarding
) -> tuple[str, Source] | None:
    if shown in forwarding.screens:
        return (shown, "screen")
    if open_floor:
        officers = sorted(
            m
            for m in forwarding.screens
            if (p := meeting.participants.get(m)) is not None and p.role in OFFICER_ROLES
        )
        if officers:
            return (officers[0], "screen")
    return (shown, "camera") if shown in cameras else None


def _clock(speech: Speech | None) -> Clock | None:
    return None if speech is None else Clock(speech.limit_seconds, speech.elapsed_seconds, speech.started_at)


def _caption(meeting: Meeting, shown: str, speech: Speech | None, language: Language) -> Caption:
    participant = meeting.participants.get(shown)
    name = participant.name if participant is not None else speech.name if speech is not None else shown
    role = phrase(language, (participant.role if participant is not None else Role.MEMBER).value)
    return Caption(name, role, None if speech is None else _context(meeting, speech, language))


def _context(meeting: Meeting, speech: Speech, language: Language) -> str | None:
    if speech.kind == "point_of_order":
        return phrase(language, "point_of_order")
    for motion in meeting.motions:
        moving = motion.mover_id == speech.member_id and motion.item_id == speech.item_id
        if moving and motion.procedure is None and motion.status in ("proposed", "seconded"):
            # The mover speaks again only in reply, which the chair gives once.
            return phrase(language, "reply" if motion.reply_given else "moving", title=motion.title)
    return None


def _vote(meeting: Meeting, now: datetime, language: Language) -> VoteCard | None:
    current = votes.open_vote(meeting)
    if current is not None:
        return VoteCard(current.question, open=True)
    shown_since = now - timedelta(seconds=RESULT_SECONDS)
    closed = [
        v
        for v in meeting.votes
        if v.closes_at is None and v.closed_at is not None and shown_since < v.closed_at <= now
    ]
    if not closed:
        return None
    vote = max(closed, key=lambda v: v.closed_at or now)
    return VoteCard(vote.question, open=False, result=_result(vote, language), counts=_counts(vote, language))


def _labels(vote: Vote, language: Language) -> dict[str, str]:
    if vote.method == PollMethod.YES_NO:
        return {o: phrase(language, o) for o in ("for", "against", "abstain")}
    return {o.id: o.label for o in vote.options}


def _result(vote: Vote, language: Language) -> str | None:
    result = vote.result
    if result is None:
        return None
    if result.outcome == "chosen":
        labels = _labels(vote, language)
        names = ", ".join(labels.get(o, o) for o in result.chosen)
        return phrase(language, "elected" if vote.method == PollMethod.RANKED else "chosen", names=names)
    # A tie the chair left undecided is no defeat: say so.
    return phrase(language, "tied" if result.tied and result.casting_vote is None else result.outcome)


def _counts(vote: Vote, language: Language) -> tuple[tuple[str, int], ...]:
    if vote.result is None or vote.method == PollMethod.RANKED:
        return ()
    return tuple((label, vote.result.counts.get(o, 0)) for o, label in _labels(vote, language).items())
