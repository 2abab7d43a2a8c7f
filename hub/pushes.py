"""What the hub pushes to a meeting's room besides `meeting.events`, as models: the payloads are their
dumps, and their JSON Schema is published with the rest (hub/schema.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hub.models import Id, Model, Name, Presence, QuorumState, ReactionKind

Count = Annotated[int, Field(ge=0)]


class VoteTally(Model):
    """`vote.tally`: how far an open vote has got."""

    vote_id: Id
    cast: Count
    eligible: Count
    # Weighted ballots per choice; left out of a secret ballot's tally until it closes.
    counts: dict[str, Count] | None = None


class PresenceCounts(Model):
    """`meeting.presence`: a big room's counts (hub/crowds.py), at a version of the meeting."""

    version: Count
    presence: Presence
    quorum: QuorumState


class ReactionShown(Model):
    """One member's reaction, named in a burst."""

    member_id: Id
    name: Name
    kind: ReactionKind


class ReactionBurst(Model):
    """`reaction.burst`: the reactions sent in the meeting since the last burst (hub/reactions.py),
    shown briefly and never kept in the meeting's state."""

    # Members who reacted, per kind (a member once per kind in a burst).
    counts: dict[ReactionKind, Count]
    # The first few of them, in the order sent, for the names shown beside the reactions.
    named: list[ReactionShown]
    # Of the requests to the chair (can't hear, slower): members asking who had not asked the same in
    # the last 30 seconds. The chair's rolling count adds these up over the last 30 seconds.
    asks: dict[ReactionKind, Count]


# Event name -> the model of its payload.
PUSHES: dict[str, type[Model]] = {
    "vote.tally": VoteTally,
    "meeting.presence": PresenceCounts,
    "reaction.burst": ReactionBurst,
}
