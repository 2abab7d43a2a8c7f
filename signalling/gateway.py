"""Socket.IO handlers. One path for every client event: rate limit, size limit, validate, authorise,
run, ack. Handlers stay thin: the rules live in hub/."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

import msgpack
import socketio
from pydantic import ValidationError

from hub import lifecycle, meetings
from hub.commands import MeetingJoin, MeetingLeave, MeetingSync, RosterPage
from hub.config import IceServer, Limits
from hub.errors import HubError, invalid_payload
from hub.events import EDGE, EVENTS
from hub.meetings import (
    BEFORE_NEWS,
    Actor,
    Change,
    CloseMember,
    Disconnect,
    Effect,
    OpenBox,
    StrikeVoter,
)
from hub.models import Event, Meeting, Model, Role
from hub.permissions import authorise
from hub.roles import CHAIRS
from hub.service import BoundRule, Hub, Shown
from hub.store import OUTAGES
from signalling.ballots import BallotDesk
from signalling.broadcast import Broadcaster
from signalling.connections import Connection, Connections
from signalling.elections import ElectionDesk
from signalling.envelope import INTERNAL, UNAVAILABLE, ok, refused
from signalling.hall import HallDesk
from signalling.live.desk import LivestreamDesk
from signalling.media.relay import Relay
from signalling.minutes import minutes_handlers
from signalling.reactions import ReactionDesk
from signalling.resumptions import Resumptions

log = logging.getLogger(__name__)

Handler = Callable[[str, str, Actor, Any], Awaitable[Any]]


# How often a node checks its connections for expired or revoked links (closures announced by other
# nodes arrive at once), and its meetings for adjournments to resume.
WARD_SECONDS = 5.0
# All a projector link's screen may send: it watches and changes nothing.
WATCHING = frozenset({"meeting.join", "meeting.sync"})


def room(meeting_id: str) -> str:
    return f"meeting:{meeting_id}"


def _unknown(event: str) -> HubError:
    return HubError("unknown_event", f"There is no event {event[:64]!r}.", {"event": event[:64]})


def _cancelled() -> bool:
    """Whether this task was asked to stop: redis-py can swallow a cancellation that lands inside a
    call, so a loop around one asks rather than counts on the exception."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _join(meeting: Meeting, now: datetime, actor: Actor) -> Change | None:
    return meetings.join(meeting, actor, now)


