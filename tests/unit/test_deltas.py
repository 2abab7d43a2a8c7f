"""A change is sent as its delta: over random runs of every rule (and joins, leaves and sweeps), the
patch built from the delta has the same operations as diffing the whole views before and after, the
participant entries a change lists are exactly the ones that changed, and the presence counts kept
from deltas equal a fresh count."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

import jsonpatch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub import crowds, hall, media, meetings, minutes, votes
from hub.deltas import Delta
from hub.errors import HubError
from hub.events import EVENTS, RULES
from hub.meetings import Actor, Change
from hub.models import MEDIA_MODES, MediaUse, Meeting, MeetingStatus, Presence, Role
from hub.patch import diff
from tests.unit.builders import NOON, meeting

PEOPLE = [("m001", Role.CHAIR), ("m002", Role.SECRETARY), *((f"m{n:03}", Role.MEMBER) for n in range(3, 9))]
PRESENCE = (
    "meeting.join",
    "meeting.leave",
    "participants.sweep",
    "participants.depart",
    "participants.arrive",
)
# A connection joining, changing or leaving the media: the relay commits it (hub/media.py `used`).
MEDIA = "participant.media"
# Rules the edge runs itself (after its own checks or with what it read from the store).
EDGE_RULES = ("vote.close", "minutes.draft", "hall.check_in")


def _ids(m: Meeting) -> dict[str, list[str]]:
    item = next((i for i in m.agenda if i.id == m.current_item), None)
    return {
        "item_id": [i.id for i in m.agenda] or ["a1"],
        "motion_id": [x.id for x in m.motions] or ["mo1"],
        "amendment_id": [a.id for x in m.motions for a in x.amendments] or ["am1"],
        "entry_id": [e.id for e in item.queue] if item and item.queue else ["q1"],
        "vote_id": [v.id for v in m.votes] or ["v1"],
        "message_id": [c.id for c in m.chat] or ["c1"],
        "member_id": [p for p, _ in PEOPLE],
    }


def _payload(name: str, m: Meeting, draw: st.DrawFn) -> dict[str, Any]:
    example = dict(EVENTS[name].example)
    ids = _ids(m)
    for key in example:
        if key in ids:
            example[key] = draw(st.sampled_from(ids[key]))
    if name == "meeting.set_status":
        example["status"] = draw(st.sampled_from(list(MeetingStatus)))
    if name == "vote.open":
        example["subject"] = {"kind": "motion", "motion_id": draw(st.sampled_from(ids["motion_id"]))}
    if name in ("lobby.set", "chat.set_open"):
        example[next(iter(example))] = draw(st.booleans())
    if name == "agenda.select":
        example["item_id"] = draw(st.sampled_from(ids["item_id"]))
    return example


def _step(m: Meeting, draw: st.DrawFn) -> Change | None:
    member_id, role = draw(st.sampled_from(PEOPLE))
    session = f"node{draw(st.integers(0, 1))}:1/s{draw(st.integers(0, 2))}"
    who = Actor(member_id=member_id, name=f"Member {member_id}", role=role, session=session)
    name = draw(
        st.sampled_from(sorted(RULES) + list(PRESENCE) * 6 + [*EDGE_RULES, "vote.open"] * 3 + [MEDIA] * 6)
    )
    if name == MEDIA:
        mode = draw(st.none() | st.sampled_from(MEDIA_MODES))
        return media.used(
            m, who, None if mode is None else MediaUse(mode=mode, microphone=draw(st.booleans()))
        )
    if name == "meeting.join":
        return meetings.join(m, who, NOON)
    if name == "participants.arrive":
        # Several connections joining a big room together (hub/arrivals.py).
        count = draw(st.integers(1, 4))
        arrivals = [
            Actor(member_id=p, name=f"Member {p}", role=r, session=f"node0:1/s{draw(st.integers(0, 2))}")
            for p, r in (draw(st.sampled_from(PEOPLE)) for _ in range(count))
        ]
        return meetings.arrive(m, arrivals, NOON)[0]
    if name == "meeting.leave":
        return meetings.leave(m, who, NOON, dropped=draw(st.booleans()))
    if name == "participants.depart":
        return meetings.depart(
            m, [p for p, _ in PEOPLE], timedelta(seconds=draw(st.sampled_from([0, 60]))), NOON
        )
    if name == "participants.sweep":
        return meetings.sweep(m, draw(st.sampled_from(["node0:1", "node1:1", None])), NOON)
    command = EVENTS[name].payload.model_validate(_payload(name, m, draw))
    if name == "vote.close":
        votes.check_close(m, command, who)
        counts = {"for": draw(st.integers(0, 5)), "against": draw(st.integers(0, 5))}
        return votes.close(m, command, counts, who, NOON)
    if name == "minutes.draft":
        return minutes.draft_minutes(m, command, [], who, NOON)
    if name == "hall.check_in":
        # The edge reads the member checked in from the directory.
        entrant = hall.Entrant(
            command.member_id, f"Member {command.member_id}", dict(PEOPLE)[command.member_id]
        )
        return hall.check_in(m, command, who, NOON, entrant)
    return RULES[name](m, command, who, NOON)


def _ops(patch: list[dict[str, Any]]) -> Counter[str]:
    return Counter(json.dumps(op, sort_keys=True) for op in patch)


def _who(member_id: str, role: Role) -> Actor:
    return Actor(member_id=member_id, name=f"Member {member_id}", role=role, session="node0:1/s0")


def _prologue() -> list[tuple[Meeting, Change]]:
    """Everyone in and checked in, the meeting in session, an item and a seconded motion: so that random
    steps reach votes too."""
    m = meeting(standing_orders={"quorum": {"kind": "number", "value": 2}})
    chair, mover, seconder = _who(*PEOPLE[0]), _who(*PEOPLE[3]), _who(*PEOPLE[4])
    everyone = [_who(*p) for p in PEOPLE]
    steps: list[Any] = [lambda m, who=who: meetings.join(m, who, NOON) for who in everyone]
    commands: list[tuple[Actor, str, dict[str, Any]]] = [
        (chair, "meeting.set_status", {"status": "open"}),
        # The chair is checked in by opening the meeting.
        *((who, "attendance.check_in", {}) for who in everyone[1:]),
        (chair, "meeting.set_status", {"status": "in_session"}),
        (chair, "agenda.add", {"title": "Motions", "kind": "motion"}),
        (chair, "agenda.select", {"item_id": "a1"}),
        (mover, "motion.submit", {"title": "Votes", "text": "We want votes."}),
        (seconder, "motion.second", {"motion_id": "mo2"}),
    ]
    steps += [
        lambda m, c=c: RULES[c[1]](m, EVENTS[c[1]].payload.model_validate(c[2]), c[0], NOON) for c in commands
    ]
    changes = []
    for step in steps:
        change = step(m)
        assert change is not None
        changes.append((m, change))
        m = change.meeting
    return changes


PROLOGUE = _prologue()


@st.composite
def runs(draw: st.DrawFn) -> list[tuple[Meeting, Change]]:
    changes = list(PROLOGUE) if draw(st.booleans()) else []
    m = (
        changes[-1][1].meeting
        if changes
        else meeting(standing_orders={"quorum": {"kind": "number", "value": 2}})
    )
    for _ in range(draw(st.integers(1, 60))):
        try:
            change = _step(m, draw)
        except HubError:
            continue
        if change is not None:
            changes.append((m, change))
            m = change.meeting
    return changes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_the_patch_from_a_delta_is_the_diff_of_the_views(changes: list[tuple[Meeting, Change]]) -> None:
    for before, change in changes:
        after = change.meeting
        delta = Delta.of(before, change)
        patch = delta.patch(before, before.view_of, after.view_of)
        whole = diff(before.public_view(), after.public_view())
        assert _ops(patch) == _ops(whole), change.type
        assert jsonpatch.apply_patch(before.public_view(), patch) == after.public_view()
        written = {m for m, p in after.participants.items() if before.participants.get(m) is not p}
        assert written == set(change.participants), change.type
        assert after.presence == Presence.of(after.participants), change.type


def test_every_rule_is_reached_by_the_runs() -> None:
    """The runs above reach every rule that changes the meeting, so each is checked."""
    reached: set[str] = set()

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(runs())
    def collect(changes: list[tuple[Meeting, Change]]) -> None:
        reached.update(change.type.split(".")[0] for _, change in changes)

    collect()
    assert {
        "participant",
        "agenda",
        "speaker",
        "motion",
        "vote",
        "chat",
        "meeting",
        "lobby",
        "hall",
    } <= reached


def _crowd_view(m: Meeting) -> dict[str, Any]:
    view = {k: v for k, v in m.public_view().items() if k not in crowds.COUNTS}
    view["participants"] = {
        k: v for k, v in view["participants"].items() if crowds.notable(m, m.participants[k])
    }
    return view


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_a_crowd_patch_is_the_diff_of_the_crowd_views(changes: list[tuple[Meeting, Change]]) -> None:
    """What a big room is sent of each change: the diff of its crowd views, without the counts; and the
    notables followed from deltas equal a fresh look."""
    notables = crowds.notables(changes[0][0]) if changes else {}
    for before, change in changes:
        after = change.meeting
        delta = Delta.of(before, change)
        patch = crowds.crowd_patch(before, after, delta, delta.patch(before, before.view_of, after.view_of))
        assert _ops(patch) == _ops(diff(_crowd_view(before), _crowd_view(after))), change.type
        notables = crowds.following(before, after, delta, notables)
        assert notables == crowds.notables(after), change.type


def _shown(before: Meeting, change: Change) -> list[dict[str, Any]]:
    delta = Delta.of(before, change)
    return crowds.crowd_patch(
        before, change.meeting, delta, delta.patch(before, before.view_of, change.meeting.view_of)
    )


def test_a_member_joining_a_crowd_is_shown_nothing_and_an_officer_is() -> None:
    m = PROLOGUE[-1][1].meeting
    member = meetings.join(m, _who("m100", Role.MEMBER), NOON)
    chair = meetings.join(m, _who("m101", Role.SECRETARY), NOON)
    assert member is not None and chair is not None
    assert _shown(m, member) == []
    shown = _shown(m, chair)
    assert [op["path"] for op in shown] == ["/participants/m101"]


def test_a_members_media_is_shown_nothing_in_a_crowd_and_an_officers_is() -> None:
    m = PROLOGUE[-1][1].meeting
    for member_id, role in (("m005", Role.MEMBER), ("m002", Role.SECRETARY)):
        change = media.used(m, _who(member_id, role), MediaUse(mode="audio", microphone=True))
        assert change is not None
        shown = _shown(m, change)
        expected = (
            [] if role == Role.MEMBER else ["/participants/m002/media", "/participants/m002/microphone"]
        )
        assert sorted(op["path"] for op in shown) == expected


def test_roster_pages_follow_names_and_queries() -> None:
    m = PROLOGUE[-1][1].meeting
    for n in range(120):
        change = meetings.join(m, _who(f"x{n:03}", Role.MEMBER), NOON)
        assert change is not None
        m = change.meeting
    order = crowds.roster_order(m)
    first = crowds.roster_page(m, order, "", None, 50)
    assert first["total"] == 128 and len(first["participants"]) == 50
    names = [p["name"] for p in first["participants"]]
    assert names == sorted(names, key=str.casefold)
    seen = [p["member_id"] for p in first["participants"]]
    page = first
    while page["next"] is not None:
        page = crowds.roster_page(m, order, "", page["next"], 50)
        seen += [p["member_id"] for p in page["participants"]]
    assert sorted(seen) == sorted(m.participants)
    found = crowds.roster_page(m, order, "MEMBER X00", None, 100)
    assert [p["member_id"] for p in found["participants"]] == [f"x00{n}" for n in range(10)]
    assert crowds.roster_page(m, order, "nobody", None, 10) == {"participants": [], "total": 0, "next": None}
    assert "sessions" not in first["participants"][0]
