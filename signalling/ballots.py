"""Votes at the edge: opening a ballot box with the vote, casting straight into the store (never
through the meeting's version), closing with the stored count, and live tallies coalesced so a storm
of ballots becomes a few broadcasts."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from hub import votes
from hub.commands import VoteBallots, VoteCast, VoteClose, VoteOpen, VoteVerify
from hub.errors import HubError
from hub.meetings import Actor, as_present
from hub.models import Event, Meeting, VoteMethod
from hub.service import Hub
from signalling.pacing import Pacer, spacing

# Tallies of one vote go out at most this often (less often in a very big room).
TALLY_INTERVAL = 0.1

CAST_ERRORS = {
    "vote.not_found": "There is no such vote.",
    "vote.closed": "This vote has closed.",
    "vote.not_eligible": "You are not entitled to vote in this ballot (only members present when it opened).",
    "vote.already_voted": "Your ballot is already recorded; this vote does not allow changes.",
}


class BallotDesk:
    def __init__(self, sio: socketio.AsyncServer, hub: Hub, room: Callable[[str], str]) -> None:
        self.sio = sio
        self.hub = hub
        self.room = room
        self._tallies = Pacer(lambda key: spacing(sio, room(key[0]), TALLY_INTERVAL))

    def handlers(self) -> dict[str, Callable[[str, str, Actor, Any], Awaitable[Any]]]:
        return {
            "vote.open": self.open,
            "vote.cast": self.cast,
            "vote.close": self.close,
            "vote.ballots": self.ballots,
            "vote.verify": self.verify,
        }

    async def open(self, sid: str, meeting_id: str, actor: Actor, command: VoteOpen) -> Any:
        async def open_box(meeting: Meeting, event: Event) -> None:
            vote_id = event.data["vote_id"]
            allow_change = meeting.standing_orders.vote_changes_allowed
            weights = votes.electorate(meeting, command.method)
            await self.hub.store.open_box(meeting_id, vote_id, command.method.value, allow_change, weights)

        event = await self.hub.execute(
            meeting_id,
            actor,
            as_present(actor, lambda m, now: votes.open(m, command, actor, now)),
            after_commit=open_box,
        )
        assert event is not None
        return {"version": event.version, "vote_id": event.data["vote_id"]}

    async def cast(self, sid: str, meeting_id: str, actor: Actor, command: VoteCast) -> Any:
        receipt = secrets.token_urlsafe(12)
        code, receipt, ballots_cast = await self.hub.store.cast(
            meeting_id, command.vote_id, actor.member_id, command.choice, receipt
        )
        if code != "ok":
            raise HubError(
                code, CAST_ERRORS.get(code, "The ballot was not accepted."), {"vote_id": command.vote_id}
            )
        self._schedule_tally(meeting_id, command.vote_id)
        return {
            "vote_id": command.vote_id,
            "choice": command.choice,
            "receipt": receipt or None,
            "cast": ballots_cast,
        }

    async def close(self, sid: str, meeting_id: str, actor: Actor, command: VoteClose) -> Any:
        # The box closes first, so no ballot can land after the count that decides the result.
        counted = await self.hub.store.close_box(meeting_id, command.vote_id)
        if counted is None:
            _, meeting = await self.hub.meeting(meeting_id)
            votes.find(meeting, command.vote_id)
            counted = (0, {})
        _, counts = counted
        event = await self.hub.execute(
            meeting_id, actor, as_present(actor, lambda m, now: votes.close(m, command, counts, actor, now))
        )
        assert event is not None
        return {"version": event.version, "result": event.data["result"]}

    async def ballots(self, sid: str, meeting_id: str, actor: Actor, command: VoteBallots) -> Any:
        """Who voted how, for the chair and tellers; never for a secret ballot."""
        _, meeting = await self.hub.meeting(meeting_id)
        vote = votes.find(meeting, command.vote_id)
        if vote.method == VoteMethod.SECRET:
            raise HubError("vote.secret", "A secret ballot records no names.")
        choices = await self.hub.store.ballots(meeting_id, command.vote_id)
        names = {m: p.name for m, p in meeting.participants.items()}
        return {
            "vote_id": vote.id,
            "ballots": [
                {"member_id": m, "name": names.get(m, m), "choice": c} for m, c in sorted(choices.items())
            ],
        }

    async def verify(self, sid: str, meeting_id: str, actor: Actor, command: VoteVerify) -> Any:
        """A voter checks that the ballot behind their receipt was counted, and as what."""
        choice = await self.hub.store.receipt(meeting_id, command.vote_id, command.receipt)
        return {"vote_id": command.vote_id, "counted": choice is not None, "choice": choice}

    def _schedule_tally(self, meeting_id: str, vote_id: str) -> None:
        self._tallies.request((meeting_id, vote_id), lambda: self._send_tally(meeting_id, vote_id))

    async def _send_tally(self, meeting_id: str, vote_id: str) -> None:
        ballots_cast, counts = await self.hub.store.tally(meeting_id, vote_id)
        _, meeting = await self.hub.meeting(meeting_id)
        vote = votes.find(meeting, vote_id)
        tally: dict[str, Any] = {"vote_id": vote_id, "cast": ballots_cast, "eligible": vote.eligible}
        if vote.method != VoteMethod.SECRET:
            tally["counts"] = {c: counts.get(c, 0) for c in ("for", "against", "abstain")}
        await self.sio.emit("vote.tally", tally, room=self.room(meeting_id))

    async def stop(self) -> None:
        await self._tallies.stop()
