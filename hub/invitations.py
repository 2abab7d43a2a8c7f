"""Inviting a meeting's members by email, and keeping them told: updates when it changes, a cancellation
when it is called off, and reminders before it starts. The letters are made in hub/letters.py, when
reminders fall in hub/reminders.py, who is invited in hub/officers.py (`invitees`); this module keeps
where each member stands in Redis and posts letters to the outbox (hub/outbox.py).

- `hub:{m:ID}:invitations`: the meeting's calendar `sequence`, the `schedule` it was announced with
  (a change to it is announced with the sequence one higher) and the meeting `version` that was read
  from, whether every invited member has been `told` of that sequence, the meeting's own `reminders`
  when they are not the hub's, and the last reminder sent to all (`reminded`).
- `hub:{m:ID}:invitations:letters`: each invited member's latest calendar letter (the invitation, an
  update or the cancellation), as `KIND|SEQUENCE|LETTER`: where their invitation stands is that
  letter's record in the outbox.
- `hub:{m:ID}:invitations:invited`: when each member was first invited.
- `hub:{m:ID}:invitations:reminded`: each member's latest reminder letter.
- `hub:invitations`: the meetings whose invited members are kept told (`sync`).

Letters are posted with `Outbox.post_once` under ids made from what they are (the meeting, the member,
the kind and the sequence, or the reminder's time), with the member's standing written in the same
script: however many processes invite, sync or remind at once, and wherever one was stopped, each
member gets each letter once."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, cast

from pydantic import Field, model_validator

from hub import officers, reminders
from hub.errors import HubError
from hub.home import length
from hub.letters import About, Kind, Links, compose
from hub.models import Branch, Id, Meeting, MeetingStatus, Member, Model
from hub.outbox import Letter, Mark, Progress, Status
from hub.service import Hub

log = logging.getLogger(__name__)

MEETINGS = "hub:invitations"
# Letters made and posted in one script at a time: a few hundred kilobytes.
BATCH = 200
# A join link in a letter works until a day after the meeting's start (as on the home page).
JOIN_VALID = timedelta(days=1)
# An unsubscribe link keeps working this long: old letters are still in mailboxes.
UNSUBSCRIBE_VALID = timedelta(days=5 * 365)
# A meeting whose start is this far past is no longer kept told (inviting it again starts again).
KEPT_AFTER = timedelta(days=7)
# Meetings members may still be invited to.
INVITING = frozenset({MeetingStatus.SCHEDULED, MeetingStatus.OPEN, MeetingStatus.IN_SESSION})
# Meetings whose members get reminders.
REMINDING = frozenset({MeetingStatus.SCHEDULED, MeetingStatus.OPEN})


def _meta(meeting_id: str) -> str:
    return f"hub:{{m:{meeting_id}}}:invitations"


def _letters(meeting_id: str) -> str:
    return f"hub:{{m:{meeting_id}}}:invitations:letters"


def _invited(meeting_id: str) -> str:
    return f"hub:{{m:{meeting_id}}}:invitations:invited"


def _reminded(meeting_id: str) -> str:
    return f"hub:{{m:{meeting_id}}}:invitations:reminded"


def schedule(meeting: Meeting) -> str:
    """What a member's calendar shows of the meeting: a change to any of it is announced."""
    minutes = int(length(meeting).total_seconds() // 60)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    return "\x1f".join(
        [meeting.starts_at.isoformat(), str(minutes), meeting.time_zone, meeting.title, str(cancelled)]
    )


def letter_id(meeting_id: str, member_id: str, *what: str) -> str:
    """The id of the one letter of its kind: the same whoever makes it."""
    return hashlib.sha256("\0".join([meeting_id, member_id, *what]).encode()).hexdigest()[:24]


# Announces a schedule: the sequence stays while the schedule does, and goes one up when it changes,
# unless the meeting was read at a version older than the one last announced (a slower process must
# not announce the schedule it read over a newer one). Returns the sequence and 1 if that was so.
_ANNOUNCE = """
local held = redis.call('HMGET', KEYS[1], 'schedule', 'sequence', 'version')
local version = tonumber(ARGV[2])
if not held[1] then
  redis.call('HSET', KEYS[1], 'schedule', ARGV[1], 'sequence', 0, 'version', version)
  return {0, 0}
end
local sequence = tonumber(held[2])
if version < tonumber(held[3]) then return {sequence, 1} end
if held[1] ~= ARGV[1] then
  sequence = sequence + 1
  redis.call('HSET', KEYS[1], 'schedule', ARGV[1], 'sequence', sequence)
end
redis.call('HSET', KEYS[1], 'version', version)
return {sequence, 0}
"""


