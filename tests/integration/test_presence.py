"""Joining, leaving, reconnecting and resyncing over real Socket.IO against a real Redis."""

from __future__ import annotations

import asyncio

import redis.asyncio as redis

from tests.client import MeetingClient, joined
from tests.conftest import RunningHub

CHAIR, MEMBER, OTHER = "m001", "m002", "m025"


async def test_join_sends_snapshot_and_broadcasts_arrival(hub_server: RunningHub) -> None:
    chair = await joined(hub_server, CHAIR)
    assert chair.meeting is not None
    assert chair.meeting["title"] == "Annual General Meeting"
    assert chair.meeting["starts_at"] == "2027-03-13T13:00:00Z"
    assert chair.meeting["time_zone"] == "Europe/London"
    assert chair.present() == {CHAIR}
    assert chair.meeting["participants"][CHAIR]["role"] == "chair"
    assert "sessions" not in chair.meeting["participants"][CHAIR]
    # The join reply says which events this role may send, straight from the permission matrix.
    again = await chair.ok("meeting.join", {"since": chair.version})
    assert "vote.open" in again["you"]["may"] and "meeting.join" in again["you"]["may"]
    # What a closed meeting refuses of it, so the page offers none of it then.
    assert "vote.open" in again["you"]["business"] and "meeting.join" not in again["you"]["business"]
    # And who the member is: their name and their own branch (the chair is in Berlin).
    assert (again["you"]["name"], again["you"]["branch"]) == ("Eleni Adeyemi", "Berlin")

    member = await joined(hub_server, MEMBER)
    await chair.wait_until(lambda c: c.present() == {CHAIR, MEMBER})
    assert chair.events[-1]["type"] == "participant.joined"
    assert chair.events[-1]["data"]["member_id"] == MEMBER
    assert member.meeting == chair.meeting and member.version == chair.version

    await member.disconnect()
    await chair.wait_until(lambda c: c.present() == {CHAIR})
    # A drop: away for the grace period (none in these tests), then gone.
    assert [e["type"] for e in chair.events[-2:]] == ["participant.left", "attendance.departed"]
    assert chair.meeting["participants"][MEMBER]["present"] is False
    await chair.disconnect()


async def test_repeated_join_on_one_connection_changes_nothing(hub_server: RunningHub) -> None:
    chair = await joined(hub_server, CHAIR)
    version = chair.version
    await chair.join()
    await chair.join()
    assert chair.version == version
    await chair.disconnect()


async def test_two_concurrent_joins_of_one_member_leave_one_participant(
    hub_server: RunningHub,
) -> None:
    watcher = await joined(hub_server, CHAIR)
    first = MeetingClient(hub_server.url, hub_server.links[MEMBER])
    second = MeetingClient(hub_server.url, hub_server.links[MEMBER])
    await asyncio.gather(first.connect(), second.connect())
    await asyncio.gather(first.join(), second.join())
    for client in (watcher, first, second):
        await client.wait_until(lambda c: c.version == watcher.version and c.present() == {CHAIR, MEMBER})
    assert watcher.meeting is not None
    assert list(watcher.meeting["participants"]).count(MEMBER) == 1
    assert first.meeting == second.meeting == watcher.meeting

    # One of the two tabs closes: the member is still here.
    await first.disconnect()
    await watcher.wait_until(lambda c: c.events[-1]["type"] == "participant.left")
    assert watcher.present() == {CHAIR, MEMBER}
    await second.disconnect()
    await watcher.wait_until(lambda c: c.present() == {CHAIR})
    await watcher.disconnect()


async def test_reconnect_receives_missed_events_and_converges(hub_server: RunningHub) -> None:
    chair = await joined(hub_server, CHAIR)
    member = await joined(hub_server, MEMBER)
    await member.disconnect()
    missed_from = member.version
    await chair.wait_until(lambda c: any(e["type"] == "attendance.departed" for e in c.events))

    other = await joined(hub_server, OTHER)
    assert (await chair.ok("meeting.set_status", {"status": "open"})) is not None

    # The member comes back on a new connection holding the old version.
    back = MeetingClient(hub_server.url, hub_server.links[MEMBER])
    back.meeting, back.version = member.meeting, member.version
    await back.connect()
    back.early = []
    reply = await back.ok("meeting.join", {"since": missed_from})
    assert "events" in reply and "meeting" not in reply
    assert [e["type"] for e in reply["events"]][:4] == [
        "participant.left",
        "attendance.departed",
        "participant.joined",
        "meeting.status_changed",
    ]
    back.catch_up(reply)
    for client in (chair, other, back):
        await client.wait_until(lambda c: c.version == back.version)
    assert back.meeting == chair.meeting == other.meeting
    assert back.meeting is not None and back.meeting["status"] == "open"
    assert back.gaps == 0
    for client in (chair, other, back):
        await client.disconnect()


async def test_reconnect_after_too_many_events_gets_a_snapshot(hub_server: RunningHub) -> None:
    chair = await joined(hub_server, CHAIR)
    stale = chair.version
    for _ in range(3):
        other = await joined(hub_server, OTHER)
        await other.disconnect()
    limit = hub_server.settings.limits.replay_events
    assert chair.version - stale < limit
    reply = await chair.ok("meeting.sync", {"since": stale})
    assert "events" in reply

    # A version the server never had (data reset) also gets a snapshot. Let the last leave land first,
    # or the snapshot may be one version behind what the chair is about to hear.
    def all_left(c: MeetingClient) -> bool:
        return sum(e["type"] == "participant.left" for e in c.events) == 3 and OTHER not in c.present()

    await chair.wait_until(all_left)
    reply = await chair.ok("meeting.sync", {"since": chair.version + 1000})
    assert reply["meeting"]["title"] == "Annual General Meeting"
    await chair.wait_until(lambda c: c.version == reply["version"])
    assert reply["meeting"] == chair.meeting
    await chair.disconnect()


async def test_state_and_log_live_in_redis(hub_server: RunningHub) -> None:
    chair = await joined(hub_server, CHAIR)
    client = redis.Redis.from_url(hub_server.settings.redis_url or "")
    key = f"hub:{{m:{hub_server.meeting_id}}}"
    assert int(await client.hget(f"{key}:state", "version") or 0) == chair.version
    assert await client.xlen(f"{key}:events") == chair.version
    await client.aclose()
    await chair.disconnect()
