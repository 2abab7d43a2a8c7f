"""A hybrid meeting over real Socket.IO and a real Redis: members checked in in the hall make a meeting
quorate and outlast the grace period, the tellers' hall counts join the online ballots, and the
register and the minutes (HTML and PDF) say who was in the hall and how the hall voted. And reactions:
they reach the others, are gathered into bursts in a room full of them, and are rate limited."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from hub.config import Limits
from hub.models import Branch, Meeting, Member, Quorum, Role, StandingOrders
from hub.runtime import open_hub
from tests.client import MeetingClient, until
from tests.conftest import RunningHub

GRACE = 1.0
MEETING = "hybrid"
PEOPLE = {
    "c1": ("Carla Chair", Role.CHAIR),
    "s1": ("Sam Secretary", Role.SECRETARY),
    "o1": ("Olu Online", Role.MEMBER),
    "o2": ("Oona Online", Role.MEMBER),
    "h1": ("Hana Hall", Role.MEMBER),
    "h2": ("Hugo Hall", Role.MEMBER),
}


@pytest.fixture
def limits() -> Limits:
    return Limits(events_rate="1000/second", grace_seconds=GRACE)


@dataclass
class Hybrid:
    url: str
    links: dict[str, str]
    clients: list[MeetingClient]

    async def joined(self, member_id: str) -> MeetingClient:
        client = MeetingClient(self.url, self.links[member_id])
        await client.connect()
        await client.join()
        self.clients.append(client)
        return client


@pytest.fixture
async def hybrid(hub_server: RunningHub) -> AsyncIterator[Hybrid]:
    """A branch meeting of its own, quorum 4, whose members are the people above; "x1" is a member of
    the hub with no role in it."""
    async with open_hub(hub_server.settings) as hub:
        for member_id, (name, _) in PEOPLE.items():
            await hub.save_member(Member(id=member_id, name=name))
        await hub.save_member(Member(id="x1", name="Xavier Elsewhere"))
        await hub.save_branch(
            Branch(id="hyb", name="Hybrid branch", roles={m: r for m, (_, r) in PEOPLE.items()})
        )
        orders = StandingOrders(quorum=Quorum(value=4))
        await hub.create_meeting(
            Meeting(
                id=MEETING,
                branch_id="hyb",
                title="Hybrid meeting",
                starts_at=datetime.now(UTC),
                time_zone="UTC",
                standing_orders=orders,
            )
        )
        links = {m: await hub.issue_link(m, MEETING, timedelta(hours=1)) for m in PEOPLE}
    room = Hybrid(hub_server.url, links, [])
    yield room
    await asyncio.gather(*(c.disconnect() for c in room.clients if c.sio.connected))


def quorum(client: MeetingClient) -> dict[str, Any]:
    assert client.meeting is not None
    return dict(client.meeting["quorum"])


def departed(client: MeetingClient, member_id: str) -> bool:
    return any(
        e["type"] == "attendance.departed" and member_id in e["data"]["member_ids"] for e in client.events
    )


async def register(url: str, link: str) -> dict[str, list[str]]:
    async with httpx.AsyncClient(base_url=url) as http:
        reply = await http.get(f"/register/{MEETING}.csv", params={"token": link})
    assert reply.status_code == 200
    rows = list(csv.reader(io.StringIO(reply.text)))
    assert rows[0][-1] == "attended"
    return {row[0]: row for row in rows[1:]}


async def test_a_member_in_the_hall_makes_the_meeting_quorate_and_outlasts_the_grace_period(
    hybrid: Hybrid, hub_server: RunningHub
) -> None:
    chair, secretary, olu = await asyncio.gather(*(hybrid.joined(m) for m in ("c1", "s1", "o1")))
    refused = await secretary.call("hall.check_in", {"member_id": "h1"})
    assert refused["error"]["code"] == "attendance.not_sitting"
    await chair.ok("meeting.set_status", {"status": "open"})
    await asyncio.gather(secretary.ok("attendance.check_in"), olu.ok("attendance.check_in"))
    await chair.wait_until(lambda c: quorum(c)["present"] == 3)
    assert not quorum(chair)["quorate"]

    # Only officers check others in; the secretary finds Hana on the roll: not here yet.
    assert (await olu.call("hall.check_in", {"member_id": "h1"}))["error"]["code"] == "forbidden"
    roll = await secretary.ok("hall.roll", {"query": "HALL"})
    assert [m["name"] for m in roll["members"]] == ["Hana Hall", "Hugo Hall"] and roll["total"] == 2
    assert roll["members"][0] == {
        "member_id": "h1",
        "name": "Hana Hall",
        "role": "member",
        "here": None,
        "checked_in": False,
        "removed": False,
    }
    page = await secretary.ok("hall.roll", {"limit": 2})
    rest = await secretary.ok("hall.roll", {"limit": 100, "after": page["next"]})
    assert page["total"] == 6 and len(page["members"]) + len(rest["members"]) == 6 and rest["next"] is None

    checked = await secretary.ok("hall.check_in", {"member_id": "h1"})
    assert checked["version"]
    await chair.wait_until(lambda c: quorum(c)["quorate"])
    assert quorum(chair) == {"required": 4, "present": 4, "quorate": True}
    hana = chair.meeting["participants"]["h1"]  # type: ignore[index]
    assert hana["hall"] and hana["attended"] and not hana["present"]
    assert chair.meeting["presence"]["hall"] == 1  # type: ignore[index]
    assert await secretary.ok("hall.check_in", {"member_id": "h1"}) is None
    for member_id, code in (("o1", "hall.online"), ("x1", "hall.not_invited"), ("zz9", "member.not_found")):
        refused = await secretary.call("hall.check_in", {"member_id": member_id})
        assert refused["error"]["code"] == code, member_id
    assert (await secretary.ok("hall.roll", {"query": "hana"}))["members"][0]["here"] == "hall"

    # Olu's connection drops: after the grace period he has gone; Hana, in the hall, stays.
    await olu.disconnect()
    await chair.wait_until(lambda c: departed(c, "o1"), timeout=GRACE + 5)
    assert quorum(chair)["present"] == 3 and not departed(chair, "h1")

    # Hana opens her phone: one person, counted once, and no return; her phone drops, and she stays.
    phone = await hybrid.joined("h1")
    await chair.wait_until(lambda c: c.meeting["participants"]["h1"]["present"])  # type: ignore[index]
    assert quorum(chair)["present"] == 3
    assert not [e for e in chair.events if e["type"] == "participant.joined" and e["data"].get("returned")]
    await phone.disconnect()
    await chair.wait_until(lambda c: not c.meeting["participants"]["h1"]["present"])  # type: ignore[index]
    async with open_hub(hub_server.settings) as hub:
        # Until every node has looked at the drop after its grace period (and settled it).
        for _ in range(int((GRACE + 5) * 10)):
            if not await hub.store.away_since(time.time() + 3600):
                break
            await asyncio.sleep(0.1)
        assert not await hub.store.away_since(time.time() + 3600)
    assert quorum(chair)["present"] == 3 and not departed(chair, "h1")
    assert chair.meeting["participants"]["h1"]["hall"]  # type: ignore[index]

    # Checked out of the hall, with no connection, she has gone; the register says so.
    out = await secretary.ok("hall.check_out", {"member_id": "h1"})
    assert out["version"]
    await chair.wait_until(lambda c: quorum(c)["present"] == 2)
    gone = [e for e in chair.events if e["type"] == "hall.checked_out"]
    assert gone[-1]["data"] == {"member_id": "h1", "name": "Hana Hall", "departed": True}
    rows = await register(hybrid.url, hybrid.links["s1"])
    assert rows["h1"][3] and rows["h1"][4] and rows["h1"][-1] == "in the hall"
    assert rows["o1"][-1] == "online" and rows["o1"][4]


async def test_hall_counts_join_the_online_ballots_and_the_minutes_say_so(hybrid: Hybrid) -> None:
    chair, secretary, olu, oona = await asyncio.gather(*(hybrid.joined(m) for m in ("c1", "s1", "o1", "o2")))
    await chair.ok("meeting.set_status", {"status": "open"})
    await asyncio.gather(*(c.ok("attendance.check_in") for c in (secretary, olu, oona)))
    for member_id in ("h1", "h2"):
        await secretary.ok("hall.check_in", {"member_id": member_id})
    await chair.ok("meeting.set_status", {"status": "in_session"})
    item = (await chair.ok("agenda.add", {"title": "Motions", "kind": "motion"}))["item_id"]
    await chair.ok("agenda.select", {"item_id": item})

    async def motion(title: str) -> str:
        motion_id = str((await olu.ok("motion.submit", {"title": title, "text": f"{title}."}))["motion_id"])
        await oona.ok("motion.second", {"motion_id": motion_id})
        return motion_id

    subject = {"kind": "motion", "motion_id": await motion("Meet in halls too")}
    vote_id = (await chair.ok("vote.open", {"subject": subject}))["vote_id"]
    await chair.wait_until(lambda c: bool(c.meeting["votes"]))  # type: ignore[index]
    vote = chair.meeting["votes"][0]  # type: ignore[index]
    # Online: the chair, the secretary and two members; in the hall, two; six present.
    assert (vote["eligible"], vote["hall"], vote["present"]) == (4, 2, 6)
    for client, choice in ((olu, "for"), (oona, "against"), (secretary, "for")):
        await client.ok("vote.cast", {"vote_id": vote_id, "choice": choice})

    too_many = await secretary.call(
        "vote.hall_count", {"vote_id": vote_id, "counts": {"for": 2, "against": 1}}
    )
    assert too_many["error"]["code"] == "vote.hall_too_many" and too_many["error"]["details"]["most"] == 2
    bad = await secretary.call("vote.hall_count", {"vote_id": vote_id, "counts": {"for": -1}})
    assert bad["error"]["code"] == "invalid_payload"
    assert (await olu.call("vote.hall_count", {"vote_id": vote_id, "counts": {"for": 1}}))["error"][
        "code"
    ] == "forbidden"
    await secretary.ok("vote.hall_count", {"vote_id": vote_id, "counts": {"for": 2}})
    # Counted again, by the chair: the new count replaces the last, and says whose it replaced.
    await chair.ok("vote.hall_count", {"vote_id": vote_id, "counts": {"for": 1, "against": 1}})
    await chair.wait_until(lambda c: (c.meeting["votes"][0]["hall_count"] or {}).get("by") == "Carla Chair")  # type: ignore[index]
    counted = [e["data"] for e in chair.events if e["type"] == "vote.hall_counted"]
    assert counted[-1]["replaced"] == {
        "counts": {"for": 2, "against": 0, "abstain": 0},
        "by": "Sam Secretary",
    }

    closed = await chair.ok("vote.close", {"vote_id": vote_id})
    result = closed["result"]
    assert result["counts"] == {"for": 3, "against": 2, "abstain": 0} and result["outcome"] == "carried"
    assert result["online"] == {"for": 2, "against": 1, "abstain": 0}
    assert result["hall"] == {"for": 1, "against": 1, "abstain": 0}
    late = await secretary.call("vote.hall_count", {"vote_id": vote_id, "counts": {"for": 1}})
    assert late["error"]["code"] == "vote.closed"

    # A secret ballot is not counted by hands.
    secret = {"kind": "motion", "motion_id": await motion("Elect by ballot")}
    secret_id = (await chair.ok("vote.open", {"subject": secret, "secrecy": "secret"}))["vote_id"]
    refused = await secretary.call("vote.hall_count", {"vote_id": secret_id, "counts": {"for": 1}})
    assert refused["error"]["code"] == "vote.hall_secret"
    await chair.ok("vote.close", {"vote_id": secret_id})

    await chair.ok("meeting.set_status", {"status": "closed"})
    refused = await secretary.call("hall.check_in", {"member_id": "h2"})
    assert refused["error"]["code"] == "meeting.closed"
    await secretary.ok("minutes.draft")
    text = (await secretary.ok("minutes.get"))["text"]
    hall_line = "Attended in the hall (2): Hana Hall, Hugo Hall."
    count_line = (
        "CARRIED by show of hands (in all for 3, against 2, abstain 0: online for 2, against 1, abstain 0;"
        " in the hall for 1, against 1, abstain 0, counted by Carla Chair)"
    )
    assert hall_line in text and count_line in text, text
    await chair.ok("minutes.approve", {"note": "Approved."})
    async with httpx.AsyncClient(base_url=hybrid.url) as http:
        page = await http.get(f"/minutes/{MEETING}.html", params={"token": hybrid.links["o1"]})
        assert page.status_code == 200
        assert hall_line in page.text and "in the hall for 1, against 1, abstain 0" in page.text
        document = await http.get(f"/minutes/{MEETING}.pdf", params={"token": hybrid.links["o1"]})
        assert document.status_code == 200
    printed = " ".join(
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(document.content)).pages).split()
    )
    assert (
        hall_line in printed and "in the hall for 1, against 1, abstain 0, counted by Carla Chair" in printed
    )
    rows = await register(hybrid.url, hybrid.links["s1"])
    assert rows["h1"][-1] == rows["h2"][-1] == "in the hall" and rows["o2"][-1] == "online"


def bursts(client: MeetingClient) -> list[dict[str, Any]]:
    """The `reaction.burst`s this client receives from now on."""
    received: list[dict[str, Any]] = []
    client.sio.on("reaction.burst", received.append)
    return received


async def test_reactions_reach_the_others_and_are_rate_limited(hybrid: Hybrid) -> None:
    chair, olu, oona = await asyncio.gather(*(hybrid.joined(m) for m in ("c1", "o1", "o2")))
    seen_by_oona, seen_by_chair = bursts(oona), bursts(chair)
    await chair.wait_until(lambda c: len(c.present()) == 3)
    version = chair.version
    assert await olu.ok("reaction.send", {"kind": "applause"}) is None
    await until(lambda: bool(seen_by_oona))
    assert seen_by_oona[0] == {
        "counts": {"applause": 1},
        "named": [{"member_id": "o1", "name": "Olu Online", "kind": "applause"}],
        "asks": {},
    }
    # A request to the chair is counted for the chair's rolling count, once per member in the window.
    await olu.ok("reaction.send", {"kind": "cant_hear"})
    await until(lambda: any(b["asks"] for b in seen_by_chair))
    await olu.ok("reaction.send", {"kind": "cant_hear"})
    await until(lambda: sum(b["counts"].get("cant_hear", 0) for b in seen_by_chair) == 2)
    assert sum(b["asks"].get("cant_hear", 0) for b in seen_by_chair) == 1
    # Transient: nothing of it in the meeting's state or its log.
    assert chair.version == version and not [e for e in chair.events if "reaction" in e["type"]]

    refused = await olu.call("reaction.send", {"kind": "boo"})
    assert refused["error"]["code"] == "invalid_payload"
    # Bursts of up to 10, then 10 a minute, on top of the common limit: nobody floods the room.
    acks = [await oona.call("reaction.send", {"kind": "agree"}) for _ in range(11)]
    assert all(a["ok"] for a in acks[:10])
    assert acks[10]["error"] == {
        "code": "rate_limited",
        "message": acks[10]["error"]["message"],
        "details": {"limit": "10/minute"},
    }
    # Those not in the meeting do not react.
    unjoined = MeetingClient(hybrid.url, hybrid.links["h1"])
    await unjoined.connect()
    hybrid.clients.append(unjoined)
    assert (await unjoined.call("reaction.send", {"kind": "agree"}))["error"][
        "code"
    ] == "attendance.not_present"


async def test_a_room_reacting_at_once_is_sent_a_few_bursts_not_one_frame_per_reaction(
    hub_server: RunningHub,
) -> None:
    async with open_hub(hub_server.settings) as hub:
        roles = {f"r{n:03}": Role.MEMBER for n in range(30)}
        for member_id in roles:
            await hub.save_member(Member(id=member_id, name=f"Reactor {member_id}"))
        await hub.save_branch(Branch(id="clap", name="Clapping branch", roles=roles))
        await hub.create_meeting(
            Meeting(id="clap", branch_id="clap", title="Clap", starts_at=datetime.now(UTC), time_zone="UTC")
        )
        links = [await hub.issue_link(m, "clap", timedelta(hours=1)) for m in roles]
    clients = [MeetingClient(hub_server.url, link) for link in links]
    await asyncio.gather(*(c.connect() for c in clients))
    for client in clients:
        await client.join()
    watcher = clients[0]
    received = bursts(watcher)
    acks = await asyncio.gather(*(c.call("reaction.send", {"kind": "applause"}) for c in clients))
    assert all(a["ok"] for a in acks)
    await until(lambda: sum(b["counts"].get("applause", 0) for b in received) == 30)
    await asyncio.sleep(1.0)
    # Everyone's applause, in at most a few frames (the first at once, the rest gathered).
    assert sum(b["counts"]["applause"] for b in received) == 30 and len(received) <= 3, len(received)
    assert all(len(b["named"]) <= 12 for b in received)
    await asyncio.gather(*(c.disconnect() for c in clients))
