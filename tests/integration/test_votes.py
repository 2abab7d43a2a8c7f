"""Votes over real Socket.IO against a real Redis: one ballot per member under concurrent retries,
secret ballots with receipts, and an exact tally on every client when many vote at once."""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgpack
import pytest
import redis.asyncio as redis

from hub.config import Limits
from hub.models import Branch, Meeting, Member, Role
from hub.rankings import Ballot, Profile
from hub.runtime import open_hub
from hub.stv import count
from tests.client import MeetingClient, all_reach
from tests.conftest import NO_GRACE, HubProcess, RunningHub, free_port, hub_env


@pytest.fixture
def limits() -> Limits:
    # These tests are about counting under concurrency, not about flood protection.
    return Limits(events_rate="1000/second", grace_seconds=NO_GRACE)


async def seat(
    hub: RunningHub, count: int, url: str | None = None
) -> tuple[MeetingClient, list[MeetingClient]]:
    """A meeting of its own with a chair and `count` members, all joined."""
    async with open_hub(hub.settings) as service:
        roles = {"chair": Role.CHAIR} | {f"v{n:04}": Role.MEMBER for n in range(count)}
        for member_id in roles:
            await service.save_member(Member(id=member_id, name=f"Voter {member_id}"))
        await service.save_branch(Branch(id="big", name="Big branch", roles=roles))
        await service.create_meeting(
            Meeting(id="vote", branch_id="big", title="Vote", starts_at=datetime.now(UTC), time_zone="UTC")
        )
        tokens = {m: await service.issue_link(m, "vote", timedelta(hours=1)) for m in roles}
    chair = MeetingClient(url or hub.url, tokens["chair"])
    members = [MeetingClient(url or hub.url, tokens[f"v{n:04}"]) for n in range(count)]
    everyone = [chair, *members]
    for batch in range(0, len(everyone), 100):
        await asyncio.gather(*(c.connect() for c in everyone[batch : batch + 100]))
    # Every arrival goes to everyone already in the room, so hundreds of clients in this one process
    # fall behind a single burst of joins, long enough to miss the server's heartbeat on a busy machine.
    # Joining in batches, each taken in by everyone before the next, keeps that backlog short.
    for batch in range(0, len(everyone), 50):
        await asyncio.gather(*(c.join(timeout=60) for c in everyone[batch : batch + 50]))
        seated = everyone[: batch + 50]
        # Past `crowd_above` joins are told only as counts, which every client follows.
        count = len(seated)
        await asyncio.gather(
            *(c.wait_until(lambda c, count=count: _joined(c) >= count, timeout=60) for c in seated)
        )
    # Quorum counts those checked in: the chair opens the meeting (which checks the chair in) and every
    # member checks in, in batches like the joins.
    await chair.ok("meeting.set_status", {"status": "open"}, timeout=60)
    for batch in range(0, len(members), 50):
        await asyncio.gather(
            *(c.ok("attendance.check_in", {}, timeout=60) for c in members[batch : batch + 50])
        )
    return chair, members


def _joined(client: MeetingClient) -> int:
    return int(client.meeting["presence"]["joined"]) if client.meeting else 0


# The ways a motion is put, as `vote.open` takes them.
HOW: dict[str, dict[str, Any]] = {"hands": {}, "secret": {"secrecy": "secret"}, "card": {"weights": True}}


async def put_motion(chair: MeetingClient, members: list[MeetingClient], method: str = "hands") -> str:
    # Generous timeouts: with hundreds of clients in this process, acks queue behind broadcasts.
    submit = {"title": "Votes for life", "text": "We want votes for life."}
    # The reply names the motion it created.
    motion_id = (await members[0].ok("motion.submit", submit, timeout=60))["motion_id"]
    await chair.wait_until(lambda c: bool(c.meeting and c.meeting["motions"]), timeout=60)
    assert chair.meeting["motions"][0]["id"] == motion_id  # type: ignore[index]
    await members[1].ok("motion.second", {"motion_id": motion_id}, timeout=60)
    subject = {"kind": "motion", "motion_id": motion_id}
    reply = await chair.ok("vote.open", {"subject": subject, **HOW[method]}, timeout=60)
    return str(reply["vote_id"])


