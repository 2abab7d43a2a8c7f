"""The declarations themselves: every event is reachable through exactly one path, and a reply's
`creates` names ids that the rule really puts in its event's data."""

from __future__ import annotations

import json
from typing import Any

from hub import elections, votes
from hub.commands import ElectionNominate, VoteClose
from hub.events import EDGE, EVENTS, RULES
from hub.meetings import Actor
from hub.models import Meeting, Role
from tests.unit.builders import NOON, actor, meeting, present


def test_every_event_has_a_rule_or_an_edge_handler_and_a_valid_example() -> None:
    assert EDGE.isdisjoint(RULES) and EDGE | RULES.keys() == EVENTS.keys()
    for name, declared in EVENTS.items():
        assert declared.name == name and declared.roles and declared.effect
        declared.payload.model_validate(declared.example)


def _run(m: Meeting, who: Actor, name: str, payload: dict[str, Any]) -> tuple[Meeting, dict[str, Any]]:
    declared = EVENTS[name]
    assert declared.rule is not None
    change = declared.rule(m, declared.payload.model_validate(payload), who, NOON)
    assert change is not None
    return change.meeting, change.data


def _busy() -> tuple[Meeting, dict[str, dict[str, Any]]]:
    """A meeting with an item under discussion, a queue, a seconded motion with an amendment, a
    procedural motion and a chat message; and the data of each command that created something."""
    chair = actor("p000", Role.CHAIR, "s0")
    m = present(present(meeting(), 1, Role.CHAIR), 4)
    m, added = _run(m, chair, "agenda.add", {"title": "Motions"})
    m, _ = _run(m, chair, "agenda.select", {"item_id": added["item_id"]})
    m, submitted = _run(m, actor("p001"), "motion.submit", {"title": "Votes", "text": "We want votes."})
    m, _ = _run(m, actor("p002"), "motion.second", {"motion_id": submitted["motion_id"]})
    amend = {"motion_id": submitted["motion_id"], "kind": "delete", "target": "want"}
    steps: list[tuple[Actor, str, dict[str, Any]]] = [
        (actor("p001"), "speaker.request", {"stance": "for"}),
        (actor("p002"), "speaker.point_of_order", {"rule": "SO 1", "point": "Out of order."}),
        (actor("p003"), "amendment.move", amend),
        (actor("p003"), "motion.procedural", {"procedure": "adjourn"}),
        (actor("p001"), "chat.send", {"text": "Hello"}),
    ]
    created = {"agenda.add": added, "motion.submit": submitted}
    for who, name, payload in steps:
        m, created[name] = _run(m, who, name, payload)
    procedural = created["motion.procedural"]["motion_id"]
    m, _ = _run(m, actor("p004"), "motion.second", {"motion_id": procedural})
    opened = {"subject": {"kind": "procedural", "motion_id": procedural}}
    m, created["vote.open"] = _run(m, chair, "vote.open", opened)
    # The procedural motion is lost, and the chair puts a question of their own.
    m = votes.close(
        m, VoteClose(vote_id=created["vote.open"]["vote_id"]), {"against": 3}, chair, NOON
    ).meeting
    m, created["vote.ask"] = _run(m, chair, "vote.ask", {"question": "Where?", "options": ["Here", "There"]})
    m = votes.close(m, VoteClose(vote_id=created["vote.ask"]["vote_id"]), {"o1": 2}, chair, NOON).meeting
    # An election: a post, a nomination (read from the directory at the edge), and its ballot.
    m, item = _run(m, chair, "agenda.add", {"title": "Elections", "kind": "election"})
    m, created["election.add_post"] = _run(
        m, chair, "election.add_post", {"item_id": item["item_id"], "title": "Chair"}
    )
    post_id = created["election.add_post"]["post_id"]
    nominee = elections.Nominee("p003", "Member p003", Role.MEMBER, None)
    nominate = ElectionNominate(post_id=post_id, member_id="p003")
    change = elections.nominate(m, nominate, actor("p003"), NOON, nominee)
    m, created["election.nominate"] = change.meeting, change.data
    m, _ = _run(m, chair, "agenda.select", {"item_id": item["item_id"]})
    m, created["election.open_ballot"] = _run(m, chair, "election.open_ballot", {"post_id": post_id})
    return m, created


def busy_meeting() -> Meeting:
    return _busy()[0]


def test_what_a_command_creates_is_in_its_data_and_in_the_meeting() -> None:
    m, created = _busy()
    view = json.dumps(m.public_view())
    for name, declared in EVENTS.items():
        if declared.creates:
            assert name in created, f"{name} creates ids but is not exercised here"
            for key in declared.creates:
                assert f'"{created[name][key]}"' in view, (name, key)
