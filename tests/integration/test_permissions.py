"""Walk the whole permission matrix over Socket.IO: every event, every role. A role the matrix does
not allow gets `forbidden` and changes nothing; an allowed role is never refused as forbidden."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hub.commands import COMMANDS
from hub.config import Limits
from hub.models import Role
from hub.permissions import MATRIX
from hub.runtime import open_hub
from tests.client import MeetingClient
from tests.conftest import RunningHub

# A member of the demo branch for each role (the admin and observer are appointed below).
AS_ROLE = {
    Role.CHAIR: "m001",
    Role.SECRETARY: "m007",
    Role.MEMBER: "m002",
    Role.ADMIN: "m025",
    Role.OBSERVER: "m031",
}

# A well-formed payload for every event, so that only the role decides.
PAYLOADS: dict[str, dict[str, Any]] = {
    "meeting.join": {},
    "meeting.leave": {},
    "meeting.sync": {"since": 0},
    "meeting.set_status": {"status": "open"},
    "meeting.set_standing_orders": {"standing_orders": {"speech_seconds": 120}},
    "meeting.set_card_weights": {"weights": {"m002": 3}},
    "agenda.add": {"title": "Added"},
    "agenda.update": {"item_id": "a1", "minutes_budget": 7},
    "agenda.move": {"item_id": "a1", "position": 1},
    "agenda.remove": {"item_id": "a9"},
    "agenda.select": {"item_id": "a2"},
    "speaker.request": {"stance": "for"},
    "speaker.point_of_order": {"rule": "SO 1"},
    "speaker.withdraw": {},
    "speaker.call": {},
    "speaker.move": {"entry_id": "q1", "position": 0},
    "speaker.remove": {"entry_id": "q1"},
    "speaker.close_list": {},
    "speaker.reopen_list": {},
    "speech.start": {},
    "speech.pause": {},
    "speech.extend": {"seconds": 30},
    "speech.end": {},
    "attendance.apologise": {"note": "Travelling"},
    "motion.submit": {"title": "T", "text": "Text."},
    "motion.second": {"motion_id": "mo1"},
    "motion.withdraw": {"motion_id": "mo1"},
    "motion.allow_withdrawal": {"motion_id": "mo1"},
    "motion.reply": {"motion_id": "mo1"},
    "motion.procedural": {"procedure": "adjourn"},
    "amendment.move": {"motion_id": "mo1", "kind": "delete", "target": "x"},
    "amendment.second": {"motion_id": "mo1", "amendment_id": "am1"},
    "amendment.withdraw": {"motion_id": "mo1", "amendment_id": "am1"},
    "vote.open": {"subject": {"kind": "motion", "motion_id": "mo1"}},
    "vote.cast": {"vote_id": "v1", "choice": "for"},
    "vote.close": {"vote_id": "v1"},
    "vote.ballots": {"vote_id": "v1"},
    "vote.verify": {"vote_id": "v1", "receipt": "r"},
    "minutes.draft": {},
    "minutes.edit": {"text": "Edited."},
    "minutes.approve": {"note": "Approved."},
    "minutes.get": {},
    "media.join": {"mode": "listen"},
    "media.answer": {"sdp": "v=0"},
    "media.share": {"on": False},
    "media.leave": {},
    "media.mute": {"member_id": "m002"},
    "media.unmute": {"member_id": "m002"},
    "media.mute_all": {},
    "media.set_settings": {"last_n": 3},
    "participant.remove": {"member_id": "m999"},
    "participant.readmit": {"member_id": "m999"},
    "lobby.set": {"on": False},
    "lobby.admit": {"member_id": "m999"},
    "chat.send": {"text": "Hello"},
    "chat.hide": {"message_id": "c1"},
    "chat.set_open": {"open": False},
}


def test_every_event_has_a_payload_here() -> None:
    assert PAYLOADS.keys() == COMMANDS.keys() == MATRIX.keys()


@pytest.fixture
def limits() -> Limits:
    return Limits(events_rate="1000/second")


async def test_the_matrix_is_enforced_for_every_event_and_role(hub_server: RunningHub) -> None:
    async with open_hub(hub_server.settings) as hub:
        branch = await hub.branch("intl")
        branch.roles.update({AS_ROLE[Role.ADMIN]: Role.ADMIN, AS_ROLE[Role.OBSERVER]: Role.OBSERVER})
        await hub.save_branch(branch)
        links = {
            role: await hub.issue_link(m, hub_server.meeting_id, timedelta(hours=1))
            for role, m in AS_ROLE.items()
        }
    clients = {role: MeetingClient(hub_server.url, token) for role, token in links.items()}
    for client in clients.values():
        await client.connect()
    checked = 0
    for event, payload in PAYLOADS.items():
        for role, client in clients.items():
            before = (await client.ok("meeting.sync", {"since": 10**9}))["version"]
            ack = await client.call(event, payload)
            if role in MATRIX[event]:
                assert ack["ok"] or ack["error"]["code"] != "forbidden", (event, role, ack)
            else:
                assert ack == {"ok": False, "error": ack["error"]} and ack["error"]["code"] == "forbidden", (
                    event,
                    role,
                )
                after = (await client.ok("meeting.sync", {"since": 10**9}))["version"]
                assert after == before, (event, role)
            checked += 1
    assert checked == len(PAYLOADS) * len(Role)
    for client in clients.values():
        await client.disconnect()