async def close_all(clients: list[MeetingClient]) -> None:
    await asyncio.gather(*(c.disconnect() for c in clients))


async def test_fifty_concurrent_casts_of_one_ballot_leave_one_ballot(hub_server: RunningHub) -> None:
    chair, members = await seat(hub_server, 10)
    vote_id = await put_motion(chair, members)
    voter = members[2]
    acks = await asyncio.gather(
        *(voter.call("vote.cast", {"vote_id": vote_id, "choice": "for"}) for _ in range(50))
    )
    assert all(a["ok"] for a in acks), acks[0]
    assert {a["data"]["cast"] for a in acks} == {1}
    # A second connection of the same member, racing too.
    twin = MeetingClient(hub_server.url, voter.token)
    await twin.connect()
    acks = await asyncio.gather(
        *(twin.call("vote.cast", {"vote_id": vote_id, "choice": "for"}) for _ in range(20))
    )
    assert all(a["ok"] for a in acks)
    ballots = await chair.ok("vote.ballots", {"vote_id": vote_id})
    assert ballots["ballots"] == [{"member_id": "v0002", "name": "Voter v0002", "choice": "for"}]
    closed = await chair.ok("vote.close", {"vote_id": vote_id})
    assert closed["result"]["counts"] == {"for": 1, "against": 0, "abstain": 0}
    await close_all([chair, *members, twin])


async def test_changing_a_vote_moves_the_ballot_and_closing_stops_casting(hub_server: RunningHub) -> None:
    chair, members = await seat(hub_server, 10)
    vote_id = await put_motion(chair, members)
    await members[3].ok("vote.cast", {"vote_id": vote_id, "choice": "for"})
    await members[3].ok("vote.cast", {"vote_id": vote_id, "choice": "against"})
    fifth = await members[4].ok("vote.cast", {"vote_id": vote_id, "choice": "abstain"})
    assert fifth["cast"] == 2
    result = (await chair.ok("vote.close", {"vote_id": vote_id}))["result"]
    assert result["counts"] == {"for": 0, "against": 1, "abstain": 1}
    assert result["outcome"] == "lost"
    late = await members[5].call("vote.cast", {"vote_id": vote_id, "choice": "for"})
    assert late["error"]["code"] == "vote.closed"
    await close_all([chair, *members])


async def test_a_refused_close_leaves_the_box_taking_ballots(hub_server: RunningHub) -> None:
    """The rule's checks run before the box is touched: a close refused (here the chair has left the
    meeting) leaves the vote open and its box accepting ballots, which the later close counts."""
    chair, members = await seat(hub_server, 10)
    vote_id = await put_motion(chair, members)
    await members[0].ok("vote.cast", {"vote_id": vote_id, "choice": "for"})
    await chair.ok("meeting.leave", {})
    refused = await chair.call("vote.close", {"vote_id": vote_id})
    assert refused["error"]["code"] == "attendance.not_present"
    late = await members[1].ok("vote.cast", {"vote_id": vote_id, "choice": "against"})
    assert late["cast"] == 2
    await chair.join()
    result = (await chair.ok("vote.close", {"vote_id": vote_id}))["result"]
    assert result["counts"] == {"for": 1, "against": 1, "abstain": 0}
    again = await chair.call("vote.close", {"vote_id": vote_id})
    assert again["error"]["code"] == "vote.closed"
    await close_all([chair, *members])


async def test_only_members_present_at_opening_may_vote(hub_server: RunningHub) -> None:
    chair, members = await seat(hub_server, 10)
    vote_id = await put_motion(chair, members)
    extra = MeetingClient(hub_server.url, chair.token)  # the chair's second device is fine
    await extra.connect()
    forbidden = await members[0].call("vote.ballots", {"vote_id": vote_id})
    assert forbidden["error"]["code"] == "forbidden"
    await close_all([chair, *members, extra])


