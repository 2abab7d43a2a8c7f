"""Pure rules for a meeting's life and presence: no clock, no store, no I/O.

Each rule takes the meeting, the command, the actor and the time, and returns a Change (the new meeting
and the event's type and data) or None when the command changes nothing (a retry, an idempotent repeat).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hub.commands import MeetingSetCardWeights, MeetingSetStandingOrders
from hub.errors import HubError
from hub.models import OFFICER_ROLES, Meeting, MeetingStatus, Participant, Role, media_fields


@dataclass(frozen=True)
class Actor:
    member_id: str
    name: str
    role: Role
    # The connection the command came on; presence is counted per connection.
    session: str = ""
    # Self-described, for balance rules only; never shown to other members.
    gender: str | None = None
    # The member's own branch (Member.branch), for their join screen.
    branch: str | None = None


@dataclass(frozen=True)
class Disconnect:
    """Close these connections ("NODE/SID"), wherever they are held."""

    sessions: tuple[str, ...]


@dataclass(frozen=True)
class CloseMember:
    """Every node closes the member's connections to the meeting, joined or not."""

    member_id: str


@dataclass(frozen=True)
class StrikeVoter:
    """No further ballot from the member in these open votes (one cast stays counted)."""

    member_id: str
    vote_ids: tuple[str, ...]


@dataclass(frozen=True)
class OpenBox:
    """Open the vote's ballot box for this electorate (member id -> weight), before anyone hears that
    the vote is open."""

    vote_id: str
    # A secret ballot's box knows voters only by their tags (signalling/ballots.py).
    secret: bool
    allow_change: bool
    weights: Mapping[str, int]
    # An advance poll's box admits any invited voter at their first ballot, and closes at this time.
    closes_at: datetime | None = None


# What a change needs done beyond the meeting's document, as data: the edge carries the effects out in
# order once the change is committed (a ballot box before the news, the rest after it), so a refused
# command leaves nothing half done.
Effect = Disconnect | CloseMember | StrikeVoter | OpenBox
BEFORE_NEWS = (OpenBox,)


@dataclass(frozen=True)
class Change:
    """What a rule did. `meeting` is the meeting after it; the rule replaced the parts it changed and
    left the others the very objects it was given, so comparing parts by identity finds them, whatever
    the size of the meeting. `participants` lists the participant entries it wrote (with
    `with_participants`), so nobody has to compare thousands of them."""

    meeting: Meeting
    type: str
    data: dict[str, Any] = field(default_factory=dict)
    participants: Mapping[str, Participant] = field(default_factory=dict)
    effects: tuple[Effect, ...] = ()


# While the meeting sits, those present may check in.
SITTING = frozenset({MeetingStatus.OPEN, MeetingStatus.IN_SESSION})


def join(meeting: Meeting, actor: Actor, now: datetime) -> Change | None:
    """A connection joins. Joining checks nobody in (attendance.check_in does); a member coming back
    within the grace period finds their place as they left it, and one who had gone after checking in
    is back (`returned`, for the register)."""
    arrival = _arrival(meeting, actor, meeting.participants.get(actor.member_id), now)
    if arrival is None:
        return None
    participant, data = arrival
    return Change(
        with_participants(meeting, {actor.member_id: participant}),
        "lobby.waiting" if participant.waiting else "participant.joined",
        data,
        {actor.member_id: participant},
    )


def arrive(
    meeting: Meeting, actors: Sequence[Actor], now: datetime
) -> tuple[Change | None, dict[str, HubError]]:
    """Connections joining a big room together (hub/arrivals.py): each as `join` has it, in one change,
    `participants.joined`, whose `joined` lists each one's `join` data (with `waiting` for those the
    lobby holds). Those `join` refuses are left out, with why, by session."""
    written: dict[str, Participant] = {}
    joined: list[dict[str, Any]] = []
    refused: dict[str, HubError] = {}
    for actor in actors:
        current = written.get(actor.member_id) or meeting.participants.get(actor.member_id)
        try:
            arrival = _arrival(meeting, actor, current, now)
        except HubError as exc:
            refused[actor.session] = exc
            continue
        if arrival is not None:
            participant, data = arrival
            written[actor.member_id] = participant
            joined.append({**data, "waiting": True} if participant.waiting else data)
    if not written:
        return None, refused
    change = Change(with_participants(meeting, written), "participants.joined", {"joined": joined}, written)
    return change, refused