class Resend(Model):
    """Resend to one member, or to every member whose invitation failed."""

    member_id: Id | None = None
    failed: bool = False

    @model_validator(mode="after")
    def _one(self) -> Resend:
        if (self.member_id is None) == (not self.failed):
            raise ValueError('give either "member_id" or "failed": true')
        return self


class OwnReminders(Model):
    """The meeting's own reminders, in minutes before its start; null for the hub's."""

    minutes: Annotated[list[Annotated[int, Field(ge=1)]], Field(max_length=reminders.MOST)] | None

    @model_validator(mode="after")
    def _checked(self) -> OwnReminders:
        if self.minutes is not None:
            reminders.checked([timedelta(minutes=m) for m in self.minutes])
        return self

    def offsets(self) -> tuple[timedelta, ...] | None:
        return None if self.minutes is None else tuple(timedelta(minutes=m) for m in self.minutes)


@dataclass(frozen=True)
class Standing:
    """Where one member's invitation stands: their latest calendar letter."""

    kind: Kind
    sequence: int
    letter_id: str

    @classmethod
    def parse(cls, text: bytes) -> Standing:
        kind, sequence, letter = text.decode().split("|")
        return cls(Kind(kind), int(sequence), letter)

    def dump(self) -> str:
        return f"{self.kind.value}|{self.sequence}|{self.letter_id}"


@dataclass(frozen=True)
class Invited:
    """What inviting did: letters queued now, members invited before, members without an address."""

    queued: int
    already: int
    no_address: int


@dataclass(frozen=True)
class Recipient:
    member: Member
    # None: not invited yet.
    standing: Standing | None
    letter: Progress | None
    reminder: Progress | None
    invited_at: datetime | None


