"""The attendance register: who checked in and when (online, or in the hall by an officer), each
departure (once the grace period was over, or a deliberate leave, a removal, or a check-out from the
hall) and return, and the apologies sent, read from the meeting's event log and written as CSV for
officers. Pure: no store, no clock."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hub.models import Meeting

# A spreadsheet runs a cell that starts with one of these as a formula; member text is untrusted.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WHEN = "%Y-%m-%d %H:%M:%S"


@dataclass
class Entry:
    member_id: str
    name: str
    checked_in: str = ""
    left: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)
    apology: str = ""
    # How they attended: online, in the hall (checked in by an officer, hub/hall.py), or both.
    online: bool = False
    hall: bool = False
    # Gone since their last arrival, so that checking in again is a return.
    gone: bool = False


def entries(meeting: Meeting, events: Iterable[dict[str, Any]]) -> list[Entry]:
    """Everyone who checked in or sent apologies, by name, with their movements in the meeting's time."""
    zone = ZoneInfo(meeting.time_zone)
    found: dict[str, Entry] = {}

    def entry(member_id: str, name: str | None = None) -> Entry:
        if member_id not in found:
            known = meeting.participants.get(member_id)
            found[member_id] = Entry(member_id, name or (known.name if known else member_id))
        return found[member_id]

    for event in events:
        data, kind = event.get("data") or {}, event["type"]
        at = _local(event["at"], zone)
        if kind in ("attendance.checked_in", "hall.checked_in"):
            checked = entry(data["member_id"], data.get("name"))
            if checked.checked_in and checked.gone:
                _moved(found, data["member_id"], "returned", at)
            checked.checked_in = checked.checked_in or at
            checked.hall = checked.hall or kind == "hall.checked_in"
            checked.online = checked.online or kind == "attendance.checked_in"
        elif kind == "hall.checked_out" and data.get("departed"):
            _moved(found, data["member_id"], "left", at)
        elif kind == "attendance.apologised":
            apology = entry(data["member_id"], data.get("name"))
            apology.apology = f"{at} {data.get('note') or ''}".strip()
        elif kind == "attendance.departed":
            for member_id, left_at in (data.get("left_at") or {}).items():
                _moved(found, member_id, "left", _local(left_at, zone))
        elif (kind == "participant.left" and data.get("departed")) or kind == "participant.removed":
            _moved(found, data["member_id"], "left", at)
        elif kind == "participant.joined" and data.get("returned"):
            _moved(found, data["member_id"], "returned", at)
        elif kind == "participants.joined":
            for joined in data["joined"]:
                if joined.get("returned"):
                    _moved(found, joined["member_id"], "returned", at)
    return sorted(found.values(), key=lambda e: (e.name.casefold(), e.member_id))


def _moved(found: dict[str, Entry], member_id: str, how: str, at: str) -> None:
    # Only the movements of those on the register: a member who never checked in has none to record.
    if member_id in found and found[member_id].checked_in:
        getattr(found[member_id], how).append(at)
        found[member_id].gone = how == "left"


def _local(stamp: str, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(stamp).astimezone(zone).strftime(WHEN)


def to_csv(meeting: Meeting, rows: list[Entry]) -> str:
    """The register as CSV: a row per member, several departures and returns in order, separated by "; "."""
    out = io.StringIO()
    writer = csv.writer(out)
    zone = meeting.time_zone
    writer.writerow(
        [
            "member",
            "name",
            "role",
            f"checked in at ({zone})",
            f"left at ({zone})",
            f"returned at ({zone})",
            "apologies",
            "attended",
        ]
    )
    for row in rows:
        known = meeting.participants.get(row.member_id)
        role = known.role.value if known else ""
        cells = [row.member_id, row.name, role, row.checked_in, "; ".join(row.left), "; ".join(row.returned)]
        how = {(True, False): "online", (False, True): "in the hall", (True, True): "online and in the hall"}
        attended = how.get((row.online, row.hall), "")
        writer.writerow([safe(cell) for cell in [*cells, row.apology, attended]])
    return out.getvalue()


def safe(cell: str) -> str:
    """A cell no spreadsheet runs as a formula: one starting like a formula is quoted as text."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell
