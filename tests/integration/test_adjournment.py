"""Adjournment to a stated time on real Redis: the meeting resumes at its time exactly once, however
many nodes (and rivals) try; business or a join after the time resumes it when no timer did (a
restart); and the chair's projector link watches the meeting, counts for nothing and sends nothing."""

from __future__ import annotations

import asyncio
import functools
import signal
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import socketio

from hub import meetings, votes
from hub.commands import SpeakerRequest, VoteClose
from hub.config import Limits
from hub.errors import HubError
from hub.events import EVENTS
from hub.meetings import Actor, Change
from hub.models import Meeting
from hub.runtime import open_hub
from signalling.gateway import Gateway
from tests.client import MeetingClient
from tests.conftest import HubProcess, RunningHub, free_port, hub_env, serving

CHAIR = "m001"
MEMBERS = ["m002", "m007", "m025"]


@pytest.fixture
def limits() -> Limits:
    return Limits(events_rate="1000/second")


async def seated(url: str, token: str) -> MeetingClient:
    client = MeetingClient(url, token)
    await client.connect()
    await client.join()
    return client


def resumed_count(client: MeetingClient) -> int:
    return sum(1 for e in client.events if e["type"] == "meeting.resumed")


async def sitting(chair: MeetingClient, members: list[MeetingClient]) -> None:
    """In session on item a5, quorate with those here, a member waiting to speak."""
    await chair.ok("meeting.set_standing_orders", {"standing_orders": {"quorum": {"value": 2}}})
    await chair.ok("meeting.set_status", {"status": "open"})
    for client in (chair, *members):
        await client.ok("attendance.check_in")
    await chair.ok("meeting.set_status", {"status": "in_session"})
    await chair.ok("agenda.select", {"item_id": "a5"})
    await members[1].ok("speaker.request", {})


async def adjourn(chair: MeetingClient, members: list[MeetingClient], until: datetime) -> None:
    """An adjournment to `until`, moved, seconded, put and carried."""
    moved = await members[0].ok("motion.procedural", {"procedure": "adjourn", "until": until.isoformat()})
    await members[1].ok("motion.second", {"motion_id": moved["motion_id"]})
    subject = {"kind": "procedural", "motion_id": moved["motion_id"]}
    opened = await chair.ok("vote.open", {"subject": subject})
    for client in members:
        await client.ok("vote.cast", {"vote_id": opened["vote_id"], "choice": "for"})
    closed = await chair.ok("vote.close", {"vote_id": opened["vote_id"]})
    assert closed["result"]["outcome"] == "carried"


async def server_time(client: MeetingClient) -> datetime:
    reply = await client.ok("meeting.join", {})
    return datetime.fromisoformat(reply["server_time"])


@pytest.fixture
async def other_node(hub_server: RunningHub, tmp_path: Path) -> AsyncIterator[HubProcess]:
    """`hub serve` as a process of its own on the same Redis."""
    process = HubProcess(
        tmp_path,
        free_port(),
        "--redis-url",
        hub_server.settings.redis_url or "",
        env=hub_env(HUB_SECRET=hub_server.settings.secret or ""),
    )
    await process.start()
    yield process
    assert process.process is not None
    if process.process.poll() is None:
        process.stop(signal.SIGKILL)


