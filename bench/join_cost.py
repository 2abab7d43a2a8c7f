"""CPU cost of one join in a big meeting, in-process: the hub's path (the delta, the patch built from it,
the core and one participant entry packed, the crowd view for the joiner) against the previous design's
(parse the whole stored meeting, view it before and after and diff the views, pack the whole meeting,
view it again for the joiner), at each size. No Redis: this is the CPU around the commit.

    .venv/bin/python -m bench.join_cost --participants 500 2000 3500

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgpack

from bench.harness import arguments, report, table
from hub import crowds
from hub.deltas import Delta
from hub.meetings import Actor, join
from hub.models import AgendaItem, Meeting, Role, public, stored
from hub.patch import diff

REPEAT = 50


def crowd(count: int) -> Meeting:
    now = datetime.now(UTC)
    meeting = Meeting(
        id="bench",
        branch_id="bench",
        title="Bench",
        starts_at=now,
        time_zone="UTC",
        agenda=[AgendaItem(id="a1", title="Item")],
        current_item="a1",
    )
    for n in range(count):
        actor = Actor(member_id=f"b{n:05}", name=f"Member {n}", role=Role.MEMBER, session=f"node/s{n}")
        change = join(meeting, actor, now)
        assert change is not None
        meeting = change.meeting
    return meeting


def _whole(meeting: Meeting) -> dict[str, Any]:
    """The meeting as the previous design stored it: one document, participants and all."""
    return {**meeting.core(), "participants": {m: stored(p) for m, p in meeting.participants.items()}}


def timed(work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    for _ in range(REPEAT):
        work()
    return 1000 * (time.perf_counter() - start) / REPEAT


def measure(count: int) -> dict[str, Any]:
    meeting = crowd(count)
    whole = msgpack.packb(_whole(meeting))
    parts = {part: meeting.view_of(part) for part in ("presence", "quorum", "agenda")}
    joiner = Actor(member_id="new", name="Newcomer", role=Role.MEMBER, session="node/new")
    now = datetime.now(UTC)

    def reload_path() -> None:
        before = Meeting.model_validate(msgpack.unpackb(whole))
        change = join(before, joiner, now)
        assert change is not None
        diff(before.public_view(), change.meeting.public_view())
        msgpack.packb(_whole(change.meeting))
        # The joiner's snapshot: the meeting parsed and viewed again.
        Meeting.model_validate(msgpack.unpackb(whole)).public_view()

    def hub_path() -> None:
        change = join(meeting, joiner, now)
        assert change is not None
        delta = Delta.of(meeting, change)
        delta.patch(meeting, lambda p: parts.get(p) or meeting.view_of(p), change.meeting.view_of)
        msgpack.packb(change.meeting.core())
        msgpack.packb({m: stored(p) for m, p in change.participants.items()})
        # The joiner's snapshot: the crowd view (the notables are followed from deltas in the hub).
        notables = crowds.following(meeting, change.meeting, delta, {})
        {**change.meeting.core(), "participants": {m: public(p) for m, p in notables.items()}}

    reload_ms, hub_ms = timed(reload_path), timed(hub_path)
    return {
        "benchmark": "join_cost",
        "participants": count,
        "state_bytes": len(whole),
        "hub_ms": round(hub_ms, 2),
        "reload_ms": round(reload_ms, 2),
        "ratio": round(hub_ms / reload_ms, 3),
    }


def summary(results: list[dict[str, Any]]) -> str:
    columns = ["participants", "whole state (KB)", "hub (ms)", "whole state per join (ms)", "ratio"]
    rows = [
        [r["participants"], r["state_bytes"] // 1024, r["hub_ms"], r["reload_ms"], f"{r['ratio']}x"]
        for r in results
    ]
    return table(columns, rows)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--participants", type=int, nargs="+", default=[500, 2000, 3500])
    args = parser.parse_args()
    found = [measure(count) for count in args.participants]
    report(found, summary)
