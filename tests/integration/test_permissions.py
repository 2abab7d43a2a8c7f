"""Walk the whole permission matrix over Socket.IO: every event, every role. A role the matrix does
not allow gets `forbidden` and changes nothing; an allowed role is never refused as forbidden."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.config import Limits
from hub.events import EVENTS
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


def test_every_event_declares_a_well_formed_example() -> None:
    """The walk sends each event's declared example, so that only the role decides."""
    for declared in EVENTS.values():
        declared.payload.model_validate(declared.example)
    assert MATRIX.keys() == EVENTS.keys()


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
    for event, declared in EVENTS.items():
        payload = dict(declared.example)
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
    assert checked == len(EVENTS) * len(Role)
    for client in clients.values():
        await client.disconnect()