async def test_two_nodes_and_a_rival_resume_the_meeting_once_at_its_time(
    hub_server: RunningHub, other_node: HubProcess
) -> None:
    links = hub_server.links
    chair = await seated(hub_server.url, links[CHAIR])
    # Members on both processes: each node has the meeting's connections, so each sets a timer.
    members = [
        await seated(url, links[m])
        for url, m in zip([other_node.url, hub_server.url, other_node.url], MEMBERS, strict=True)
    ]
    await sitting(chair, members)
    until = await server_time(chair) + timedelta(seconds=7)
    await adjourn(chair, members, until)
    await chair.wait_until(lambda c: c.meeting is not None and c.meeting["adjourned_until"] is not None)
    assert chair.meeting is not None
    queue_before = chair.meeting["agenda"][4]["queue"]
    assert [e["member_id"] for e in queue_before] == ["m007"]
    refused = await members[0].call("speaker.request", {})
    assert refused["error"]["code"] == "meeting.adjourned"
    assert datetime.fromisoformat(refused["error"]["details"]["until"]) == until

    # A rival on a third hub: five resumptions of its own asked at the very time, beside the nodes'.
    async with open_hub(hub_server.settings) as rival:
        await asyncio.sleep(max(0.0, (until - rival.clock()).total_seconds()))
        raced = await asyncio.gather(*(rival.resume_due(hub_server.meeting_id) for _ in range(5)))
        log = await rival.store.event_log(hub_server.meeting_id)
    for client in (chair, *members):
        await client.wait_until(lambda c: c.meeting is not None and c.meeting["adjourned_until"] is None, 10)
    resumptions = [e for e in log if e["type"] == "meeting.resumed"]
    assert len(resumptions) == 1, resumptions
    assert sum(e is not None for e in raced) <= 1
    assert resumptions[0]["actor"] == "hub" and resumptions[0]["data"]["early"] is False
    assert datetime.fromisoformat(resumptions[0]["at"]) >= until
    # It resumed where it was: the item, its speaker, its clock running again.
    state = chair.meeting
    assert state is not None and state["current_item"] == "a5" and state["status"] == "in_session"
    assert state["agenda"][4]["queue"] == queue_before and state["agenda"][4]["opened_at"] is not None
    await members[0].ok("speaker.request", {})
    await asyncio.sleep(0.5)  # a late timer on either node would show as a second event by now
    assert all(resumed_count(c) == 1 for c in (chair, *members))
    for client in (chair, *members):
        await client.disconnect()


async def test_the_chair_resumes_early_and_the_minutes_say_so(hub_server: RunningHub) -> None:
    chair = await seated(hub_server.url, hub_server.links[CHAIR])
    members = [await seated(hub_server.url, hub_server.links[m]) for m in MEMBERS]
    await sitting(chair, members)
    until = await server_time(chair) + timedelta(hours=3)
    await adjourn(chair, members, until)
    assert (await members[0].call("meeting.resume", {}))["error"]["code"] == "forbidden"
    resumed = await chair.ok("meeting.resume", {})
    assert resumed["version"] > 0
    assert await chair.ok("meeting.resume", {}) is None
    await chair.ok("minutes.draft", {})
    text = (await chair.ok("minutes.get", {}))["text"]
    assert "The meeting was adjourned until" in text and "The chair resumed the meeting at" in text
    for client in (chair, *members):
        await client.disconnect()


def _join(meeting: Meeting, now: datetime, actor: Actor) -> Change | None:
    return meetings.join(meeting, actor, now)


async def test_business_after_the_time_resumes_the_meeting_first(hub_server: RunningHub) -> None:
    """Adjourned by a hub that sets no timers (no gateway), and nobody connected to a node: the first
    business after the time resumes the meeting, then is done."""
    meeting_id = hub_server.meeting_id

    def actor(member_id: str) -> Actor:
        member, role = hub_server.members[member_id]
        return Actor(member_id=member.id, name=member.name, role=role, session=f"test/{member_id}")

    chair, mover, seconder = actor(CHAIR), actor("m002"), actor("m007")
    async with open_hub(hub_server.settings) as hub:

        async def run(who: Actor, name: str, payload: dict[str, Any] | None = None) -> Any:
            rule, command = EVENTS[name].rule, EVENTS[name].payload(**(payload or {}))
            assert rule is not None
            event = await hub.execute(meeting_id, who, lambda m, now: rule(m, command, who, now))
            return event

        for who in (chair, mover, seconder):
            await hub.execute(meeting_id, who, functools.partial(_join, actor=who))
        await run(chair, "meeting.set_standing_orders", {"standing_orders": {"quorum": {"value": 2}}})
        await run(chair, "meeting.set_status", {"status": "open"})
        for who in (chair, mover, seconder):
            await run(who, "attendance.check_in")
        await run(chair, "meeting.set_status", {"status": "in_session"})
        await run(chair, "agenda.select", {"item_id": "a5"})
        until = hub.clock() + timedelta(seconds=1)
        moved = await run(mover, "motion.procedural", {"procedure": "adjourn", "until": until})
        await run(seconder, "motion.second", {"motion_id": moved.data["motion_id"]})
        subject = {"kind": "procedural", "motion_id": moved.data["motion_id"]}
        opened = await run(chair, "vote.open", {"subject": subject})
        close = VoteClose(vote_id=opened.data["vote_id"])
        await hub.execute(meeting_id, chair, lambda m, now: votes.close(m, close, {"for": 3}, chair, now))
        assert (await hub.current(meeting_id)).meeting.adjourned_until == until

        gateway = Gateway(socketio.AsyncServer(), hub, Limits())
        request = SpeakerRequest()
        with pytest.raises(HubError) as early:
            await gateway.apply(meeting_id, seconder, "speaker.request", request)
        assert early.value.code == "meeting.adjourned"
        await asyncio.sleep(max(0.0, (until - hub.clock()).total_seconds()))
        done = await gateway.apply(meeting_id, seconder, "speaker.request", request)
        assert done is not None and "entry_id" in done
        log = await hub.store.event_log(meeting_id)
        await gateway.broadcast.stop()
    kinds = [e["type"] for e in log]
    assert kinds[-2:] == ["meeting.resumed", "speaker.queued"]
    assert kinds.count("meeting.resumed") == 1


