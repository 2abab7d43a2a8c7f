"""Pure rules for reactions (applause, agree, disagree, "can't hear", "slower"): gathered per meeting
into bursts, so that a room of thousands reacting at once is sent one message per burst, not one per
reaction; and the requests to the chair counted once per member in a rolling window. Nothing here is
kept in the meeting's state or its log. No clock (times are arguments, in seconds), no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.models import REQUESTS, ReactionKind
from hub.pushes import ReactionBurst, ReactionShown

# How many reactions of a burst are named; the rest are only counted.
NAMED_MOST = 12
# The chair's rolling count of requests covers this many seconds; a member's repeat within it is shown
# but not counted again.
REQUEST_WINDOW = 30.0


@dataclass
class _Pending:
    counts: dict[ReactionKind, int] = field(default_factory=dict)
    named: list[ReactionShown] = field(default_factory=list)
    asks: dict[ReactionKind, int] = field(default_factory=dict)
    # (member, kind) already in this burst.
    seen: set[tuple[str, str]] = field(default_factory=set)


class Gathering:
    """The reactions of each meeting since its last burst, and when each member's request to the chair
    was last counted."""

    def __init__(self) -> None:
        self._pending: dict[str, _Pending] = {}
        self._asked: dict[tuple[str, str, str], float] = {}

    def add(self, meeting_id: str, member_id: str, name: str, kind: ReactionKind, now: float) -> None:
        pending = self._pending.setdefault(meeting_id, _Pending())
        if (member_id, kind) in pending.seen:
            return
        pending.seen.add((member_id, kind))
        pending.counts[kind] = pending.counts.get(kind, 0) + 1
        if len(pending.named) < NAMED_MOST:
            pending.named.append(ReactionShown(member_id=member_id, name=name, kind=kind))
        if kind in REQUESTS:
            key = (meeting_id, member_id, kind)
            last = self._asked.get(key)
            if last is None or now - last >= REQUEST_WINDOW:
                self._asked[key] = now
                pending.asks[kind] = pending.asks.get(kind, 0) + 1

    def take(self, meeting_id: str, now: float) -> ReactionBurst | None:
        """The meeting's burst, to send now (None when nobody reacted); requests counted longer ago than
        the window are forgotten."""
        self._asked = {key: at for key, at in self._asked.items() if now - at < REQUEST_WINDOW}
        pending = self._pending.pop(meeting_id, None)
        if pending is None:
            return None
        return ReactionBurst(counts=pending.counts, named=pending.named, asks=pending.asks)
