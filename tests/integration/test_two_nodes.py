"""Two hub processes' worth of apps share one Redis: members on different nodes see each other live."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from tests.client import MeetingClient
from tests.conftest import RunningHub, free_port, serving


@pytest.fixture
async def second_node(hub_server: RunningHub) -> AsyncIterator[str]:
    async with serving(replace(hub_server.settings, port=free_port())) as url:
        yield url


async def test_members_on_two_nodes_see_each_other(hub_server: RunningHub, second_node: str) -> None:
    chair = MeetingClient(hub_server.url, hub_server.links["m001"])
    member = MeetingClient(second_node, hub_server.links["m002"])
    await chair.connect()
    await chair.join()
    await member.connect()
    await member.join()
    await chair.wait_until(lambda c: c.present() == {"m001", "m002"})
    await chair.ok("meeting.set_status", {"status": "open"})
    await member.wait_until(lambda c: c.meeting is not None and c.meeting["status"] == "open")
    assert member.meeting == chair.meeting and member.version == chair.version
    await member.disconnect()
    await chair.wait_until(lambda c: c.present() == {"m001"})
    await chair.disconnect()
