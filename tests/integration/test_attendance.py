"""Checking in and the grace period over real Socket.IO and a real Redis: a reconnect within the grace
period changes nothing, a longer absence is a departure, a dead node's members wait out the grace period
too, and a big room's counts stay exact."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from hub.config import Limits
from hub.meetings import Actor, join
from hub.models import Presence, Role
from hub.runtime import open_hub
from tests.client import MeetingClient, joined
from tests.conftest import RunningHub

CHAIR, MEMBER = "m001", "m002"
GRACE = 2.0


@pytest.fixture
def limits(request: pytest.FixtureRequest) -> Limits:
    return getattr(request, "param", Limits(events_rate="1000/second", grace_seconds=GRACE))


async def until_async(pending: Callable[[], Awaitable[list[Any]]], timeout: float) -> None:
    """Until `pending` finds nothing."""
    for _ in range(int(timeout * 10)):
        if not await pending():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("still pending")


def quorum(client: MeetingClient) -> int:
    assert client.meeting is not None
    return int(client.meeting["quorum"]["present"])


async def opened(hub: RunningHub) -> tuple[MeetingClient, MeetingClient]:
    chair, member = await joined(hub, CHAIR), await joined(hub, MEMBER)
    refused = await member.call("attendance.check_in", {})
    assert refused["error"]["code"] == "attendance.not_sitting"
    await chair.ok("meeting.set_status", {"status": "open"})
    # Opening checked the chair in; the member checks in for herself, once.
    assert (await member.ok("attendance.check_in", {}))["version"]
    assert await member.ok("attendance.check_in", {}) is None
    await chair.wait_until(lambda c: quorum(c) == 2)
    return chair, member


async def test_a_reconnect_within_the_grace_period_changes_nothing(hub_server: RunningHub) -> None:
    chair, member = await opened(hub_server)
    await member.disconnect()
    await chair.wait_until(lambda c: c.meeting["participants"][MEMBER]["away_since"] is not None)  # type: ignore[index]
    assert quorum(chair) == 2 and MEMBER in chair.present()
    back = await joined(hub_server, MEMBER)
    await chair.wait_until(lambda c: c.meeting["participants"][MEMBER]["away_since"] is None)  # type: ignore[index]
    # Once the node has looked at the drop after its grace period (and settled it): no departure.
    async with open_hub(hub_server.settings) as hub:
        await until_async(lambda: hub.store.away_since(time.time() + 3600), timeout=GRACE + 5)
    assert quorum(chair) == 2
    assert not [e for e in chair.events if e["type"] == "attendance.departed"]
    assert back.meeting is not None and back.meeting["participants"][MEMBER]["attended"]
    await asyncio.gather(chair.disconnect(), back.disconnect())


async def test_after_the_grace_period_the_member_has_gone_and_the_register_says_so(
    hub_server: RunningHub,
) -> None:
    chair, member = await opened(hub_server)
    await member.disconnect()
    await chair.wait_until(lambda c: quorum(c) == 1, timeout=GRACE + 5)
    departed = [e for e in chair.events if e["type"] == "attendance.departed"]
    assert [e["data"]["member_ids"] for e in departed] == [[MEMBER]]
    assert MEMBER not in chair.present()
    back = await joined(hub_server, MEMBER)
    await chair.wait_until(lambda c: quorum(c) == 2)
    assert chair.events[-1]["data"].get("returned") is True
    # A deliberate leave goes at once.
    await back.ok("meeting.leave")
    await chair.wait_until(lambda c: quorum(c) == 1)
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        reply = await http.get(
            f"/register/{hub_server.meeting_id}.csv", params={"token": hub_server.links[CHAIR]}
        )
    rows = {line.split(",")[0]: line.split(",") for line in reply.text.splitlines()[1:]}
    checked_in, left, returned = rows[MEMBER][3:6]
    assert checked_in and len(left.split("; ")) == 2 and returned
    await asyncio.gather(chair.disconnect(), back.disconnect())


async def test_a_dead_nodes_members_wait_out_the_grace_period(hub_server: RunningHub) -> None:
    chair, _ = await opened(hub_server)
    # A member whose only connection was held by a node that died (its sessions are named after it).
    ghost = Actor(member_id="m003", name="Ghost", role=Role.MEMBER, session="dead:1/x")
    async with open_hub(hub_server.settings) as hub:
        await hub.execute(hub_server.meeting_id, ghost, lambda m, now: join(m, ghost, now))
        assert await hub.sweep("dead:1") == 1
        _, meeting = await hub.meeting(hub_server.meeting_id)
        swept = meeting.participants["m003"]
        assert swept.present and swept.sessions == [] and swept.away_since is not None
        # The serving node, which never held them, decides their departure once the grace period is over.
        await chair.wait_until(
            lambda c: any(
                e["type"] == "attendance.departed" and e["data"]["member_ids"] == ["m003"] for e in c.events
            ),
            timeout=GRACE + 5,
        )
        _, meeting = await hub.meeting(hub_server.meeting_id)
        assert not meeting.participants["m003"].present
    await chair.disconnect()


# Past the crowd threshold joins and leaves commute (commute.lua), check-ins too: the counts must agree.
@pytest.mark.parametrize(
    "limits", [Limits(events_rate="1000/second", grace_seconds=GRACE, crowd_above=3)], indirect=True
)
async def test_counts_stay_exact_in_a_big_room(hub_server: RunningHub) -> None:
    async with open_hub(hub_server.settings) as hub:
        branch = await hub.branch("intl")
        ids = sorted(m for m, role in branch.roles.items() if role == Role.MEMBER)[:8]
        links = [await hub.issue_link(m, hub_server.meeting_id, timedelta(hours=1)) for m in ids]
    chair = await joined(hub_server, CHAIR)
    await chair.ok("meeting.set_status", {"status": "open"})
    members = [MeetingClient(hub_server.url, link) for link in links]
    for client in members:
        await client.connect()
        await client.join()
    await asyncio.gather(*(m.ok("attendance.check_in", {}) for m in members))
    # Three drop; one comes back within the grace period, two do not.
    await asyncio.gather(*(m.disconnect() for m in members[:3]))
    back = MeetingClient(hub_server.url, links[0])
    await back.connect()
    await back.join()
    await chair.wait_until(lambda c: quorum(c) == 1 + 6, timeout=GRACE + 5)
    async with open_hub(hub_server.settings) as hub:
        _, meeting = await hub.meeting(hub_server.meeting_id)
    assert meeting.presence == Presence.of(meeting.participants)
    assert meeting.quorum.present == 1 + 6 and meeting.presence.attended == 1 + 8
    assert chair.crowd
    await asyncio.gather(*(c.disconnect() for c in [chair, *members[3:], back]))