async def test_secret_ballot_stores_no_link_and_gives_receipts(hub_server: RunningHub) -> None:
    chair, members = await seat(hub_server, 10)
    vote_id = await put_motion(chair, members, method="secret")
    receipts: dict[str, Any] = {}
    for n, choice in enumerate(["for", "for", "against"]):
        receipts[members[n].token] = await members[n].ok("vote.cast", {"vote_id": vote_id, "choice": choice})
    # A second cast changes nothing and answers with the same receipt, but no choice.
    again = await members[0].ok("vote.cast", {"vote_id": vote_id, "choice": "against"})
    first = receipts[members[0].token]
    assert again == {
        "vote_id": vote_id,
        "choice": None,
        "choices": None,
        "receipt": first["receipt"],
        "cast": 3,
        "already": True,
    }
    assert first["already"] is False and first["choice"] == "for"
    assert (await chair.call("vote.ballots", {"vote_id": vote_id}))["error"]["code"] == "vote.secret"

    # No member id anywhere in the box, and no receipt either until the vote closes.
    client = redis.Redis.from_url(hub_server.settings.redis_url or "")
    for key in await client.keys(f"hub:{{m:vote}}:vote:{vote_id}:*"):
        assert b"v0" not in str(await client.dump(key)).encode(), key
    assert await client.exists(f"hub:{{m:vote}}:vote:{vote_id}:receipts") == 0

    result = (await chair.ok("vote.close", {"vote_id": vote_id}))["result"]
    assert result["counts"] == {"for": 2, "against": 1, "abstain": 0}
    posted = await client.zrange(f"hub:{{m:vote}}:vote:{vote_id}:receipts", 0, -1)
    await client.aclose()
    assert sorted(posted) == posted and {r.decode() for r in posted} == {
        r["receipt"] for r in receipts.values()
    }
    mine = receipts[members[2].token]
    check = await members[2].ok("vote.verify", {"vote_id": vote_id, "receipt": mine["receipt"].lower()})
    assert check == {"vote_id": vote_id, "counted": True}
    # Once posted, any voter can find any receipt (it says nothing of the choice).
    theirs = await members[5].ok("vote.verify", {"vote_id": vote_id, "receipt": mine["receipt"]})
    assert theirs == {"vote_id": vote_id, "counted": True}
    bogus = await members[2].ok("vote.verify", {"vote_id": vote_id, "receipt": "not-a-receipt"})
    assert bogus["counted"] is False
    await close_all([chair, *members])


async def test_vote_cannot_open_below_quorum(hub_server: RunningHub) -> None:
    chair, members = await seat(hub_server, 3)
    await members[0].ok("motion.submit", {"title": "T", "text": "Text."})
    await chair.wait_until(lambda c: bool(c.meeting and c.meeting["motions"]))
    motion_id = chair.meeting["motions"][0]["id"]  # type: ignore[index]
    await members[1].ok("motion.second", {"motion_id": motion_id})
    ack = await chair.call("vote.open", {"subject": {"kind": "motion", "motion_id": motion_id}})
    assert ack["error"]["code"] == "vote.not_quorate"
    assert ack["error"]["details"] == {"required": 5, "present": 4, "quorate": False}
    await close_all([chair, *members])


@pytest.fixture
async def separate_hub(hub_server: RunningHub, tmp_path: Path) -> AsyncIterator[str]:
    """A second hub on the same Redis in its own process, so 500 clients here don't starve it."""
    settings = hub_server.settings
    process = HubProcess(
        tmp_path,
        free_port(),
        "--redis-url",
        settings.redis_url or "",
        # Every client here comes from 127.0.0.1.
        "--connections-per-address",
        "1000",
        env=hub_env(HUB_SECRET=settings.secret or ""),
    )
    await process.start()
    yield process.url
    process.stop()


