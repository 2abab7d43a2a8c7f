"""The one command path: load -> authorise -> pure rule -> atomic commit -> publish.

Rules never see the store or the clock; this module hands them the meeting, the actor and the time.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import secrets
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from hub import crowds, imports, lifecycle
from hub.arrivals import Arrivals
from hub.config import Limits
from hub.deltas import Delta
from hub.errors import HubError
from hub.home import Invitation, invitations
from hub.locks import PriorityLock
from hub.meetings import Actor, Change, Effect, depart, refuse_removed, sweep
from hub.models import (
    DERIVED,
    OFFICER_ROLES,
    VIEW_PARTS,
    VOTING_ROLES,
    Branch,
    Event,
    Meeting,
    MeetingStatus,
    Member,
    Participant,
    Presence,
    Role,
    View,
    public,
    stored,
)
from hub.outbox import Outbox
from hub.permissions import effective_role
from hub.pushes import PresenceCounts
from hub.store import Committed, Loaded, Store
from hub.tokens import Links

# After a commit: the event (and how a big room is shown it) to the meeting's room, and the change's
# effects carried out, in order.
Publisher = Callable[[str, Event, "Shown", tuple[Effect, ...]], Awaitable[None]]
# A rule with its command and actor already bound: what is left is the meeting and the time.
BoundRule = Callable[[Meeting, datetime], Change | None]

COMMIT_ATTEMPTS = 50
# Members' commands that may wait on one meeting before more are refused as busy.
MEMBER_BACKLOG = 16
# The actor of what the hub does by itself: sweeps, departures after the grace period.
SYSTEM = Actor(member_id="hub", name="Hub", role=Role.ADMIN)


@dataclass
class Current:
    """A meeting as last seen by this process, kept while Redis still holds that version: parsing and
    viewing a large meeting costs far more than asking Redis for its version. Rules never mutate a
    meeting, so sharing the object is safe. The parts of its public view are built when first asked
    for and handed on to the next version when a change did not touch them."""

    version: int
    meeting: Meeting
    # The name of the commit that made this version (commit.lua), and of the last commit that may have
    # changed more than participant entries and counts (commute.lua).
    tag: str = ""
    core: str = ""
    _parts: dict[str, Any] = field(default_factory=dict)
    _view: View | None = None
    _crowd_view: View | None = None
    _notables: dict[str, Participant] | None = None

    def part(self, name: str) -> Any:
        found = self._parts.get(name, _MISSING)
        if found is _MISSING:
            found = self._parts[name] = self.meeting.view_of(name)
        return found

    @property
    def view(self) -> dict[str, Any]:
        if self._view is None:
            self._view = View((name, self.part(name)) for name in VIEW_PARTS if name != "participants")
            self._view["participants"] = self.meeting.view_of("participants")
        return self._view

    @property
    def notables(self) -> dict[str, Participant]:
        if self._notables is None:
            self._notables = crowds.notables(self.meeting)
        return self._notables

    def crowd_view(self) -> View:
        """The view a big room is sent: the roster only as its notables (hub/crowds.py)."""
        if self._crowd_view is None:
            view = View((name, self.part(name)) for name in VIEW_PARTS if name != "participants")
            view["participants"] = {m: public(p) for m, p in self.notables.items()}
            self._crowd_view = view
        return self._crowd_view

    def after(self, change: Change) -> tuple[Current, Delta]:
        """The next version, made by `change`, and the delta it made."""
        delta = Delta.of(self.meeting, change)
        kept = {name: view for name, view in self._parts.items() if name not in delta.parts}
        tag = new_tag()
        after = Current(self.version + 1, change.meeting, tag, tag, kept)
        if self._notables is not None:
            after._notables = crowds.following(self.meeting, change.meeting, delta, self._notables)
        return after, delta


@dataclass(frozen=True)
class Staged:
    """A change whose commit is on its way to Redis."""

    after: Current
    change: Change
    event: Event
    crowd: bool
    shown: list[dict[str, Any]]
    reply: asyncio.Future[Committed | None]
    # The tag of the version it was computed on.
    base: str
    # Committed with commute.lua: the event's counts are filled in from its reply.
    commuted: bool
    # Whether it changed the presence counts.
    counts: bool


@dataclass(frozen=True)
class Shown:
    """How an event reaches a big room: as `patch` (empty: not at all, only as counts), after the
    event shown before it (`prior`, the version a crowd's client must hold to apply it)."""

    crowd: bool
    patch: list[dict[str, Any]]
    prior: int
    # Whether it changed the presence counts (a big room hears them coalesced, `meeting.presence`).
    counts: bool = False


_MISSING = object()


class Stale(enum.Enum):
    """A rule's refusal, or nothing to do, seen on a copy that may be behind Redis."""

    STALE = "stale"


STALE = Stale.STALE


def new_tag() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Admission:
    """What a join link admits: a member, as an actor, to a meeting, until the link expires. A projector
    link admits a screen that only watches (`projector`): it has no role and is nobody in the meeting."""

    meeting_id: str
    actor: Actor
    token_id: str
    expires_at: datetime
    projector: bool = False


def utcnow() -> datetime:
    return datetime.now(UTC)


async def _publish_nowhere(meeting_id: str, event: Event, shown: Shown, effects: tuple[Effect, ...]) -> None:
    return None


class Hub:
    def __init__(
        self,
        store: Store,
        tokens: Links,
        replay_limit: int = 500,
        clock: Callable[[], datetime] = utcnow,
        crowd_above: int = Limits.crowd_above,
        grace: timedelta = timedelta(seconds=Limits.grace_seconds),
    ) -> None:
        self.store = store
        self.tokens = tokens
        # Mail waiting to be sent (signalling/mailer.py sends it).
        self.outbox = Outbox(store.redis)
        self.replay_limit = replay_limit
        self.crowd_above = crowd_above
        self.grace = grace
        self.clock = clock
        self.publish: Publisher = _publish_nowhere
        # Commands on one meeting queue here instead of colliding on the version in Redis;
        # the compare-and-set still guards against other hub processes.
        self._locks: defaultdict[str, PriorityLock] = defaultdict(PriorityLock)
        self._current: dict[str, Current] = {}
        # Past `_current`: the meeting with this process's commits that are still on their way, and
        # the last of those commits.
        self._ahead: dict[str, Current] = {}
        self._inflight: dict[str, asyncio.Future[Committed | None]] = {}
        # Reads of a meeting from Redis: the one under way, and the one callers wait for next.
        self._reading: dict[str, asyncio.Task[Current]] = {}
        self._queued: dict[str, asyncio.Task[Current]] = {}
        self._orders: dict[str, tuple[int, list[tuple[str, str]]]] = {}
        self._branches: dict[str, tuple[bytes, Branch]] = {}
        self.arrivals = Arrivals(self.execute)

    # Directory.

    async def save_branch(self, branch: Branch) -> None:
        await self.store.put("branch", branch.id, branch.model_dump(mode="json"))

    async def branch(self, branch_id: str) -> Branch:
        return self._branch(branch_id, await self.store.get_packed("branch", branch_id))

    async def branch_name(self, branch_id: str) -> str:
        """A branch's name as this process last read the branch: a joiner's reply names their branch,
        and a crowd joining need not fetch it (admission reads the meeting's branch as stored)."""
        kept = self._branches.get(branch_id)
        return kept[1].name if kept is not None else (await self.branch(branch_id)).name

    def _branch(self, branch_id: str, blob: bytes | None) -> Branch:
        if blob is None:
            raise HubError("branch.not_found", f"There is no branch {branch_id!r}.")
        # A branch of thousands takes milliseconds to parse, and every connection needs it: parse each
        # stored version once. Comparing the bytes is what keeps this right when an officer edits it.
        kept = self._branches.get(branch_id)
        if kept is None or kept[0] != blob:
            kept = self._branches[branch_id] = (blob, Branch.model_validate(self.store.unpack(blob)))
        return kept[1]

    async def branches(self) -> list[Branch]:
        return [Branch.model_validate(doc) for doc in await self.store.every("branch")]

    async def members(self) -> list[Member]:
        return [Member.model_validate(doc) for doc in await self.store.every("member")]

    async def import_members(
        self,
        data: bytes,
        save: bool,
        confine: Callable[[imports.Preview, list[Member]], imports.Preview] | None = None,
    ) -> imports.Preview:
        """What importing the CSV file `data` does, row by row; saved (members and branch rolls at once)
        only if `save` and no row has an error. `confine` marks the rows its importer may not save
        (a branch officer's, hub/officers.py)."""
        branches = await self.branches()
        members = await self.members()
        found = imports.preview(data, members, branches)
        if confine is not None:
            found = confine(found, members)
        if save and found.ok:
            members, changed = imports.apply(found, branches)
            await self.store.put_many("member", {m.id: m.model_dump(mode="json") for m in members})
            await self.store.index_emails({m.email.lower(): m.id for m in members if m.email})
            await self.store.put_many("branch", {b.id: b.model_dump(mode="json") for b in changed})
        return found

    async def save_member(self, member: Member) -> None:
        await self.store.put("member", member.id, member.model_dump(mode="json"))
        if member.email:
            await self.store.index_emails({member.email.lower(): member.id})
        await self.store.mark_active(member.id, member.active)
        if not member.active:
            # Connections open before the deactivation end with it, on every node.
            await self.store.announce_closure({"member": member.id})

    async def index_members(self) -> None:
        """Index every member's address and who is deactivated (on start: a store from before the
        indexes, or one written to directly)."""
        members = await self.members()
        await self.store.index_emails({m.email.lower(): m.id for m in members if m.email})
        await self.store.index_inactive({m.id for m in members if not m.active})

    async def member_by_email(self, email: str) -> Member | None:
        """The active member with this address (in any case), if there is one."""
        member_id = await self.store.member_by_email(email.strip().lower())
        doc = None if member_id is None else await self.store.get("member", member_id)
        if doc is None:
            return None
        member = Member.model_validate(doc)
        # A deactivated member is nobody to sign in as.
        return member if member.active and member.email.lower() == email.strip().lower() else None

    async def member(self, member_id: str) -> Member:
        return _member(member_id, await self.store.get("member", member_id))

    # Meetings.

    async def create_meeting(
        self, meeting: Meeting, actor: str | None = None, electorate: int | None = None
    ) -> Event:
        """`electorate`: the members entitled to vote, when the caller counted them (a meeting that
        invites more than its branch); else the branch's voting roles."""
        branch = await self.branch(meeting.branch_id)
        if electorate is None:
            electorate = sum(1 for role in branch.roles.values() if role in VOTING_ROLES)
        meeting = meeting.model_copy(update={"electorate": electorate})
        view = meeting.public_view()
        event = Event(
            version=1,
            type="meeting.created",
            actor=actor,
            at=self.clock(),
            data={"title": meeting.title},
            patch=[{"op": "replace", "path": "", "value": view}],
        )
        entries = {m: stored(p) for m, p in meeting.participants.items()}
        committed = await self.store.commit(
            meeting.id,
            0,
            meeting.core(),
            _doc(event),
            entries,
            tags=("", new_tag()),
            counts=meeting.presence.model_dump(),
        )
        if committed is None:
            raise HubError("meeting.exists", f"A meeting {meeting.id!r} already exists.")
        await self.store.index_meeting(meeting.id, meeting.starts_at.timestamp())
        return event

    async def current(self, meeting_id: str) -> Current:
        """The meeting as Redis holds it now. Callers at once share one read, begun after they asked:
        a crowd's joins each want the latest version, and reading the same entries once per joiner
        cost more than the joins."""
        queued = self._queued.get(meeting_id)
        if queued is None:
            queued = asyncio.create_task(self._read_after(meeting_id, self._reading.get(meeting_id)))
            # Nobody may be left waiting for it (all cancelled): its failure is then nobody's.
            queued.add_done_callback(_retrieved)
            self._queued[meeting_id] = queued
        return await asyncio.shield(queued)

    async def _read_after(self, meeting_id: str, reading: asyncio.Task[Current] | None) -> Current:
        if reading is not None:
            await asyncio.wait([reading])
        this = asyncio.current_task()
        assert this is not None
        # From here on it may have missed what callers ask about now: they queue the next read.
        if self._queued.get(meeting_id) is this:
            del self._queued[meeting_id]
        self._reading[meeting_id] = cast("asyncio.Task[Current]", this)
        try:
            return await self._read(meeting_id)
        finally:
            if self._reading.get(meeting_id) is this:
                del self._reading[meeting_id]

    async def _read(self, meeting_id: str) -> Current:
        cached = self._current.get(meeting_id)
        fresh = await (self._load(meeting_id) if cached is None else self._refresh(meeting_id, cached))
        if fresh is cached:
            return fresh
        # A load that raced a commit must not replace the newer meeting the commit left here; but what
        # Redis says replaces the copy it was asked about, even an older version: after a failover that
        # lost writes, the copy holds a version that no longer exists.
        now = self._current.get(meeting_id)
        if now is None or now is cached or now.version < fresh.version:
            self._current[meeting_id] = fresh
        return fresh

    async def _load(self, meeting_id: str) -> Current:
        loaded = await self.store.load(meeting_id)
        if loaded is None:
            raise HubError("meeting.not_found", f"There is no meeting {meeting_id!r}.")
        if "participants" in loaded.doc:
            return await self._upgrade(meeting_id, loaded)
        meeting = Meeting.model_validate({**_counted(loaded), "participants": loaded.entries})
        return Current(loaded.version, meeting, loaded.tag, loaded.core)

    async def _refresh(self, meeting_id: str, cached: Current) -> Current:
        """The cached meeting brought up to date with what other processes committed since: the meeting
        without its participants, and only the participant entries they wrote."""
        found = await self.store.refresh(meeting_id, cached.version, cached.tag, self.replay_limit)
        if found is None:
            return cached
        if found.entries is None or "participants" in found.doc:
            return await self._load(meeting_id)
        participants = {**cached.meeting.participants}
        participants.update((m, Participant.model_validate(e)) for m, e in found.entries.items())
        meeting = Meeting.model_validate(_counted(found)).model_copy(update={"participants": participants})
        return Current(found.version, meeting, found.tag, found.core)

    async def _upgrade(self, meeting_id: str, loaded: Loaded) -> Current:
        """A meeting written before participants had entries of their own: its participants move to
        entries, its presence is counted, and an event replaces clients' views whole (theirs lack the
        counts), in one commit. Another process upgrading it at the same time makes this one reload."""
        version = loaded.version
        before = Meeting.model_validate(loaded.doc)
        meeting = before.model_copy(update={"presence": Presence.of(before.participants)})
        event = Event(
            version=version + 1,
            type="meeting.upgraded",
            actor=None,
            at=self.clock(),
            patch=[{"op": "replace", "path": "", "value": meeting.public_view()}],
        )
        entries = {m: stored(p) for m, p in meeting.participants.items()}
        tag = new_tag()
        committed = await self.store.commit(
            meeting_id,
            version,
            meeting.core(),
            _doc(event),
            entries,
            tags=(loaded.tag, tag),
            counts=meeting.presence.model_dump(),
        )
        if committed is None:
            return await self._load(meeting_id)
        return Current(version + 1, meeting, tag, tag)

    async def upgrade(self) -> int:
        """Bring every meeting written by the previous release to this one's layout; on start."""
        upgraded = 0
        for meeting_id in await self.store.meeting_ids():
            loaded = await self.store.load(meeting_id)
            if loaded is None:
                continue
            if "participants" in loaded.doc:
                self._current[meeting_id] = await self._upgrade(meeting_id, loaded)
                upgraded += 1
            # Ballot boxes opened before polls (the votes themselves are read as polls: hub/models.py).
            for vote in loaded.doc.get("votes", []):
                if vote.get("status") == "open":
                    await self.store.upgrade_box(meeting_id, vote["id"])
        return upgraded

    async def meeting(self, meeting_id: str) -> tuple[int, Meeting]:
        current = await self.current(meeting_id)
        return current.version, current.meeting

    def crowded(self, meeting: Meeting) -> bool:
        """Whether the meeting is sent as a big room (hub/crowds.py): once more than `crowd_above` have
        joined it. Joining never undoes, so a room does not switch back and forth."""
        return meeting.presence.joined > self.crowd_above

    def _snapshot(self, current: Current) -> dict[str, Any]:
        if self.crowded(current.meeting):
            return {"version": current.version, "meeting": current.crowd_view(), "crowd": True}
        return {"version": current.version, "meeting": current.view}

    async def snapshot(self, meeting_id: str, at_least: int = 0) -> dict[str, Any]:
        """The meeting's public view (a big room's crowd view, with `"crowd": true`). With `at_least`,
        any version from there on will do, straight from this process's memory: a joiner already in
        the room hears every later event, and in a crowd joining at once the version moves on between
        its commit and its snapshot."""
        cached = self._current.get(meeting_id)
        current = cached if at_least and cached and cached.version >= at_least else None
        return self._snapshot(current or await self.current(meeting_id))

    async def catch_up(self, meeting_id: str, since: int) -> dict[str, Any]:
        """What a client at version `since` is missing: the events, or a snapshot if too many (and
        always in a big room, whose view is small and whose log is its joins)."""
        current = await self.current(meeting_id)
        if since <= current.version and not self.crowded(current.meeting):
            events = await self.store.events_since(meeting_id, since, self.replay_limit)
            if events is not None and not _replays_hidden(current.meeting, events):
                return {"version": current.version, "events": events}
        return self._snapshot(current)

    async def counts(self, meeting_id: str) -> dict[str, Any]:
        """A big room's coalesced counts: presence and quorum at a version (`meeting.presence`)."""
        current = await self.current(meeting_id)
        m = current.meeting
        return PresenceCounts(version=current.version, presence=m.presence, quorum=m.quorum).model_dump()

    async def roster(self, meeting_id: str, query: str, after: str | None, limit: int) -> dict[str, Any]:
        """A page of the meeting's participants by name (hub/crowds.py `roster_page`)."""
        current = await self.current(meeting_id)
        order = self._orders.get(meeting_id)
        # Names never change and nobody leaves the roster: the order is stale only when someone joined.
        if order is None or order[0] != current.meeting.presence.joined:
            order = self._orders[meeting_id] = (
                current.meeting.presence.joined,
                crowds.roster_order(current.meeting),
            )
        return {
            "version": current.version,
            **crowds.roster_page(current.meeting, order[1], query, after, limit),
        }

    async def execute(
        self,
        meeting_id: str,
        actor: Actor,
        rule: BoundRule,
        shed: bool = False,
    ) -> Event | None:
        """Run an authorised command through its rule and commit it; None when it changed nothing.

        With `shed`, a member's command is refused as `busy` at
        once when the meeting's queue already holds MEMBER_BACKLOG members' commands: a flood then
        costs an answer each, not a place in a queue that keeps the server (and the chair) waiting.

        Commands on one meeting take turns on its lock only to run their rule and send their commit:
        the next runs on top of a commit still on its way (`_stage`), so a crowd's joins reach Redis
        many to a round trip, and each is answered and published, in order, once Redis confirms it.
        """
        lock = self._locks[meeting_id]
        urgent = actor.role in OFFICER_ROLES
        if shed and not urgent and lock.waiting(urgent=False) >= MEMBER_BACKLOG:
            raise HubError("busy", "The meeting is too busy right now; please try again.")
        trusted = True
        for _ in range(COMMIT_ATTEMPTS):
            latest = self._latest(meeting_id) if trusted else None
            if latest is not None and not lock.locked() and not lock.waiting():
                # Nobody is waiting: staging needs no turn on the lock, for it does not wait for
                # anything (a turn costs a pass of the event loop, which a crowd's joins would queue on).
                staged = self._staged(meeting_id, rule, actor.member_id, latest, fresh=False)
                if staged is None:
                    return None
                if staged is not STALE:
                    event = await self._finish(meeting_id, staged)
                    if event is not None:
                        return event
                    trusted = False
                    continue
            # Officers' commands go before members' ones waiting on the same meeting.
            async with lock.hold(urgent):
                staged = await self._stage(meeting_id, rule, actor.member_id, trusted)
                if staged is None:
                    return None
            # The next command runs on top of this one while its commit is on its way.
            event = await self._finish(meeting_id, staged)
            if event is not None:
                return event
            trusted = False
        raise HubError("busy", "The meeting is too busy right now; please try again.")

    async def join(self, meeting_id: str, actor: Actor) -> Event | None:
        """A connection joins (`meetings.join`), gathered with others arriving at once (hub/arrivals.py)."""
        return await self.arrivals.join(meeting_id, actor)

    async def known(self, meeting_id: str) -> Meeting:
        """The meeting as this process last confirmed it, read from Redis only if it has none."""
        cached = self._current.get(meeting_id)
        return cached.meeting if cached is not None else (await self.current(meeting_id)).meeting

    def _latest(self, meeting_id: str) -> Current | None:
        """The latest version this process knows: its own commits still on their way included."""
        known = [c for c in (self._ahead.get(meeting_id), self._current.get(meeting_id)) if c is not None]
        return max(known, key=lambda c: c.version) if known else None

    async def _stage(self, meeting_id: str, rule: BoundRule, actor: str, trusted: bool) -> Staged | None:
        """Under the meeting's lock: the rule run on the latest version this process knows, and its
        commit sent (`_staged`), or run again on the latest version in Redis when that was not to be
        trusted. None when the rule changed nothing."""
        latest = self._latest(meeting_id) if trusted else None
        if latest is not None:
            staged = self._staged(meeting_id, rule, actor, latest, fresh=False)
            if staged is not STALE:
                return staged
        await self._settled(meeting_id)
        self._ahead.pop(meeting_id, None)
        staged = self._staged(meeting_id, rule, actor, await self.current(meeting_id), fresh=True)
        assert staged is not STALE
        return staged

    def _staged(
        self, meeting_id: str, rule: BoundRule, actor: str, current: Current, fresh: bool
    ) -> Staged | Stale | None:
        """The rule run on `current`, and its commit sent; None when it changed nothing.

        Optimistic: the rule runs without asking Redis whether another process moved the meeting on;
        the commit's compare-and-set finds out, and then whatever was staged after it fails too. Only a
        change is trusted that way: unless `current` is `fresh` from Redis, a refusal or nothing to do
        is STALE, to be confirmed on the latest version."""
        now = self.clock()
        try:
            change = rule(current.meeting, now)
        except HubError:
            if fresh:
                raise
            return STALE
        if change is None:
            return None if fresh else STALE
        after, delta = current.after(change)
        event = Event(
            version=after.version,
            type=change.type,
            actor=actor,
            at=now,
            data=change.data,
            patch=delta.patch(current.meeting, current.part, after.part),
        )
        crowd = self.crowded(change.meeting)
        # A small room is shown every event; a big one what its crowd view shows of it.
        shown = (
            crowds.crowd_patch(current.meeting, change.meeting, delta, event.patch) if crowd else event.patch
        )
        commuted = crowd and not shown and bool(current.core) and _commutes(current.meeting, change, delta)
        if commuted:
            # A join or a leave in a big room: committed whatever the version, so that processes
            # sharing the meeting do not take turns on it (commute.lua). Redis adds the counts.
            after.core = current.core
            uncounted = crowds.uncounted(event.patch)
            reply = self.store.commute(
                meeting_id,
                current.core,
                after.tag,
                _doc(event.model_copy(update={"patch": uncounted})),
                {
                    m: (_stored_or_none(current.meeting.participants.get(m)), stored(p))
                    for m, p in change.participants.items()
                },
                _added(current.meeting.presence, change.meeting.presence),
                (change.meeting.quorum.required, change.meeting.quorum.quorate),
            )
            event = event.model_copy(update={"patch": uncounted})
        else:
            reply = self.store.commit(
                meeting_id,
                current.version,
                change.meeting.core(),
                _doc(event),
                {m: stored(p) for m, p in change.participants.items()},
                shown=bool(shown),
                tags=(current.tag, after.tag),
                counts=change.meeting.presence.model_dump(),
            )
        self._ahead[meeting_id] = after
        self._inflight[meeting_id] = reply
        counts = "presence" in delta.parts
        return Staged(after, change, event, crowd, shown, reply, current.tag, commuted, counts)

    async def _settled(self, meeting_id: str) -> None:
        """Once this process's commits to the meeting still on their way have an answer."""
        inflight = self._inflight.get(meeting_id)
        if inflight is not None and not inflight.done():
            await asyncio.wait([inflight])

    async def _finish(self, meeting_id: str, staged: Staged) -> Event | None:
        """The staged commit's answer: the event, published, or None when another process came first."""
        committed = await staged.reply
        if committed is None:
            if self._ahead.get(meeting_id) is not None:
                del self._ahead[meeting_id]
            return None
        event = staged.event
        if staged.commuted:
            assert committed.counts is not None
            event = event.model_copy(
                update={"version": committed.version, "patch": crowds.counted(event.patch, committed.counts)}
            )
        # Redis now holds this version, on top of the one the change was computed on (the
        # compare-and-set proved it; a commuted change names the version it landed on). A copy of the
        # same version or older is out of date, or was of writes a failover lost. A change commuted on
        # top of another process's commit leaves the copy to be brought up to date from Redis.
        known = self._current.get(meeting_id)
        exact = committed.previous == staged.base and committed.version == staged.after.version
        if exact and (known is None or known.version <= staged.after.version):
            self._current[meeting_id] = staged.after
        shown = Shown(staged.crowd, staged.shown, committed.prior, staged.counts)
        await self.publish(meeting_id, event, shown, staged.change.effects)
        return event

    async def sweep(self, node: str | None, still_gone: Callable[[], Awaitable[bool]] | None = None) -> int:
        """Drop the connections `node` held (every node's when None) from every meeting: a node's own
        previous life when it starts, or a node that stopped beating. `still_gone` is asked before each
        meeting, so a sweep stops once that node is back. Safe to run twice or on two nodes at once: a
        meeting with nothing left to sweep is not written, and the commit serialises the rest."""
        swept = 0
        for meeting_id in await self.store.meeting_ids():
            if still_gone is not None and not await still_gone():
                break
            held = (await self.current(meeting_id)).meeting.participants.values()
            # Whoever it leaves with no connection waits out the grace period: noted before the change.
            prefix = "" if node is None else f"{node}/"
            touched = (p.member_id for p in held if any(s.startswith(prefix) for s in p.sessions))
            await self.store.away(meeting_id, touched, self.clock().timestamp())
            if await self.execute(meeting_id, SYSTEM, lambda m, now: sweep(m, node, now)):
                swept += 1
        return swept

    async def away(self, meeting_id: str, member_id: str) -> None:
        """Note a connection of the member's about to drop, before the leave that may make them away."""
        await self.store.away(meeting_id, (member_id,), self.clock().timestamp())

    async def depart_due(self) -> int:
        """Those away for longer than the grace period have gone (`depart`), in every meeting; each drop
        is settled once its member has gone, or came back, or left again later. Safe on every node at
        once: a departure is committed once, and the rest find nothing to do. The departures made."""
        now = self.clock()
        due = await self.store.away_since((now - self.grace).timestamp())
        by_meeting: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for entry, meeting_id, member_id in due:
            by_meeting[meeting_id].append((entry, member_id))
        departed = 0
        for meeting_id, entries in by_meeting.items():
            rule = functools.partial(_depart, members=[m for _, m in entries], grace=self.grace)
            try:
                event = await self.execute(meeting_id, SYSTEM, rule)
                participants = (await self.current(meeting_id)).meeting.participants
            except HubError as exc:
                if exc.code != "meeting.not_found":
                    raise
                event, participants = None, {}
            departed += len(event.data["member_ids"]) if event is not None else 0
            await self.store.settled(
                [entry for entry, m in entries if not _waiting_out(participants.get(m), self.grace, now)]
            )
        return departed

    # Join links.

    async def issue_link(self, member_id: str, meeting_id: str, valid_for: timedelta) -> str:
        await self.member(member_id)
        await self.meeting(meeting_id)
        return self.tokens.issue(member_id, meeting_id, self.clock() + valid_for)

    async def revoke_link(self, token: str) -> None:
        claims = self.tokens.read_any(token, self.clock())
        remaining = claims.expires_at - self.clock()
        await self.store.revoke(claims.token_id, int(remaining.total_seconds()) + 1)

    async def issue_home_link(self, member_id: str, valid_for: timedelta) -> str:
        await self.member(member_id)
        return self.tokens.issue_home(member_id, self.clock() + valid_for)

    async def home_member(self, token: str) -> tuple[Member, datetime]:
        """The member a home link stands for and when the link expires, or an `auth.*` refusal."""
        claims = self.tokens.read_home(token, self.clock())
        if await self.store.is_revoked(claims.token_id):
            raise HubError("auth.revoked_token", "This home link has been withdrawn.")
        return await self.member(claims.member_id), claims.expires_at

    async def invitations(self, member: Member) -> list[Invitation]:
        """Every meeting the member may join. Reads every meeting: fine for a network's few hundred."""
        if not member.active:
            return []
        meetings = [(await self.meeting(m))[1] for m in await self.store.meeting_ids()]
        named = {m.branch_id for m in meetings} | ({member.branch} if member.branch else set())
        branches = {b: found for b in named if (found := await self._branch_or_none(b)) is not None}
        return invitations(member, branches, meetings)

    async def _branch_or_none(self, branch_id: str) -> Branch | None:
        blob = await self.store.get_packed("branch", branch_id)
        return None if blob is None else self._branch(branch_id, blob)

    async def role_in(self, meeting: Meeting, member: Member) -> Role | None:
        """The member's role in the meeting; None when they are not invited (as a deactivated member
        is to none)."""
        if not member.active:
            return None
        return await self._role(await self.branch(meeting.branch_id), meeting, member)

    async def invitee(self, meeting: Meeting, member_id: str, refusal: str) -> tuple[Member, Role]:
        """A member as the directory knows them, with their role in the meeting; refused with the code
        `refusal` when they are not invited to it."""
        member = await self.member(member_id)
        role = await self.role_in(meeting, member)
        if role is None:
            raise HubError(
                refusal, f"{member.name} is not invited to this meeting.", {"member_id": member.id}
            )
        return member, role

    async def _role(self, branch: Branch, meeting: Meeting, member: Member) -> Role | None:
        """`effective_role`, reading the member's own branch only when the meeting invites theirs."""
        home = None
        if member.branch is not None and member.branch in meeting.invited_branches:
            home = await self._branch_or_none(member.branch)
        elif meeting.everyone and member.branch is not None and member.id not in branch.roles:
            # An observer at home observes an AGM of everyone too.
            home = await self._branch_or_none(member.branch)
        return effective_role(branch, meeting, member.id, home)

    async def admit(self, token: str) -> tuple[str, Actor]:
        """The meeting and the actor a join link stands for, or an `auth.*` refusal."""
        admitted = await self.admission(token)
        return admitted.meeting_id, admitted.actor

    async def admission(self, token: str, watch: bool = False) -> Admission:
        """`admit`, with the link's id and expiry, which the connection made with it must not outlive;
        with `watch`, a projector link is admitted too."""
        try:
            claims = self.tokens.read(token, self.clock())
        except HubError as exc:
            if not watch or exc.code != "auth.invalid_token":
                raise
            return await self._projector(token, exc)
        # A crowd arrives in a few minutes: the meeting as this process last saw it will do (a removal
        # committed elsewhere meanwhile closes the connection through the warden), and the rest is one
        # round trip.
        cached = self._current.get(claims.meeting_id)
        meeting = cached.meeting if cached is not None else (await self.meeting(claims.meeting_id))[1]
        revoked, member_doc, branch_blob = await self.store.admission_reads(
            claims.token_id, claims.member_id, meeting.branch_id
        )
        if revoked:
            raise HubError("auth.revoked_token", "This join link has been withdrawn.")
        refuse_removed(meeting, claims.member_id)
        member = _member(claims.member_id, member_doc)
        branch = self._branch(meeting.branch_id, branch_blob)
        role = await self._role(branch, meeting, member) if member.active else None
        if role is None:
            raise HubError("auth.not_invited", "You are not invited to this meeting.")
        actor = Actor(
            member_id=member.id, name=member.name, role=role, gender=member.gender, branch=member.branch
        )
        return Admission(meeting.id, actor, claims.token_id, claims.expires_at)

    async def _projector(self, token: str, invalid: HubError) -> Admission:
        """A projector link's screen, until the link expires or the meeting is over."""
        try:
            claims = self.tokens.read_projector(token, self.clock())
        except HubError as exc:
            # Neither kind of link: say so as a join link would.
            raise invalid if exc.code == "auth.invalid_token" else exc from None
        if await self.store.is_revoked(claims.token_id):
            raise HubError("auth.revoked_token", "This projector link has been withdrawn.")
        _, meeting = await self.meeting(claims.meeting_id)
        if meeting.status == MeetingStatus.CLOSED:
            raise HubError("auth.expired_token", "This projector link has expired: the meeting is over.")
        actor = Actor(member_id=f"projector.{claims.token_id}", name="Projector", role=Role.OBSERVER)
        return Admission(meeting.id, actor, claims.token_id, claims.expires_at, projector=True)

    def issue_projector_link(self, meeting_id: str, expires_at: datetime) -> str:
        return self.tokens.issue_projector(meeting_id, expires_at)

    # Adjournments.

    def adjourned_until(self, meeting_id: str) -> datetime | None:
        """When the meeting resumes, as this process's copy of it says (no I/O)."""
        latest = self._latest(meeting_id)
        return None if latest is None else latest.meeting.adjourned_until

    def due(self, meeting_id: str) -> bool:
        """Whether this process's copy of the meeting is adjourned to a time now past (no I/O)."""
        until = self.adjourned_until(meeting_id)
        return until is not None and until <= self.clock()

    def adjournments(self) -> dict[str, datetime]:
        """The meetings this process knows to be adjourned, with when each resumes (no I/O)."""
        return {
            meeting_id: current.meeting.adjourned_until
            for meeting_id, current in self._current.items()
            if current.meeting.adjourned_until is not None
        }

    def livestreams(self) -> list[str]:
        """The meetings this process knows to be livestreaming (no I/O)."""
        return [m for m, current in self._current.items() if current.meeting.livestream.on]

    async def resume_due(self, meeting_id: str) -> Event | None:
        """The meeting resumed, if its adjournment has run out: committed once, whichever process or
        timer asks first (the others find it resumed and change nothing)."""
        system = Actor(member_id="hub", name="Hub", role=Role.ADMIN)
        return await self.execute(meeting_id, system, lifecycle.resume_due)


def _member(member_id: str, doc: dict[str, Any] | None) -> Member:
    if doc is None:
        raise HubError("member.not_found", f"There is no member {member_id!r}.")
    return Member.model_validate(doc)


def _replays_hidden(meeting: Meeting, events: list[dict[str, Any]]) -> bool:
    """Whether replaying would send the text of a chat message since hidden (its `chat.sent` patch
    carries it): then the client gets a snapshot instead."""
    hidden = {m.id for m in meeting.chat if m.hidden_by is not None}
    return bool(hidden) and any(
        e["type"] == "chat.sent" and e.get("data", {}).get("message_id") in hidden for e in events
    )


def _retrieved(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()


def _commutes(before: Meeting, change: Change, delta: Delta) -> bool:
    """Whether a change only writes participant entries and moves the counts, without moving the
    quorum from met to not met or back (the chair's next steps follow it): such changes commute."""
    replaced = {part for part in delta.parts if part not in DERIVED}
    return (
        bool(change.participants)
        and not change.effects
        and replaced <= {"presence"}
        and before.quorum.quorate == change.meeting.quorum.quorate
    )


def _added(before: Presence, after: Presence) -> dict[str, int]:
    was = before.model_dump()
    return {name: n - was[name] for name, n in after.model_dump().items()}


def _depart(meeting: Meeting, now: datetime, members: list[str], grace: timedelta) -> Change | None:
    return depart(meeting, members, grace, now)


def _waiting_out(participant: Participant | None, grace: timedelta, now: datetime) -> bool:
    """Away, and not for the whole grace period yet (a later drop than the one noted)."""
    away = None if participant is None else participant.away_since
    return away is not None and away + grace > now


def _stored_or_none(participant: Participant | None) -> dict[str, Any] | None:
    return None if participant is None else stored(participant)


def _counted(loaded: Loaded) -> dict[str, Any]:
    """The stored meeting with its presence counts, which are kept apart from it (commit.lua)."""
    return loaded.doc if loaded.counts is None else {**loaded.doc, "presence": loaded.counts}


def _doc(event: Event) -> dict[str, Any]:
    # The patch is JSON already (made from views): dumping it again cost more than the rest of a join.
    return {**event.model_dump(mode="json", exclude={"patch"}), "patch": event.patch}
