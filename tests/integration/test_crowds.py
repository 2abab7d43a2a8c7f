"""A big room over real Socket.IO and Redis: past `crowd_above` joiners, members get the crowd view
(officers, the lobby, the removed, and counts), no event for each arrival, coalesced counts, and the
roster page by page; an officer arriving is still shown at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import msgpack
import pytest

from hub.config import Limits
from hub.demo import DEMO_MEETING_ID, sample
from hub.runtime import open_hub
from tests.client import MeetingClient, joined
from tests.conftest import NO_GRACE, RunningHub

CROWD_ABOVE = 5


@pytest.fixture
def limits() -> Limits:
    return Limits(events_rate="1000/second", crowd_above=CROWD_ABOVE, grace_seconds=NO_GRACE)


async def _links(hub_server: RunningHub, members: list[str]) -> dict[str, str]:
    async with open_hub(hub_server.settings) as hub:
        return {m: await hub.issue_link(m, DEMO_MEETING_ID, timedelta(hours=1)) for m in members}


async def test_a_big_room_gets_counts_and_pages_instead_of_everyone(hub_server: RunningHub) -> None:
    roles = {m["id"]: m["roles"] for m in sample()["members"]}
    everyone_else = [m for m, r in roles.items() if not {"chair", "secretary"} & set(r)]
    plain, absent = everyone_else[:30], everyone_else[30]
    links = await _links(hub_server, [*plain, absent])
    chair = await joined(hub_server, "m001")
    crowd = [MeetingClient(hub_server.url, links[m]) for m in plain]
    for client in crowd[: CROWD_ABOVE - 1]:
        await client.connect()
        await client.join()
    # Still small: the chair sees everyone.
    await chair.wait_until(lambda c: len(c.present()) == CROWD_ABOVE)
    assert not chair.crowd

    # The next joiner makes it big; the chair's client sees an event it cannot apply to a whole roster
    # only when one is shown, and syncs to the crowd view.
    for client in crowd[CROWD_ABOVE - 1 :]:
        await client.connect()
    sent_before = len(chair.events)
    await asyncio.gather(*(c.join() for c in crowd[CROWD_ABOVE - 1 :]))
    late = crowd[-1]
    assert late.crowd and late.meeting is not None
    assert set(late.meeting["participants"]) == {"m001"}
    # Joining checks nobody in: the quorum counts none of them yet.
    assert late.meeting["presence"]["present"] == 31 and late.meeting["quorum"]["present"] == 0
    # No event per arrival reached the room once it was big: only counts, coalesced.
    await chair.wait_until(
        lambda c: bool(c.presence_sends) and c.presence_sends[-1]["presence"]["present"] == 31
    )
    arrivals = [e for e in chair.events[sent_before:] if e["type"] == "participant.joined"]
    assert len(arrivals) <= 1, arrivals  # at most the one that made the room big, before it was
    assert len(chair.presence_sends) < 10
    assert chair.presence_sends[-1]["quorum"]["present"] == 0

    chair.catch_up(await chair.ok("meeting.sync", {"since": chair.version}))
    assert chair.crowd and set(chair.meeting or {}) >= {"participants", "presence"}
    assert set((chair.meeting or {})["participants"]) == {"m001"}

    # The roster, a page at a time, searchable; only for those in the meeting.
    outsider = MeetingClient(hub_server.url, links[absent])
    await outsider.connect()
    refused = await outsider.call("roster.page", {})
    assert not refused["ok"] and refused["error"]["code"] == "attendance.not_present"
    await outsider.disconnect()
    page = await late.ok("roster.page", {"limit": 10})
    assert page["total"] == 31 and len(page["participants"]) == 10
    names = [p["name"] for p in page["participants"]]
    assert names == sorted(names, key=str.casefold)
    everyone = [p["member_id"] for p in page["participants"]]
    while page["next"] is not None:
        page = await late.ok("roster.page", {"limit": 10, "after": page["next"]})
        everyone += [p["member_id"] for p in page["participants"]]
    assert sorted(everyone) == sorted(["m001", *plain])
    someone = next(m for m in sample()["members"] if m["id"] == plain[7])
    found = await chair.ok("roster.page", {"query": someone["name"].split()[-1].upper()})
    assert plain[7] in [p["member_id"] for p in found["participants"]]
    assert all("sessions" not in p and "gender" not in p for p in found["participants"])

    # An officer arriving is shown to everyone at once, as a patch on the crowd view.
    secretary = await joined(hub_server, "m007")
    await late.wait_until(lambda c: "m007" in (c.meeting or {}).get("participants", {}))
    assert late.gaps == 0

    # A member leaving is counted, not announced.
    version = late.version
    await crowd[0].ok("meeting.leave")
    await late.wait_until(lambda c: (c.meeting or {})["presence"]["present"] == 31)
    assert late.version == version and late.gaps == 0

    # A chair's command still reaches the crowd, applied after the last event shown.
    await chair.ok("agenda.add", {"title": "Any other business"})
    await late.wait_until(lambda c: any(i["title"] == "Any other business" for i in c.meeting["agenda"]))
    assert late.gaps == 0

    # What a joiner downloads does not grow with the room.
    reply = await crowd[0].call("meeting.join", {})
    assert reply["ok"] and reply["data"]["crowd"] and len(msgpack.packb(reply["data"])) < 8_000
    for client in [chair, secretary, *crowd]:
        await client.disconnect()


async def test_a_big_rooms_arrivals_are_committed_together_and_each_answered(hub_server: RunningHub) -> None:
    """Joins that reach a big room together are one change (hub/arrivals.py): the log holds every
    arrival once, and each joiner holds the meeting at or after it."""
    roles = {m["id"]: m["roles"] for m in sample()["members"]}
    plain = [m for m, r in roles.items() if not {"chair", "secretary"} & set(r)][:20]
    links = await _links(hub_server, plain)
    chair = await joined(hub_server, "m001")
    first = [MeetingClient(hub_server.url, links[m]) for m in plain[:CROWD_ABOVE]]
    for client in first:
        await client.connect()
        await client.join()
    storm = [MeetingClient(hub_server.url, links[m]) for m in plain[CROWD_ABOVE:]]
    for client in storm:
        await client.connect()
    before = chair.version
    replies = await asyncio.gather(*(c.call("meeting.join", {}) for c in storm))

    assert all(r["ok"] and r["data"]["crowd"] for r in replies)
    async with open_hub(hub_server.settings) as hub:
        logged = await hub.store.events_since(DEMO_MEETING_ID, before, 1000)
    assert logged is not None
    gathered = [e for e in logged if e["type"] == "participants.joined"]
    arrivals = [j["member_id"] for e in gathered for j in e["data"]["joined"]]
    arrivals += [e["data"]["member_id"] for e in logged if e["type"] == "participant.joined"]
    assert sorted(arrivals) == sorted(plain[CROWD_ABOVE:])
    # Several arrived in one change.
    assert any(len(e["data"]["joined"]) > 1 for e in gathered)
    for reply in replies:
        assert reply["data"]["version"] >= min(e["version"] for e in gathered)
    counts = (await chair.ok("meeting.sync", {"since": chair.version}))["meeting"]["presence"]
    assert counts["present"] == 1 + len(plain)  # the chair too
    for client in [chair, *first, *storm]:
        await client.disconnect()
