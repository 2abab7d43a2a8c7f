"""Votes at the edge: opening a ballot box with the vote, casting straight into the store (never
through the meeting's version), closing with the stored count, and live tallies coalesced so a storm
of ballots becomes a few broadcasts.

In a secret ballot the store never sees a member id: the box knows each voter by a tag the hub derives
from the signing secret (`BallotSeal`), keeps no choice per ballot, and a receipt proves that a ballot
is in the box, never what it was."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from hub import polls, votes
from hub.commands import VoteBallots, VoteCast, VoteClose, VoteVerify
from hub.errors import HubError
from hub.meetings import Actor, OpenBox
from hub.models import PollMethod, Role, Vote
from hub.pushes import VoteTally
from hub.service import Hub
from signalling.pacing import Pacer, spacing

log = logging.getLogger(__name__)

# Tallies of one vote go out at most this often (less often in a very big room).
TALLY_INTERVAL = 0.1

CAST_ERRORS = {
    "vote.not_found": "There is no such vote.",
    "vote.closed": "This vote has closed.",
    "vote.not_eligible": "You are not entitled to vote in this ballot (only members present when it opened).",
    "vote.already_voted": "Your ballot is already recorded; this vote does not allow changes.",
}


# Who closes an advance poll when its time comes.
CLOSER = Actor(member_id="hub", name="The hub", role=Role.CHAIR)


class BallotDesk:
    def __init__(self, sio: socketio.AsyncServer, hub: Hub, room: Callable[[str], str]) -> None:
        self.sio = sio
        self.hub = hub
        self.room = room
        self._tallies = Pacer(lambda key: spacing(sio, room(key[0]), TALLY_INTERVAL))
        self.seal = hub.tokens.ballots
        # (meeting, vote) -> the poll as it opened; its options, method and secrecy never change, so
        # casting reads the meeting once per vote and node, not once per ballot.
        self._polls: dict[tuple[str, str], Vote] = {}

    def handlers(self) -> dict[str, Callable[[str, str, Actor, Any], Awaitable[Any]]]:
        return {
            "vote.cast": self.cast,
            "vote.close": self.close,
            "vote.ballots": self.ballots,
            "vote.verify": self.verify,
        }

    async def open_box(self, meeting_id: str, box: OpenBox) -> None:
        """A secret ballot's box knows each voter only by their tag."""
        weights = dict(box.weights)
        if box.secret:
            weights = {self.seal.tag(box.vote_id, m): w for m, w in weights.items()}
        await self.hub.store.open_box(
            meeting_id, box.vote_id, box.secret, box.allow_change, weights, box.closes_at
        )

    async def cast(self, sid: str, meeting_id: str, actor: Actor, command: VoteCast) -> Any:
        poll = await self._poll(meeting_id, command.vote_id)
        ballot = polls.ballot_key(poll, command)
        secret = poll.secret
        voter = self.seal.tag(command.vote_id, actor.member_id) if secret else actor.member_id
        weight = None
        if poll.closes_at is not None:
            # An advance poll's box admits any member invited with a vote, at their first ballot (those
            # removed from the meeting it holds at weight 0: hub/votes.py `open_poll`).
            if not votes.may_vote(poll, actor.role):
                raise HubError("vote.not_eligible", CAST_ERRORS["vote.not_eligible"], {"vote_id": poll.id})
            weight = 1
            if poll.weights:
                _, meeting = await self.hub.meeting(meeting_id)
                weight = meeting.card_weights.get(actor.member_id, 1)
        code, ballots_cast = await self.hub.store.cast(meeting_id, command.vote_id, voter, ballot, weight)
        if secret and code == "vote.already_voted":
            # A retry after a lost reply, or another device: the same receipt, and no choice, since the
            # box does not know it.
            receipt = self.seal.receipt(command.vote_id, actor.member_id)
            return {
                "vote_id": command.vote_id,
                "choice": None,
                "choices": None,
                "receipt": receipt,
                "cast": ballots_cast,
                "already": True,
            }
        if code != "ok":
            raise HubError(
                code, CAST_ERRORS.get(code, "The ballot was not accepted."), {"vote_id": command.vote_id}
            )
        self._schedule_tally(meeting_id, command.vote_id)
        return {
            "vote_id": command.vote_id,
            "choice": command.choice,
            "choices": None if command.choices is None else polls.marks(poll, ballot),
            "receipt": self.seal.receipt(command.vote_id, actor.member_id) if secret else None,
            "cast": ballots_cast,
            "already": False,
        }

    async def _poll(self, meeting_id: str, vote_id: str) -> Vote:
        key = (meeting_id, vote_id)
        if key not in self._polls:
            if len(self._polls) > 10_000:  # votes closed on other nodes are never popped here
                self._polls.clear()
            _, meeting = await self.hub.meeting(meeting_id)
            self._polls[key] = votes.find(meeting, vote_id)
        return self._polls[key]

    async def strike(self, meeting_id: str, vote: Vote, member_id: str) -> None:
        """No further ballot from this member in this open vote (a removal); one cast stays counted."""
        voter = self.seal.tag(vote.id, member_id) if vote.secret else member_id
        await self.hub.store.strike_voter(meeting_id, vote.id, voter, advance=vote.closes_at is not None)

    async def close(self, sid: str, meeting_id: str, actor: Actor, command: VoteClose) -> Any:
        # Checks, then the box, then the commit: a refused close never touches the box; an accepted one
        # closes the box before counting, so no ballot can land after the count that decides the result.
        _, meeting = await self.hub.meeting(meeting_id)
        votes.check_close(meeting, command, actor)
        return await self._close(meeting_id, actor, command)

    async def close_due(self, meeting_id: str, vote_id: str) -> None:
        """An advance poll whose time has come, closed by the hub itself (signalling/closing.py). Its
        box already refuses ballots; a close committed meanwhile (by the chair, or another node) stands."""
        try:
            _, meeting = await self.hub.meeting(meeting_id)
            if votes.find(meeting, vote_id).status == "open":
                await self._close(meeting_id, CLOSER, VoteClose(vote_id=vote_id))
        except HubError as exc:
            # Closed first by the chair or another process; or its meeting is gone: either way done.
            if exc.code not in ("vote.closed", "vote.not_found", "meeting.not_found"):
                raise
        await self.hub.store.poll_closed(meeting_id, vote_id)

    async def _close(self, meeting_id: str, actor: Actor, command: VoteClose) -> Any:
        counted = await self.hub.store.close_box(meeting_id, command.vote_id)
        if counted is None:  # a box lost with its store: nothing was cast into it
            counted = (0, {})
        _, counts = counted
        secret = (await self._poll(meeting_id, command.vote_id)).secret
        if secret:
            # Receipts are posted only now, all at once and sorted: while the vote was open no write put
            # a receipt next to a count.
            tags = await self.hub.store.voter_tags(meeting_id, command.vote_id)
            await self.hub.store.post_receipts(
                meeting_id, command.vote_id, [self.seal.receipt_of(t) for t in tags]
            )
        event = await self.hub.execute(
            meeting_id, actor, lambda m, now: votes.close(m, command, counts, actor, now)
        )
        assert event is not None
        if secret and not await self.hub.store.rewrite_history():
            log.info(
                "append-only file not rewritten after secret ballot %s (off, busy or refused)",
                command.vote_id,
            )
        self._polls.pop((meeting_id, command.vote_id), None)
        return {"version": event.version, "result": event.data["result"]}

    async def ballots(self, sid: str, meeting_id: str, actor: Actor, command: VoteBallots) -> Any:
        """Who voted how, for the chair and tellers; never for a secret ballot."""
        _, meeting = await self.hub.meeting(meeting_id)
        vote = votes.find(meeting, command.vote_id)
        if vote.secret:
            raise HubError("vote.secret", "A secret ballot records no names.")
        cast = await self.hub.store.ballots(meeting_id, command.vote_id)
        names = {m: p.name for m, p in meeting.participants.items()}
        single = vote.method in (PollMethod.YES_NO, PollMethod.ONE_OF)
        return {
            "vote_id": vote.id,
            "ballots": [
                {"member_id": m, "name": names.get(m, m)}
                | ({"choice": ballot} if single else {"choices": polls.marks(vote, ballot)})
                for m, ballot in sorted(cast.items())
            ],
        }

    async def verify(self, sid: str, meeting_id: str, actor: Actor, command: VoteVerify) -> Any:
        """Whether the ballot behind a receipt is in the box; never what it was. The voter's own receipt
        is checked against their tag (the receipts are posted when the vote closes); any other against
        the posted receipts. Redis is asked about the tag or the receipt, never both together."""
        receipt = self.seal.normal_receipt(command.receipt)
        if receipt == self.seal.receipt(command.vote_id, actor.member_id):
            tag = self.seal.tag(command.vote_id, actor.member_id)
            counted = await self.hub.store.has_voted(meeting_id, command.vote_id, tag)
        else:
            counted = await self.hub.store.has_receipt(meeting_id, command.vote_id, receipt)
        return {"vote_id": command.vote_id, "counted": counted}

    def retell(self, meeting_id: str, vote_id: str) -> None:
        """Tell the room this open vote's tally again (someone has just joined)."""
        self._schedule_tally(meeting_id, vote_id)

    def _schedule_tally(self, meeting_id: str, vote_id: str) -> None:
        self._tallies.request((meeting_id, vote_id), lambda: self._send_tally(meeting_id, vote_id))

    async def _send_tally(self, meeting_id: str, vote_id: str) -> None:
        _, meeting = await self.hub.meeting(meeting_id)
        vote = votes.find(meeting, vote_id)
        counts: dict[str, int] = {}
        if vote.secret:
            # Its counts are not told until it closes: reading them (a ranked box holds thousands of
            # distinct rankings) would be wasted.
            ballots_cast = await self.hub.store.ballots_cast(meeting_id, vote_id)
        else:
            ballots_cast, counts = await self.hub.store.tally(meeting_id, vote_id)
        tally = VoteTally(
            vote_id=vote_id,
            cast=ballots_cast,
            eligible=vote.eligible,
            counts=None if vote.secret else polls.totals(vote, counts),
        )
        await self.sio.emit("vote.tally", tally.model_dump(exclude_none=True), room=self.room(meeting_id))

    async def stop(self) -> None:
        await self._tallies.stop()