class Invitations:
    def __init__(
        self,
        hub: Hub,
        base_url: str,
        organizer: str,
        reminders: Sequence[timedelta] = reminders.DEFAULT,
    ) -> None:
        self.hub = hub
        self.redis = hub.store.redis
        self.outbox = hub.outbox
        self.base_url = base_url.rstrip("/")
        # The address calendar events come from (iCalendar's ORGANIZER): the hub's sender.
        self.organizer = organizer
        # The hub's reminders, for meetings without their own.
        self.reminders = tuple(reminders)
        self._announce = self.redis.register_script(_ANNOUNCE)

    # The officers' side.

    async def invite(self, meeting_id: str) -> Invited:
        """Every invitee not yet invited gets their invitation (those invited before get nothing new
        but what `sync` sends them); the meeting's members are kept told from now on."""
        meeting, sequence = await self._announced(meeting_id)
        if meeting.status not in INVITING:
            raise HubError(
                "invitations.meeting_over",
                "This meeting has been held or cancelled: there is nothing to invite anyone to.",
                {"status": meeting.status.value},
            )
        await self.redis.sadd(MEETINGS, meeting_id)
        held = await self._standings(meeting_id)
        branches = {b.id: b for b in await self.hub.branches()}
        invitees = [m for m, _ in officers.invitees(meeting, await self.hub.members(), branches)]
        new = [m for m in invitees if m.id not in held and m.email]
        no_address = sum(1 for m in invitees if not m.email)
        offsets = await self.reminders_of(meeting_id)
        queued = await self._post(meeting, branches, sequence, Kind.INVITATION, new, offsets=offsets)
        # Anyone whose invitation went out as the meeting changed, or was invited before it last
        # changed, hears of the change now rather than at the next round.
        await self.sync(meeting_id, thorough=True)
        return Invited(queued, len(invitees) - len(new) - no_address, no_address)

    async def resend(self, meeting_id: str, member_id: str | None = None) -> int:
        """A fresh copy of the member's invitation as it stands now (its current time and link), or the
        cancellation; with no member, to every member whose latest letter failed. How many queued."""
        meeting, sequence = await self._announced(meeting_id)
        branches = {b.id: b for b in await self.hub.branches()}
        held = await self._standings(meeting_id)
        if member_id is not None:
            member = await self.hub.member(member_id)
            invited = {m.id for m, _ in officers.invitees(meeting, [member], branches)}
            cancelled = meeting.status == MeetingStatus.CANCELLED
            if member.id not in (held if cancelled else invited):
                raise HubError(
                    "invitations.not_invited",
                    f"{member.name} is not invited to this meeting.",
                    {"member_id": member.id},
                )
            if not member.email:
                raise HubError(
                    "invitations.no_address", f"{member.name} has no email address.", {"member_id": member.id}
                )
            if not cancelled and meeting.status not in INVITING:
                raise HubError(
                    "invitations.meeting_over",
                    "This meeting has been held: there is nothing to invite anyone to.",
                    {"status": meeting.status.value},
                )
            chosen = [member]
        else:
            records = await self._records([s.letter_id for s in held.values()])
            failed = {
                m for m, s in held.items() if (r := records.get(s.letter_id)) and r.status == Status.FAILED
            }
            chosen = [m for m in await self.hub.members() if m.id in failed and m.email]
        kind = Kind.CANCELLATION if meeting.status == MeetingStatus.CANCELLED else Kind.INVITATION
        if kind == Kind.INVITATION:
            await self.redis.sadd(MEETINGS, meeting_id)
        offsets = await self.reminders_of(meeting_id)
        queued = await self._post(meeting, branches, sequence, kind, chosen, offsets=offsets, fresh=True)
        await self.sync(meeting_id, thorough=True)
        return queued

    async def recipients(self, meeting_id: str) -> tuple[Meeting, list[Recipient]]:
        """Everyone the meeting invites, and anyone invited before who no longer is, with where their
        invitation and their latest reminder stand; by name."""
        _, meeting = await self.hub.meeting(meeting_id)
        branches = {b.id: b for b in await self.hub.branches()}
        members = await self.hub.members()
        held = await self._standings(meeting_id)
        invitees = {m.id for m, _ in officers.invitees(meeting, members, branches)}
        reminded = {k.decode(): v.decode() for k, v in (await self._hash(_reminded(meeting_id))).items()}
        invited_at = {
            k.decode(): datetime.fromisoformat(v.decode())
            for k, v in (await self._hash(_invited(meeting_id))).items()
        }
        records = await self._records([s.letter_id for s in held.values()] + list(reminded.values()))
        found = []
        for member in members:
            if member.id not in invitees and member.id not in held:
                continue
            standing = held.get(member.id)
            found.append(
                Recipient(
                    member,
                    standing,
                    records.get(standing.letter_id) if standing else None,
                    records.get(reminded[member.id]) if member.id in reminded else None,
                    invited_at.get(member.id),
                )
            )
        found.sort(key=lambda r: (r.member.name.casefold(), r.member.id))
        return meeting, found

    async def reminders_of(self, meeting_id: str) -> tuple[timedelta, ...]:
        """The meeting's reminders: its own, or the hub's."""
        own = await self.redis.hget(_meta(meeting_id), "reminders")
        return self.reminders if own is None else reminders.parse(cast(bytes, own).decode())

    async def own_reminders(self, meeting_id: str) -> bool:
        return bool(await self.redis.hexists(_meta(meeting_id), "reminders"))

    async def set_reminders(
        self, meeting_id: str, offsets: Sequence[timedelta] | None
    ) -> tuple[timedelta, ...]:
        """The meeting's own reminders (checked), or the hub's again with None."""
        await self.hub.meeting(meeting_id)
        if offsets is None:
            await self.redis.hdel(_meta(meeting_id), "reminders")
            return self.reminders
        kept = reminders.checked(offsets)
        await self.redis.hset(_meta(meeting_id), "reminders", reminders.describe(kept))
        return kept

    # Keeping members told: run for every meeting in `hub:invitations` every few seconds (and after
    # inviting), on any process; doing it twice sends nothing twice.

    async def sync_all(self) -> int:
        """`sync` for every meeting whose members are kept told; how many letters were queued."""
        queued = 0
        for raw in cast(set[bytes], await self.redis.smembers(MEETINGS)):
            meeting_id = raw.decode()
            try:
                queued += await self.sync(meeting_id)
            except HubError as error:
                if error.code == "meeting.not_found":
                    await self.redis.srem(MEETINGS, meeting_id)
                else:
                    log.error("the invited members of %s could not be told: %s", meeting_id, error.message)
            except Exception:
                # One meeting's trouble (its branch deleted, say) holds up no other.
                log.exception("the invited members of %s could not be told", meeting_id)
        return queued

    async def sync(self, meeting_id: str, thorough: bool = False) -> int:
        """The invited members told of what they have not heard yet: the meeting's change since their
        letter (an update), its cancellation, or the reminder now due. How many letters were queued.

        Once every member has been told of the meeting as it stands, the meeting's `told` says so, and
        rounds look no further until it changes; `thorough` looks at every member all the same (after
        letters were posted that may have raced with a change)."""
        now = self.hub.clock()
        meeting, sequence = await self._announced(meeting_id)
        cancelled = meeting.status == MeetingStatus.CANCELLED
        settled = f"{sequence}|{'cancelled' if cancelled else 'on'}"
        marks = cast(list[bytes | None], await self.redis.hmget(_meta(meeting_id), ["told", "reminded"]))
        told, reminded = (None if v is None else v.decode() for v in marks)
        held = await self._standings(meeting_id)
        behind: set[str] = set()
        if thorough or told != settled:
            if cancelled:
                behind = {m for m, s in held.items() if s.kind != Kind.CANCELLATION}
            else:
                behind = {m for m, s in held.items() if s.sequence < sequence}
        offset = reminders.due(meeting.starts_at, await self.reminders_of(meeting_id), now)
        slot = None
        if offset is not None and meeting.status in REMINDING:
            slot = f"{int(offset.total_seconds() // 60)}m@{meeting.starts_at.isoformat()}"
            if reminded == slot:
                slot = None
        if not behind and slot is None:
            if told != settled:
                await self.redis.hset(_meta(meeting_id), "told", settled)
            if cancelled or now > meeting.starts_at + KEPT_AFTER:
                # Nothing more to tell: the cancellation went to all, or the meeting is long past.
                await self.redis.srem(MEETINGS, meeting_id)
            return 0
        branches = {b.id: b for b in await self.hub.branches()}
        members = await self.hub.members()
        invitees = {m.id for m, _ in officers.invitees(meeting, members, branches)}
        # A member no longer invited hears no more of it, but for the cancellation of an event their
        # calendar holds.
        telling = [m for m in members if m.id in behind and m.email and (cancelled or m.id in invitees)]
        kind = Kind.CANCELLATION if cancelled else Kind.UPDATE
        offsets = await self.reminders_of(meeting_id)
        queued = await self._post(meeting, branches, sequence, kind, telling, offsets=offsets)
        # Only once all are posted: a process stopped half way leaves the rest to the next round.
        await self.redis.hset(_meta(meeting_id), "told", settled)
        if slot is not None and offset is not None:
            invited_at = {
                k.decode(): datetime.fromisoformat(v.decode())
                for k, v in (await self._hash(_invited(meeting_id))).items()
            }
            due = [
                m
                for m in members
                if m.id in invitees
                and m.id in held
                and m.email
                and m.reminders
                and m.id in invited_at
                and reminders.wanted(meeting.starts_at, offset, invited_at[m.id])
            ]
            queued += await self._post(
                meeting, branches, sequence, Kind.REMINDER, due, offset=offset, slot=slot
            )
            # Only once all are posted: a process stopped half way leaves the rest to the next round.
            await self.redis.hset(_meta(meeting_id), "reminded", slot)
        return queued

    # Members' own choice.

    async def set_member_reminders(self, member_id: str, wanted: bool) -> Member:
        member = await self.hub.member(member_id)
        if member.reminders != wanted:
            member = member.model_copy(update={"reminders": wanted})
            await self.hub.save_member(member)
        return member

    # Inside.

    async def _announced(self, meeting_id: str) -> tuple[Meeting, int]:
        """The meeting and its calendar sequence, its latest schedule announced."""
        for _ in range(5):
            version, meeting = await self.hub.meeting(meeting_id)
            sequence, stale = await self._announce(
                keys=[_meta(meeting_id)], args=[schedule(meeting), version]
            )
            if not stale:
                return meeting, int(sequence)
        raise HubError("busy", "The meeting kept changing: try again.")

    async def _hash(self, key: str) -> dict[bytes, bytes]:
        return cast(dict[bytes, bytes], await self.redis.hgetall(key))

    async def _standings(self, meeting_id: str) -> dict[str, Standing]:
        return {k.decode(): Standing.parse(v) for k, v in (await self._hash(_letters(meeting_id))).items()}

    async def _records(self, letter_ids: Iterable[str]) -> dict[str, Progress]:
        ids = list(dict.fromkeys(letter_ids))
        found: dict[str, Progress] = {}
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            records = await self.outbox.progress(chunk)
            found |= {i: r for i, r in zip(chunk, records, strict=True) if r is not None}
        return found

    async def _post(
        self,
        meeting: Meeting,
        branches: dict[str, Branch],
        sequence: int,
        kind: Kind,
        members: Sequence[Member],
        offsets: Sequence[timedelta] = (),
        offset: timedelta | None = None,
        slot: str | None = None,
        fresh: bool = False,
    ) -> int:
        """Each member's letter of `kind`, posted once (`fresh`: a new copy, as a resend is)."""
        now = self.hub.clock()
        branch = branches.get(meeting.branch_id)
        about = About(meeting, branch.name if branch else meeting.branch_id, sequence, self.organizer, now)
        join_until = max(meeting.starts_at, now) + JOIN_VALID

        def make(batch: Sequence[Member]) -> tuple[list[Letter], list[list[Mark]]]:
            letters: list[Letter] = []
            marks: list[list[Mark]] = []
            for member in batch:
                what = [kind.value, slot or str(sequence)]
                made = secrets.token_hex(12) if fresh else letter_id(meeting.id, member.id, *what)
                join = None
                if kind != Kind.CANCELLATION:
                    join = f"{self.base_url}/join/{self.hub.tokens.issue(member.id, meeting.id, join_until)}"
                unsubscribe = None
                if member.reminders:
                    token = self.hub.tokens.issue_unsubscribe(member.id, now + UNSUBSCRIBE_VALID)
                    unsubscribe = f"{self.base_url}/unsubscribe/{token}"
                links = Links(join, unsubscribe)
                letters.append(compose(kind, made, member, about, links, reminders=offsets, offset=offset))
                marks.append(_marks(meeting.id, member.id, kind, sequence, made, now))
            return letters, marks

        queued = 0
        for start in range(0, len(members), BATCH):
            # A few milliseconds a letter (the calendar part most): thousands of them are made off the
            # event loop, which goes on serving meetings meanwhile.
            letters, marks = await asyncio.to_thread(make, members[start : start + BATCH])
            queued += await self.outbox.post_once(letters, now, marks)
        return queued


