"""A change the size of the change: the parts of a meeting a rule replaced and the participant entries it
wrote, and the patch clients get, built from those alone.

Nothing here walks the whole meeting: a member joining a room of 3,500 costs one participant entry,
the presence counts, and the quorum they feed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hub.meetings import Change
from hub.models import DERIVED, VIEW_PARTS, Meeting, Participant, public
from hub.patch import diff, pointer

# The parts a rule replaces by returning a new object for them; participants are entries of their own.
_PARTS = tuple(p for p in VIEW_PARTS if p not in DERIVED and p != "participants")


@dataclass(frozen=True)
class Delta:
    # Top-level parts of the public view that changed (or may have), in the view's order.
    parts: tuple[str, ...]
    # Participant entries written, by member id.
    participants: Mapping[str, Participant]

    @classmethod
    def of(cls, before: Meeting, change: Change) -> Delta:
        after = change.meeting
        replaced = {p for p in _PARTS if getattr(before, p) is not getattr(after, p)}
        parts = tuple(p for p in VIEW_PARTS if p in replaced or (p in DERIVED and DERIVED[p] & replaced))
        return cls(parts, change.participants)

    def patch(
        self, before: Meeting, view_before: Callable[[str], Any], view_after: Callable[[str], Any]
    ) -> list[dict[str, Any]]:
        """The RFC 6902 patch from the view before to the view after: the same operations as diffing
        the two whole views (`hub.patch.diff`), found from the delta. `view_before` and `view_after`
        give one part of each view, so callers may keep the parts they built already."""
        ops: list[dict[str, Any]] = []
        for part in self.parts:
            ops.extend(diff(view_before(part), view_after(part), f"/{part}"))
        for member_id, entry in self.participants.items():
            path = f"/participants/{pointer(member_id)}"
            old = before.participants.get(member_id)
            if old is None:
                ops.append({"op": "add", "path": path, "value": public(entry)})
            else:
                ops.extend(diff(public(old), public(entry), path))
        return ops