@functools.cache
def _may(role: Role) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The client events a role may send, and which of them are business (the declarations do not
    change while the process runs)."""
    may = tuple(name for name, declared in EVENTS.items() if declared.may(role))
    return may, tuple(name for name in may if EVENTS[name].business)


def _address(environ: dict[str, Any]) -> str:
    """The client's address, as the server saw it (behind a proxy, as uvicorn's proxy headers say)."""
    return str(environ.get("REMOTE_ADDR") or "unknown")


class Gateway:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        hub: Hub,
        limits: Limits,
        node: str = "node",
        ice_servers: tuple[IceServer, ...] = (),
    ) -> None:
        self.sio = sio
        self.node = node
        self.hub = hub
        self.limits = limits
        self.connections = Connections(limits)
        # Closes connections whose link is revoked or expired, or whose member was removed.
        self._warden: asyncio.Task[None] | None = None
        self.ballots = BallotDesk(sio, hub, room)
        self.media = Relay(sio, hub, room, ice_servers, node)
        self.resumptions = Resumptions(hub)
        self.hall = HallDesk(hub, self.run)
        self.elections = ElectionDesk(hub, self.run)
        self.reactions = ReactionDesk(sio, hub, room, limits.crowd_above)
        self.livestream = LivestreamDesk(hub)
        # Events the edge handles itself: presence manages rooms, votes use the ballot boxes, media the
        # relay.
        self._special: dict[str, Handler] = {
            "meeting.join": self.join,
            "meeting.leave": self.leave,
            "meeting.sync": self.sync,
            "roster.page": self.roster,
            **self.ballots.handlers(),
            **minutes_handlers(hub),
            **self.hall.handlers(),
            **self.elections.handlers(),
            **self.reactions.handlers(),
            **self.media.handlers(),
            **self.livestream.handlers(),
        }
        # Every event declared without a rule has its handler here, and only those.
        assert self._special.keys() == EDGE, sorted(self._special.keys() ^ EDGE)
        self.broadcast = Broadcaster(sio, room, hub.counts)
        hub.publish = self.published
        sio.on("connect", self.connect)
        sio.on("disconnect", self.disconnect)
        sio.on("*", self.dispatch)

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        # Client events named `connect` or `disconnect` never get here: signalling/frames.py renames them.
        self._watch()
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            if not isinstance(token, str) or not token or len(token) > 1024:
                raise HubError("auth.missing_token", "Open the meeting from your join link.")
            admitted = await self.hub.admission(token, watch=True)
            # Sessions carry this node's name so a restarted node can sweep the ones it lost.
            actor = replace(admitted.actor, session=f"{self.node}/{sid}")
            # Fails when the client has already gone (a long-polling close sent with the connect):
            # then nothing of it is registered.
            await self.sio.save_session(
                sid, {"meeting": admitted.meeting_id, "actor": actor, "projector": admitted.projector}
            )
            connection = Connection(
                sid,
                admitted.meeting_id,
                admitted.actor.member_id,
                admitted.token_id,
                admitted.expires_at,
                _address(environ),
            )
            displaced = self.connections.add(connection)
        except OUTAGES:
            log.warning("connection refused: the store is unreachable")
            raise socketio.exceptions.ConnectionRefusedError(
                UNAVAILABLE.message, UNAVAILABLE.to_dict()
            ) from None
        except HubError as exc:
            # The client sees `message` and, under `data`, the usual error object.
            raise socketio.exceptions.ConnectionRefusedError(exc.message, exc.to_dict()) from None
        await self._close(displaced)

    async def disconnect(self, sid: str, reason: Any = None) -> None:
        connection = self.connections.drop(sid)
        if connection is None:
            return
        session = await self.sio.get_session(sid)
        if session.get("projector"):
            # A projector's screen was never in the meeting.
            return
        actor: Actor = session["actor"]
        try:
            await self.leave(sid, connection.meeting_id, actor, None)
        except Exception:
            log.exception("leave on disconnect failed for %s", sid)

    async def dispatch(self, event: str, sid: str, *args: Any) -> dict[str, Any]:
        try:
            connection = self.connections.get(sid)
            if connection is None:
                raise HubError("auth.closed", "This connection is closed; open your join link again.")
            if connection.expires_at <= self.hub.clock():
                await self._close([sid])
                raise HubError("auth.expired_token", "This join link has expired; ask for a new one.")
            # One allowance for all of a member's connections: more tabs buy no more requests.
            refusing = await self.connections.take(connection, event)
            if refusing is not None:
                raise HubError("rate_limited", "Too many requests; slow down.", {"limit": refusing})
            declared = EVENTS.get(event)
            if declared is None:
                raise _unknown(event)
            command = self._validate(declared.payload, args)
            session = await self.sio.get_session(sid)
            actor: Actor = session["actor"]
            if session.get("projector"):
                if event not in WATCHING:
                    raise HubError(
                        "forbidden",
                        "A projector link only shows the meeting.",
                        {"event": event, "role": "projector"},
                    )
                if isinstance(command, MeetingJoin):
                    return ok(await self.watch(sid, session["meeting"], command))
            authorise(event, actor.role)
            handler = self._special.get(event)
            if handler is not None:
                return ok(await handler(sid, session["meeting"], actor, command))
            return ok(await self.apply(session["meeting"], actor, event, command))
        except HubError as exc:
            return refused(exc)
        except OUTAGES:
            log.warning("event %s from %s: the store is unreachable", event, sid)
            return refused(UNAVAILABLE)
        except Exception:
            log.exception("event %s from %s failed", event, sid)
            return refused(INTERNAL)

    # Closing connections that must end: a displaced, revoked, expired or removed member's.

    def _watch(self) -> None:
        if self._warden is None or self._warden.done():
            self._warden = asyncio.create_task(self._ward())

    async def _ward(self) -> None:
        """Hears closures from every node at once, and checks now and then for what it may have missed
        (links that expired, or were revoked while this node was not listening, members removed) and
        for sockets that never finished connecting. It runs from the first connection until the
        gateway stops."""
        listener = asyncio.create_task(self._listen())
        try:
            while not _cancelled():
                await asyncio.sleep(WARD_SECONDS)
                try:
                    await self._check()
                except OUTAGES:
                    log.warning("could not check connections: the store is unreachable")
                self.connections.forget_drained()
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def _listen(self) -> None:
        while not _cancelled():
            try:
                async for closure in self.hub.store.closures():
                    await self._close(self.connections.named(closure))
            except OUTAGES:
                pass
            # Lost the store, or its client closed: listen again in a while.
            if not _cancelled():
                await asyncio.sleep(WARD_SECONDS)

    async def _check(self) -> None:
        # A long-polling client that sends its close while its connect is answered leaves a socket
        # python-socketio never counts as connected and never disconnects: forget it.
        for sid in self.connections.older_than(time.monotonic() - WARD_SECONDS):
            if not self.sio.manager.is_connected(sid, "/"):
                self.connections.drop(sid)
        await self._close(self.connections.expired(self.hub.clock()))
        revoked = await self.hub.store.revoked_among(sorted(self.connections.token_ids()))
        for token_id in revoked:
            await self._close(self.connections.named({"token": token_id}))
        for member_id in await self.hub.store.inactive_among(sorted(self.connections.member_ids())):
            await self._close(self.connections.named({"member": member_id}))
        for meeting_id in self.connections.meeting_ids():
            meeting = (await self.hub.current(meeting_id)).meeting
            if meeting.adjourned_until is not None:
                self.resumptions.watch(meeting_id, meeting.adjourned_until)
            for member_id in meeting.removed:
                await self._close(self.connections.named({"meeting": meeting_id, "member": member_id}))

    async def _close(self, sids: list[str]) -> None:
        for sid in sids:
            await self.sio.disconnect(sid)
            # Its disconnect handler forgot it; a socket that never finished connecting has none.
            self.connections.drop(sid)

    async def rejoin(self) -> None:
        """Every joined connection here joins its meeting again: after this node's heartbeat lapsed,
        the live nodes may have swept them while they stayed connected. A join that finds its
        connection present changes nothing."""
        for sid in self.connections.joined():
            connection = self.connections.get(sid)
            if connection is None:
                continue
            actor: Actor = (await self.sio.get_session(sid))["actor"]
            try:
                await self.hub.execute(connection.meeting_id, actor, functools.partial(_join, actor=actor))
            except HubError as exc:
                log.info("%s did not join again: %s", sid, exc.code)

    async def stop(self) -> None:
        if self._warden is not None:
            self._warden.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._warden

    def _validate(self, model: type[Model], args: tuple[Any, ...]) -> Model:
        if len(args) > 1:
            raise HubError("invalid_payload", "Send one payload object.", {"arguments": len(args)})
        payload = args[0] if args else {}
        size = len(msgpack.packb(payload, use_bin_type=True))
        limit = model.MAX_BYTES or self.limits.payload_bytes
        if size > limit:
            raise HubError("payload_too_large", "The request is too large.", {"bytes": size, "limit": limit})
        if not isinstance(payload, dict):
            raise HubError("invalid_payload", "The payload must be an object.")
        try:
            return model.model_validate(payload)
        except ValidationError as exc:
            raise invalid_payload(exc) from None

    # One handler per event; each returns the ack's data.

    async def join(self, sid: str, meeting_id: str, actor: Actor, command: MeetingJoin) -> Any:
        # Enter the room first so no event falls between the reply and the first broadcast;
        # clients skip events at or below the version they hold.
        await self.sio.enter_room(sid, room(meeting_id))
        try:
            joined = await self.hub.join(meeting_id, actor)
        except HubError:
            # Refused (removed): nothing of the meeting reaches this connection.
            await self.sio.leave_room(sid, room(meeting_id))
            raise
        self.connections.mark_joined(sid, True)
        if self.hub.due(meeting_id):
            # Adjourned to a time now past, and nothing resumed it yet (a restart): it resumes now.
            await self.hub.resume_due(meeting_id)
        if command.since is not None:
            reply = await self.hub.catch_up(meeting_id, command.since)
        else:
            reply = await self.hub.snapshot(meeting_id, at_least=joined.version if joined else 0)
        # Who the client is, and the server's clock so countdowns agree across devices.
        may, business = _may(actor.role)
        connection = self.connections.get(sid)
        # The member's home page (their other meetings, calendar, minutes), for as long as this link.
        home = (
            None if connection is None else self.hub.tokens.issue_home(actor.member_id, connection.expires_at)
        )
        you = {
            "member_id": actor.member_id,
            "name": actor.name,
            "branch": None if actor.branch is None else await self.hub.branch_name(actor.branch),
            "role": actor.role.value,
            "may": list(may),
            "business": list(business),
            "home": None if home is None else f"/home/{home}",
            # For the chair: the hall screen's link, which shows the meeting and can do nothing else.
            "projector": (
                f"/join/{self.hub.issue_projector_link(meeting_id, connection.expires_at)}?view=projector"
                if connection is not None and actor.role in CHAIRS
                else None
            ),
        }
        await self._retell_tallies(meeting_id)
        return {**reply, "you": you, "server_time": self.hub.clock().isoformat()}

    async def _retell_tallies(self, meeting_id: str) -> None:
        """Live counts are not in the meeting's state: one who joins while polls are open (an advance
        poll may run for days) hears them with the next tally, sent soon (tallies are paced). The meeting
        as this process knows it, as the joiner's snapshot was: reading Redis again for each of a
        crowd's joins cost more than the join."""
        for vote in (await self.hub.known(meeting_id)).votes:
            if vote.status == "open":
                self.ballots.retell(meeting_id, vote.id)

    async def watch(self, sid: str, meeting_id: str, command: MeetingJoin) -> Any:
        """A projector's screen enters the room to hear the news, with a snapshot (or what it missed);
        it is nobody in the meeting, so nothing is committed and nobody is counted."""
        await self.sio.enter_room(sid, room(meeting_id))
        if self.hub.due(meeting_id):
            await self.hub.resume_due(meeting_id)
        if command.since is not None:
            reply = await self.hub.catch_up(meeting_id, command.since)
        else:
            reply = await self.hub.snapshot(meeting_id)
        await self._retell_tallies(meeting_id)
        return {**reply, "you": None, "projector": True, "server_time": self.hub.clock().isoformat()}

    async def published(
        self, meeting_id: str, event: Event, shown: Shown, effects: tuple[Effect, ...]
    ) -> None:
        """After a commit: what the change needs done outside the meeting's document before anyone
        hears of it (a ballot box: a vote's news brings ballots at once); the news to the meeting's
        room, and to the relay, which obeys the new state; then the rest."""
        for effect in effects:
            if isinstance(effect, BEFORE_NEWS):
                await self._carry_out(meeting_id, effect)
        await self.broadcast.publish(meeting_id, event, shown)
        await self.media.meeting_changed(meeting_id)
        until = self.hub.adjourned_until(meeting_id)
        if until is not None:
            self.resumptions.watch(meeting_id, until)
        for effect in effects:
            if not isinstance(effect, BEFORE_NEWS):
                await self._carry_out(meeting_id, effect)

    async def _carry_out(self, meeting_id: str, effect: Effect) -> None:
        match effect:
            case Disconnect(sessions):
                for session in sessions:
                    # Sessions are "node/sid"; the manager reaches a sid on any node.
                    await self.sio.disconnect(session.split("/", 1)[1])
            case CloseMember(member_id):
                await self.hub.store.announce_closure({"meeting": meeting_id, "member": member_id})
            case OpenBox():
                await self.ballots.open_box(meeting_id, effect)
            case StrikeVoter(member_id, vote_ids):
                _, meeting = await self.hub.meeting(meeting_id)
                for vote in meeting.votes:
                    if vote.id in vote_ids:
                        await self.ballots.strike(meeting_id, vote, member_id)

    async def leave(self, sid: str, meeting_id: str, actor: Actor, command: MeetingLeave | None) -> Any:
        """`meeting.leave`, or (no command) a connection that dropped or closed: then the member keeps
        their place for the grace period if it was their last, since a reload, a phone changing networks
        and a closed tab all look the same from here."""
        dropped = command is None
        self.connections.mark_joined(sid, False)
        # Media rides on a joined connection: it ends first, even if the rest fails.
        await self.media.release(sid)
        await self.sio.leave_room(sid, room(meeting_id))
        if dropped:
            await self.hub.away(meeting_id, actor.member_id)
        await self.hub.execute(meeting_id, actor, lambda m, now: meetings.leave(m, actor, now, dropped))
        return None

    async def sync(self, sid: str, meeting_id: str, actor: Actor, command: MeetingSync) -> Any:
        # The one read of the meeting that needs no presence: not for a member the chair removed.
        meetings.refuse_removed((await self.hub.current(meeting_id)).meeting, actor.member_id)
        return await self.hub.catch_up(meeting_id, command.since)

    async def roster(self, sid: str, meeting_id: str, actor: Actor, command: RosterPage) -> Any:
        # The roster is for those in the meeting: not the lobby, not a connection that never joined.
        meetings.require_present((await self.hub.current(meeting_id)).meeting, actor)
        return await self.hub.roster(meeting_id, command.query, command.after, command.limit)

    async def apply(self, meeting_id: str, actor: Actor, name: str, command: Model) -> Any:
        """Every other event: its rule, committed; the ack carries the new version and the ids of what
        the command created."""
        rule = EVENTS[name].rule
        assert rule is not None

        def bound(m: Meeting, now: datetime) -> Change | None:
            return rule(m, command, actor, now)

        return await self.run(meeting_id, actor, name, bound)

    async def run(self, meeting_id: str, actor: Actor, name: str, bound: BoundRule) -> Any:
        """A rule bound to its command (by `apply`, or by an edge handler that first read what the rule
        needs), refused as the event's declaration says (business, presence), committed and answered."""
        declared = EVENTS[name]
        checked = lifecycle.as_business(bound) if declared.business else bound
        run = meetings.as_present(actor, checked) if declared.present else checked
        try:
            event = await self.hub.execute(meeting_id, actor, run, shed=True)
        except lifecycle.ResumeDue:
            # The adjournment ran out before any timer resumed the meeting: it resumes, then the command.
            await self.hub.resume_due(meeting_id)
            event = await self.hub.execute(meeting_id, actor, run, shed=True)
        if event is None:
            return None
        reply = {"version": event.version, **{key: event.data[key] for key in declared.creates}}
        # Done, but the sender should know what stands in its way (speaker.call: not heard).
        if "warning" in event.data:
            reply["warning"] = event.data["warning"]
        return reply