async def test_a_meeting_adjourned_across_a_restart_resumes_once(hub_server: RunningHub) -> None:
    """The node that adjourned the meeting stops before its time; after the time another starts and
    the meeting resumes, once, whoever comes back first."""
    settings = replace(hub_server.settings, port=free_port())
    async with serving(settings) as url:
        chair = await seated(url, hub_server.links[CHAIR])
        members = [await seated(url, hub_server.links[m]) for m in MEMBERS]
        await sitting(chair, members)
        until = await server_time(chair) + timedelta(seconds=2)
        await adjourn(chair, members, until)
        for client in (chair, *members):
            await client.disconnect()
    # The serving node is gone with its timer; the hub_server node never heard of the adjournment.
    async with open_hub(hub_server.settings) as hub:
        await asyncio.sleep(max(0.0, (until - hub.clock()).total_seconds()) + 0.2)
        assert (await hub.current(hub_server.meeting_id)).meeting.adjourned_until == until
    async with serving(replace(hub_server.settings, port=free_port())) as url:
        back = await seated(url, hub_server.links["m002"])
        assert back.meeting is not None and back.meeting["adjourned_until"] is None
        again = await seated(hub_server.url, hub_server.links["m007"])
        assert again.meeting is not None and again.meeting["adjourned_until"] is None
        async with open_hub(hub_server.settings) as hub:
            log = await hub.store.event_log(hub_server.meeting_id)
        assert [e["type"] for e in log].count("meeting.resumed") == 1
        await back.disconnect()
        await again.disconnect()


async def test_a_projector_link_watches_and_can_do_nothing(hub_server: RunningHub) -> None:
    chair = MeetingClient(hub_server.url, hub_server.links[CHAIR])
    await chair.connect()
    joined: dict[str, Any] = await chair.ok("meeting.join", {})
    chair.catch_up(joined)
    link = joined["you"]["projector"]
    assert link.startswith("/join/") and link.endswith("?view=projector")
    token = link.removeprefix("/join/").removesuffix("?view=projector")
    member = await seated(hub_server.url, hub_server.links["m002"])
    # Only those in the chair are given it.
    assert (await member.ok("meeting.join", {}))["you"]["projector"] is None
    await chair.wait_until(lambda c: "m002" in c.present())
    assert chair.meeting is not None
    before = dict(chair.meeting["presence"])

    screen = MeetingClient(hub_server.url, token)
    await screen.connect()
    watching = await screen.ok("meeting.join", {})
    assert watching["projector"] is True and watching["you"] is None
    screen.catch_up(watching)
    # Nobody joined: no participant, no count.
    assert screen.meeting is not None and screen.meeting["presence"] == before
    assert not any(p.startswith("projector") for p in screen.meeting["participants"])
    for name, declared in EVENTS.items():
        if name in ("meeting.join", "meeting.sync"):
            continue
        refused = await screen.call(name, dict(declared.example))
        assert refused["error"]["code"] == "forbidden", (name, refused)
    # It hears the meeting's news like everyone else, and may catch up.
    await chair.ok("meeting.set_status", {"status": "open"})
    await screen.wait_until(lambda c: c.meeting is not None and c.meeting["status"] == "open")
    assert (await screen.ok("meeting.sync", {"since": screen.version}))["events"] == []
    assert screen.meeting["presence"] == chair.meeting["presence"]
    # Not a join link anywhere else (the published minutes), and over once the meeting closes.
    await chair.ok("meeting.set_status", {"status": "closed"})
    late = MeetingClient(hub_server.url, token)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await late.connect()
    for client in (chair, member, screen):
        await client.disconnect()
