"""Drafting minutes from the event log: the parts not covered by the scripted AGM."""

from __future__ import annotations

from hub.minutes import draft
from tests.unit.builders import NOON, meeting


def removed(name: str) -> dict[str, object]:
    data = {"member_id": "m009", "name": name}
    return {"type": "participant.removed", "data": data, "at": NOON.isoformat()}


def test_a_removal_by_the_chair_is_recorded_once_per_member() -> None:
    text = draft(meeting(), [removed("Ivan Petrov"), removed("Ivan Petrov")])
    assert "Removed from the meeting by the chair: Ivan Petrov." in text


def test_without_removals_nothing_is_said_of_them() -> None:
    assert "Removed from the meeting" not in draft(meeting(), [])