async def test_five_hundred_members_vote_at_once_and_every_client_sees_the_exact_tally(
    hub_server: RunningHub, separate_hub: str
) -> None:
    chair, members = await seat(hub_server, int(os.environ.get("VOTERS", 500)), separate_hub)
    vote_id = await put_motion(chair, members)
    choices = ["for", "against", "abstain"]
    acks = await asyncio.gather(
        *(
            m.call("vote.cast", {"vote_id": vote_id, "choice": choices[n % 3]}, timeout=60)
            for n, m in enumerate(members)
        )
    )
    assert all(a["ok"] for a in acks)
    await chair.ok("vote.close", {"vote_id": vote_id}, timeout=60)
    expected = {"for": 167, "against": 167, "abstain": 166}

    def settled(c: MeetingClient) -> bool:
        return bool(c.meeting and c.meeting["votes"] and c.meeting["votes"][0]["status"] == "closed")

    await asyncio.gather(*(c.wait_until(settled, timeout=30) for c in [chair, *members]))
    for client in [chair, *members]:
        assert client.meeting is not None
        assert client.meeting["votes"][0]["result"]["counts"] == expected
        assert client.meeting["votes"][0]["result"]["outcome"] == "lost"  # 167 for, 167 against: tied
    await close_all([chair, *members])


async def test_card_vote_weighs_ballots_by_delegates(hub_server: RunningHub) -> None:
    chair, members = await seat(hub_server, 10)
    await chair.ok("meeting.set_card_weights", {"weights": {"v0002": 12, "v0003": 5}})
    vote_id = await put_motion(chair, members, method="card")
    await members[2].ok("vote.cast", {"vote_id": vote_id, "choice": "for"})
    await members[3].ok("vote.cast", {"vote_id": vote_id, "choice": "against"})
    await members[4].ok("vote.cast", {"vote_id": vote_id, "choice": "against"})
    result = (await chair.ok("vote.close", {"vote_id": vote_id}))["result"]
    assert result["counts"] == {"for": 12, "against": 6, "abstain": 0}
    assert result["outcome"] == "carried"
    await close_all([chair, *members])


async def test_a_ranked_secret_election_of_500_is_exact_and_the_same_on_every_client(
    hub_server: RunningHub, separate_hub: str
) -> None:
    chair, members = await seat(hub_server, int(os.environ.get("VOTERS", 500)), separate_hub)
    names = [f"Candidate {n}" for n in range(8)]
    ask = {"question": "Executive", "options": names, "method": "ranked", "choose": 3, "secrecy": "secret"}
    vote_id = (await chair.ok("vote.ask", ask, timeout=60))["vote_id"]
    draw = random.Random(2027)
    ids = [f"o{n}" for n in range(1, 9)]
    rankings = [draw.sample(ids, draw.randint(1, 8)) for _ in members]
    for batch in range(0, len(members), 50):
        replies = await asyncio.gather(
            *(
                m.ok("vote.cast", {"vote_id": vote_id, "choices": r}, timeout=60)
                for m, r in zip(members[batch : batch + 50], rankings[batch : batch + 50], strict=True)
            )
        )
        assert all(r["receipt"] for r in replies)
    closed = await chair.ok("vote.close", {"vote_id": vote_id}, timeout=60)
    everyone = [chair, *members]
    await all_reach(everyone, closed["version"], timeout=60)
    # The hub's count is the count of the ballots cast, by the same rules, to the last decimal.
    expected = count(
        Profile(
            "Executive",
            tuple(names),
            3,
            tuple(Ballot(1, tuple(ids.index(o) for o in r)) for r in rankings),
        ).canonical()
    )
    assert chair.meeting is not None
    result = chair.meeting["votes"][0]["result"]
    assert "count" not in closed["result"]  # the stages are in the state, not told twice
    assert result["count"]["elected"] == expected.elected
    assert result["count"]["stages"] == [s.model_dump(mode="json") for s in expected.stages]
    assert result["chosen"] == [f"o{names.index(n) + 1}" for n in expected.elected]
    shown = {
        msgpack.packb(c.meeting["votes"][0]["result"])
        for c in everyone
        if c.meeting is not None  # type: ignore[index]
    }
    assert len(shown) == 1 and len([c for c in everyone if c.meeting]) == len(everyone)
    await close_all(everyone)