def _marks(
    meeting_id: str, member_id: str, kind: Kind, sequence: int, made: str, now: datetime
) -> list[Mark]:
    if kind == Kind.REMINDER:
        return [Mark(_reminded(meeting_id), member_id, made)]
    marks = [Mark(_letters(meeting_id), member_id, Standing(kind, sequence, made).dump())]
    if kind == Kind.INVITATION:
        marks.append(Mark(_invited(meeting_id), member_id, now.astimezone(UTC).isoformat(), keep=True))
    return marks


def recipient_view(recipient: Recipient) -> dict[str, Any]:
    """One recipient as the console shows them."""
    member, letter, reminder = recipient.member, recipient.letter, recipient.reminder

    def record(found: Progress | None) -> dict[str, Any] | None:
        if found is None:
            return None
        return {
            "status": found.status.value,
            "error": found.error,
            "attempts": found.attempts,
            "queued_at": found.queued_at.isoformat(),
            "sent_at": found.sent_at.isoformat() if found.sent_at else None,
        }

    return {
        "member_id": member.id,
        "name": member.name,
        "email": member.email,
        "language": member.language,
        "time_zone": member.time_zone,
        "reminders": member.reminders,
        "kind": recipient.standing.kind.value if recipient.standing else None,
        "sequence": recipient.standing.sequence if recipient.standing else None,
        "invited_at": recipient.invited_at.isoformat() if recipient.invited_at else None,
        "letter": record(letter),
        "reminder": record(reminder),
    }


def status_of(recipient: Recipient) -> str:
    """One word for where a recipient stands: `no_address`, `not_invited`, or their letter's status."""
    if not recipient.member.email:
        return "no_address"
    if recipient.standing is None or recipient.letter is None:
        return "not_invited"
    return recipient.letter.status.value
