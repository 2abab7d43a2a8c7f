"""What the hub pushes to a meeting's room besides `meeting.events`, as models: the payloads are their
dumps, and their JSON Schema is published with the rest (hub/schema.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hub.models import Id, Model, Presence, QuorumState

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


# Event name -> the model of its payload.
PUSHES: dict[str, type[Model]] = {"vote.tally": VoteTally, "meeting.presence": PresenceCounts}