def _arrival(
    meeting: Meeting, actor: Actor, current: Participant | None, now: datetime
) -> tuple[Participant, dict[str, Any]] | None:
    """The member's entry once this connection has joined, and the event's data; None if it had."""
    refuse_removed(meeting, actor.member_id)
    if current is not None and actor.session in current.sessions:
        return None
    waits = in_lobby(meeting, actor, current)
    if current is None:
        participant = Participant(
            member_id=actor.member_id,
            name=actor.name,
            role=actor.role,
            present=not waits,
            waiting=waits,
            sessions=[actor.session],
            gender=actor.gender,
            first_joined_at=now,
            last_seen_at=now,
        )
    else:
        participant = current.model_copy(
            update={
                "present": not waits,
                "waiting": waits,
                "away_since": None,
                "role": actor.role,
                "sessions": [*current.sessions, actor.session],
                "last_seen_at": now,
            }
        )
    data: dict[str, Any] = {
        "member_id": actor.member_id,
        "name": actor.name,
        "connections": len(participant.sessions),
    }
    # One in the hall never left: their device joining is no return.
    back = current is not None and current.attended and not current.present and not current.hall
    if back and participant.present:
        data["returned"] = True
    return participant, data


def in_lobby(meeting: Meeting, actor: Actor, current: Participant | None = None) -> bool:
    """Whether joining puts this member in the lobby: it is on, they are not an officer, the chair
    has not admitted them to this meeting already, and an officer has not checked them in in the hall.
    `current`: their entry, if not the meeting's own (arrivals gathered with others)."""
    if not meeting.lobby or actor.role in OFFICER_ROLES or actor.member_id in meeting.admitted:
        return False
    current = current or meeting.participants.get(actor.member_id)
    return current is None or not current.hall


def leave(meeting: Meeting, actor: Actor, now: datetime, dropped: bool = False) -> Change | None:
    """A connection leaves. When it was the member's last, a deliberate leave (meeting.leave) departs
    them at once; a `dropped` one keeps their place (`away_since`) until `depart` finds the grace period
    over, so the quorum does not flicker with a poor connection."""
    current = meeting.participants.get(actor.member_id)
    if current is None or actor.session not in current.sessions:
        return None
    sessions = [s for s in current.sessions if s != actor.session]
    update = {**_connected(current, sessions, now, keep=dropped), "last_seen_at": now}
    participant = current.model_copy(update=update)
    data: dict[str, Any] = {"member_id": actor.member_id, "connections": len(sessions)}
    if participant.away_since is not None:
        data["away"] = True
    elif current.present and not participant.present and not participant.hall:
        data["departed"] = True
    return Change(
        with_participants(meeting, {actor.member_id: participant}),
        "participant.left",
        data,
        {actor.member_id: participant},
    )


def _connected(participant: Participant, sessions: list[str], now: datetime, keep: bool) -> dict[str, Any]:
    """A participant's connections after some closed: present while any remain, or (`keep`) while the
    grace period runs from `now`; waiting in the lobby only while any remain. The media of those closed
    ends with them."""
    waiting = participant.waiting and bool(sessions)
    media = media_fields({s: use for s, use in participant.media_sessions.items() if s in sessions})
    if sessions or waiting:
        return {"sessions": sessions, "present": not waiting, "waiting": waiting, "away_since": None, **media}
    # One in the hall stays counted there: no grace period to wait out.
    away = keep and participant.present and not participant.hall
    return {
        "sessions": sessions,
        "present": away,
        "waiting": False,
        "away_since": (participant.away_since or now) if away else None,
        **media,
    }


def sweep(meeting: Meeting, node: str | None, now: datetime) -> Change | None:
    """Forget connections a hub process held before it restarted, or a dead node held (`node`; every
    one when None). Those left with none keep their place for the grace period, as after any drop: the
    member's browser is probably joining again through another node."""
    stale = {
        m: [s for s in p.sessions if node is None or s.startswith(f"{node}/")]
        for m, p in meeting.participants.items()
    }
    stale = {m: s for m, s in stale.items() if s}
    if not stale:
        return None
    changed = {}
    for member_id, sessions in stale.items():
        current = meeting.participants[member_id]
        kept = [s for s in current.sessions if s not in sessions]
        changed[member_id] = current.model_copy(update=_connected(current, kept, now, keep=True))
    away = sorted(m for m, p in changed.items() if p.away_since is not None)
    return Change(
        with_participants(meeting, changed),
        "participants.swept",
        {"member_ids": sorted(stale), "node": node, "away": away},
        changed,
    )


