"""Walk the whole permission matrix over Socket.IO: every event, every role. A role the matrix does
not allow gets `forbidden` and changes nothing; an allowed role is never refused as forbidden. And the
routes that take a join link: who may export the register."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from hub.config import Limits
from hub.events import EVENTS
from hub.models import OFFICER_ROLES, Member, Role
from hub.permissions import MATRIX
from hub.runtime import open_hub
from tests.client import MeetingClient
from tests.conftest import RunningHub
from tests.integration.test_votes import close_all, seat

# A member of the demo branch for each role (the admin, observer, treasurer and officer are appointed
# below).
AS_ROLE = {
    Role.CHAIR: "m001",
    Role.SECRETARY: "m007",
    Role.MEMBER: "m002",
    Role.ADMIN: "m025",
    Role.OBSERVER: "m031",
    Role.TREASURER: "m012",
    Role.OFFICER: "m016",
}
APPOINTED = (Role.ADMIN, Role.OBSERVER, Role.TREASURER, Role.OFFICER)


def test_every_event_declares_a_well_formed_example() -> None:
    """The walk sends each event's declared example, so that only the role decides."""
    for declared in EVENTS.values():
        declared.payload.model_validate(declared.example)
    assert MATRIX.keys() == EVENTS.keys()


@pytest.fixture
def limits() -> Limits:
    return Limits(events_rate="1000/second")


async def links_by_role(hub_server: RunningHub) -> dict[Role, str]:
    """A join link to the demo meeting for a member in each role (an admin and an observer added)."""
    async with open_hub(hub_server.settings) as hub:
        branch = await hub.branch("intl")
        branch.roles.update({AS_ROLE[role]: role for role in APPOINTED})
        await hub.save_branch(branch)
        return {
            role: await hub.issue_link(m, hub_server.meeting_id, timedelta(hours=1))
            for role, m in AS_ROLE.items()
        }


async def test_the_matrix_is_enforced_for_every_event_and_role(hub_server: RunningHub) -> None:
    links = await links_by_role(hub_server)
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


async def test_the_register_is_exported_to_the_meetings_officers_only(hub_server: RunningHub) -> None:
    """`/register/ID.csv` is for the chair, the secretary and an admin of that meeting, by their link."""
    links = await links_by_role(hub_server)
    path = f"/register/{hub_server.meeting_id}.csv"
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        for role, token in links.items():
            reply = await http.get(path, params={"token": token})
            if role in OFFICER_ROLES:
                assert reply.status_code == 200, role
                assert reply.headers["content-type"].startswith("text/csv")
                assert reply.text.startswith("member,name,role,checked in at")
            else:
                assert reply.status_code == 403, role
        # A link for this meeting opens no other's register.
        assert (await http.get("/register/other.csv", params={"token": links[Role.CHAIR]})).status_code == 403
        assert (await http.get(path)).status_code == 403


async def test_a_ranked_polls_ballots_are_published_to_everyone_invited_once_it_closes(
    hub_server: RunningHub,
) -> None:
    """`/ballots/ID/VOTE.blt` is for anyone invited to the meeting, observers too, by their link; only
    for a ranked poll, and only once it has closed."""
    chair, members = await seat(hub_server, 6)
    ask = {"question": "Delegates", "options": ["Ana", "Ben", "Cy"], "method": "ranked", "choose": 2}
    vote_id = (await chair.ok("vote.ask", ask))["vote_id"]
    for member, ranking in zip(members, [["o1", "o2"], ["o2"], ["o3", "o1", "o2"], ["o1"]], strict=False):
        await member.ok("vote.cast", {"vote_id": vote_id, "choices": ranking})
    async with open_hub(hub_server.settings) as hub:
        await hub.save_member(Member(id="watcher", name="Watcher"))
        branch = await hub.branch("big")
        branch.roles["watcher"] = Role.OBSERVER
        await hub.save_branch(branch)
        observer = await hub.issue_link("watcher", "vote", timedelta(hours=1))
    path = f"/ballots/vote/{vote_id}.blt"
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        assert (await http.get(path, params={"token": chair.token})).status_code == 409
        await chair.ok("vote.close", {"vote_id": vote_id})
        for token in (chair.token, members[5].token, observer):
            reply = await http.get(path, params={"token": token})
            assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/plain")
            assert reply.text.startswith("3 2\n") and '"Ana"\n"Ben"\n"Cy"\n"Delegates"' in reply.text
        # Another branch's link, a forged one, none; a vote that is not there, or not ranked.
        for token in (hub_server.links["m002"], "forged", ""):
            assert (await http.get(path, params={"token": token})).status_code == 403
        assert (await http.get("/ballots/vote/v99.blt", params={"token": chair.token})).status_code == 404
        submitted = await members[0].ok("motion.submit", {"title": "T", "text": "We want."})
        await members[1].ok("motion.second", {"motion_id": submitted["motion_id"]})
        subject = {"kind": "motion", "motion_id": submitted["motion_id"]}
        hands = (await chair.ok("vote.open", {"subject": subject}))["vote_id"]
        await chair.ok("vote.close", {"vote_id": hands})
        assert (
            await http.get(f"/ballots/vote/{hands}.blt", params={"token": chair.token})
        ).status_code == 404
    await close_all([chair, *members])


async def test_a_members_livestream_is_watched_by_everyone_invited_and_a_public_one_by_anyone(
    hub_server: RunningHub,
) -> None:
    """`/api/live/ID` and `/live/ID/index.m3u8`: with the livestream for members, every role invited to the
    meeting may watch by their link (observers too) and nobody without one; made public, anyone may.
    Only officers start it (the matrix above)."""
    links = await links_by_role(hub_server)
    chair = MeetingClient(hub_server.url, links[Role.CHAIR])
    await chair.connect()
    await chair.join()
    await chair.ok("livestream.set", {"audience": "members"})
    status, playlist = f"/api/live/{hub_server.meeting_id}", f"/live/{hub_server.meeting_id}/index.m3u8"
    # The viewer page's heartbeat is checked as watching is: then refused, as nothing is live.
    seen, beat = f"/api/live/{hub_server.meeting_id}/seen", {"viewer": "v" * 16}
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        for role, token in links.items():
            assert (await http.get(status, params={"token": token})).status_code == 200, role
            # Not live: nothing to play, for anyone.
            assert (await http.get(playlist, params={"token": token})).status_code == 404, role
            assert (await http.post(seen, params={"token": token}, json=beat)).status_code == 404, role
        for path in (status, playlist):
            assert (await http.get(path)).status_code == 403
            assert (await http.get(path, params={"token": "forged"})).status_code == 403
        assert (await http.post(seen, json=beat)).status_code == 403
        assert (await http.post(seen, params={"token": "forged"}, json=beat)).status_code == 403
        await chair.ok("livestream.set", {"audience": "public"})
        assert (await http.get(status)).status_code == 200
        assert (await http.post(seen, json=beat)).status_code == 404
    await chair.disconnect()
