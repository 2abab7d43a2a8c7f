"""A big room ("a crowd"): what its members are sent instead of the whole roster.

Above `Limits.crowd_above` participants, a meeting is sent as its crowd view: every part of the public
view, but of the participants only those who matter to everyone (officers, those waiting in the lobby,
those removed), with the presence counts in `presence` and `quorum`. The roster is read a page at a
time (`roster_page`). An event is shown to a crowd as its crowd patch, which leaves out presence and
quorum (sent as coalesced counts instead) and participants who are not in the crowd view; an event
whose crowd patch is empty (a member joining or leaving) is not shown at all.

Pure: no store, no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hub.deltas import Delta
from hub.models import OFFICER_ROLES, Meeting, Participant, public
from hub.patch import diff, pointer

# Parts sent to a crowd as coalesced counts rather than with each event.
COUNTS = ("presence", "quorum")
# Where they are in a patch.
COUNT_PATHS = tuple(f"/{part}" for part in COUNTS)
# What of a change's patch a crowd is not shown as it is: the counts, and the roster (only its notables).
_UNSHOWN = (*COUNT_PATHS, "/participants/")


def uncounted(patch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A commuted change's patch as stored: without the counts, which only Redis knows (commute.lua)."""
    return [op for op in patch if not op["path"].startswith(COUNT_PATHS)]


def counted(patch: list[dict[str, Any]], counts: dict[str, int]) -> list[dict[str, Any]]:
    """A commuted change's patch with the counts Redis gave it put back (`uncounted`'s inverse). The
    quorum's `required` and `quorate` are as the change found them: commute.lua saw to that."""
    return [
        *patch,
        {"op": "replace", "path": "/presence", "value": counts},
        {"op": "replace", "path": "/quorum/present", "value": counts["voting"]},
    ]


# The most participants one roster page holds.
PAGE_MOST = 100


def notable(meeting: Meeting, participant: Participant) -> bool:
    """In the crowd view: those in the chair's seats, those the chair must admit, those it removed, and
    those in the hall (whom the secretary checks in and out, and the tellers count)."""
    return (
        participant.role in OFFICER_ROLES
        or participant.waiting
        or participant.hall
        or participant.member_id in meeting.removed
    )


def notables(meeting: Meeting) -> dict[str, Participant]:
    return {m: p for m, p in meeting.participants.items() if notable(meeting, p)}


def _candidates(before: Meeting, after: Meeting, delta: Delta) -> Iterable[str]:
    """Members whose place in the crowd view the change may have moved: the entries it wrote, and
    anyone it removed or readmitted."""
    yield from delta.participants
    if before.removed is not after.removed:
        yield from set(before.removed) ^ set(after.removed)


def following(
    before: Meeting, after: Meeting, delta: Delta, kept: Mapping[str, Participant]
) -> dict[str, Participant]:
    """The notables after the change, from those before (`kept`) and what the change touched."""
    result = dict(kept)
    for member_id in _candidates(before, after, delta):
        entry = after.participants.get(member_id)
        if entry is not None and notable(after, entry):
            result[member_id] = entry
        else:
            result.pop(member_id, None)
    return result


def crowd_patch(
    before: Meeting, after: Meeting, delta: Delta, patch: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The change as a crowd sees it: the diff of the crowd views before and after, without the counts.
    `patch` is the change's own patch (`Delta.patch`): its parts are what a crowd sees of them."""
    ops = [op for op in patch if not op["path"].startswith(_UNSHOWN)]
    for member_id in dict.fromkeys(_candidates(before, after, delta)):
        old, new = before.participants.get(member_id), after.participants.get(member_id)
        was = old is not None and notable(before, old)
        now = new is not None and notable(after, new)
        path = f"/participants/{pointer(member_id)}"
        if was and now:
            assert old is not None and new is not None
            ops.extend(diff(public(old), public(new), path))
        elif now:
            assert new is not None
            ops.append({"op": "add", "path": path, "value": public(new)})
        elif was:
            ops.append({"op": "remove", "path": path})
    return ops


def roster_page(
    meeting: Meeting, order: list[tuple[str, str]], query: str, after: str | None, limit: int
) -> dict[str, Any]:
    """One page of the roster: participants whose name holds `query` (any case), by name, from just
    after the cursor `after`. `order` is every participant as (sort key, member id), sorted."""
    needle = query.casefold()
    matched = [(key, m) for key, m in order if needle in key] if needle else order
    start = 0
    if after is not None:
        start = next((n + 1 for n, (key, m) in enumerate(matched) if f"{key}\x00{m}" == after), 0)
    page = matched[start : start + min(limit, PAGE_MOST)]
    more = start + len(page) < len(matched)
    return {
        "participants": [public(meeting.participants[m]) for _, m in page],
        "total": len(matched),
        "next": f"{page[-1][0]}\x00{page[-1][1]}" if page and more else None,
    }


def roster_order(meeting: Meeting) -> list[tuple[str, str]]:
    """Every participant as (sort key, member id), by name: the order roster pages follow."""
    return sorted((p.name.casefold(), m) for m, p in meeting.participants.items())