def depart(meeting: Meeting, member_ids: Iterable[str], grace: timedelta, now: datetime) -> Change | None:
    """Those of `member_ids` still away once their grace period is over have gone: no longer present,
    nor counted for quorum. Each one's departure is dated when their last connection dropped."""
    gone: dict[str, Participant] = {}
    for member_id in dict.fromkeys(member_ids):
        current = meeting.participants.get(member_id)
        if current is None or current.away_since is None or current.away_since + grace > now:
            continue
        gone[member_id] = current.model_copy(update={"present": False, "away_since": None})
    if not gone:
        return None
    left_at = {m: meeting.participants[m].away_since.isoformat() for m in gone}  # type: ignore[union-attr]
    return Change(
        with_participants(meeting, gone),
        "attendance.departed",
        {"member_ids": sorted(gone), "left_at": left_at},
        gone,
    )


def set_standing_orders(
    meeting: Meeting, command: MeetingSetStandingOrders, actor: Actor, now: datetime
) -> Change | None:
    """A branch's rules for this meeting; fixed once a vote has been taken, so results stay explainable."""
    if command.standing_orders == meeting.standing_orders:
        return None
    if meeting.votes:
        raise HubError(
            "meeting.standing_orders_fixed", "Standing orders cannot change once voting has begun."
        )
    return Change(
        meeting.model_copy(update={"standing_orders": command.standing_orders}),
        "meeting.standing_orders_set",
        {"standing_orders": command.standing_orders.model_dump(mode="json")},
    )


def set_card_weights(
    meeting: Meeting, command: MeetingSetCardWeights, actor: Actor, now: datetime
) -> Change | None:
    """Delegate counts for card votes; a vote already open keeps the weights it opened with."""
    if command.weights == meeting.card_weights:
        return None
    return Change(
        meeting.model_copy(update={"card_weights": command.weights}),
        "meeting.card_weights_set",
        {"members": len(command.weights), "delegates": sum(command.weights.values())},
    )


def as_present(
    actor: Actor, rule: Callable[[Meeting, datetime], Change | None]
) -> Callable[[Meeting, datetime], Change | None]:
    """The rule, refused unless the actor is in the meeting: business is done by those present."""

    def checked(meeting: Meeting, now: datetime) -> Change | None:
        require_present(meeting, actor)
        return rule(meeting, now)

    return checked


def participant(meeting: Meeting, member_id: str) -> Participant:
    """A member who has joined this meeting at some time, or `participant.not_found`."""
    found = meeting.participants.get(member_id)
    if found is None:
        raise HubError(
            "participant.not_found", "That member has never joined this meeting.", {"member_id": member_id}
        )
    return found


def refuse_removed(meeting: Meeting, member_id: str) -> None:
    if member_id in meeting.removed:
        raise HubError("auth.removed", "The chair has removed you from this meeting.")


def require_present(meeting: Meeting, actor: Actor) -> None:
    participant = meeting.participants.get(actor.member_id)
    if participant is None or not participant.present:
        raise HubError("attendance.not_present", "Join the meeting first: business is done by those present.")


def next_id(meeting: Meeting, prefix: str) -> tuple[Meeting, str]:
    """A new id from the meeting's own counter, so that replaying the same commands gives the same ids."""
    serial = meeting.serial + 1
    return meeting.model_copy(update={"serial": serial}), f"{prefix}{serial}"


def with_participants(meeting: Meeting, written: Mapping[str, Participant]) -> Meeting:
    """The meeting with these participant entries written, its presence counted from them alone."""
    if not written:
        return meeting
    presence = meeting.presence
    for member_id, entry in written.items():
        presence = presence.counted(meeting.participants.get(member_id), entry)
    participants = {**meeting.participants, **written}
    return meeting.model_copy(update={"participants": participants, "presence": presence})
