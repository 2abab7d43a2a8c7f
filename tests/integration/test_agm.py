"""A scripted AGM over real Socket.IO clients, with the members and agenda of the sample constituency:
check-in, quorum, agenda, a report with questions, a motion with two amendments (one carried, one lost),
"that the question be now put", votes, any other business, close, and minutes that state exactly what
happened, published as HTML and PDF."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from hub.config import Limits
from hub.demo import sample
from hub.runtime import open_hub
from tests.client import MeetingClient, all_reach
from tests.conftest import NO_GRACE, RunningHub
from tests.integration.test_votes import HOW

ATTENDING = ["m001", "m007", "m003", "m015", "m020", "m021", "m030", "m031", "m010", "m025", "m018", "m019"]
# The posts' candidates, as the sample AGM lists them.
ELECTIONS = [e for item in sample()["agm"]["agenda"] for e in item.get("elections", [])]
CANDIDATES = sorted({c for e in ELECTIONS for c in e["candidates"]} - set(ATTENDING))


@pytest.fixture
def limits() -> Limits:
    return Limits(events_rate="1000/second", grace_seconds=NO_GRACE)


class Room:
    def __init__(self, hub: RunningHub, clients: dict[str, MeetingClient]) -> None:
        self.hub, self.clients = hub, clients
        self.chair = clients["m001"]

    def __getitem__(self, member: str) -> MeetingClient:
        return self.clients[member]

    @property
    def state(self) -> dict[str, Any]:
        assert self.chair.meeting is not None
        return self.chair.meeting

    async def settle(self) -> None:
        """Wait until every client holds the chair's version."""
        version = (await self.chair.ok("meeting.sync", {"since": 10**9}))["version"]
        await all_reach([c for c in self.clients.values() if c.meeting is not None], version)

    async def vote(
        self, subject: dict[str, Any], ballots: dict[str, str], method: str = "hands"
    ) -> dict[str, Any]:
        opened = await self.chair.ok("vote.open", {"subject": subject, **HOW[method]})
        for member, choice in ballots.items():
            await self[member].ok("vote.cast", {"vote_id": opened["vote_id"], "choice": choice})
        closed = await self.chair.ok("vote.close", {"vote_id": opened["vote_id"]})
        await self.settle()
        return dict(closed["result"])

    async def elect(self, title: str, rankings: dict[str, list[str]]) -> list[str]:
        """Open the post's ballot, cast each voter's ranking of candidates (member ids), close it, and
        return the elected, in order of election."""
        post = next(p for p in self.state["posts"] if p["title"] == title)
        opened = await self.chair.ok("election.open_ballot", {"post_id": post["id"]})
        await self.settle()
        standing = {n["member_id"]: n["id"] for n in self.state["nominations"] if n["post_id"] == post["id"]}
        for voter, ranking in rankings.items():
            ballot = {"vote_id": opened["vote_id"], "choices": [standing[c] for c in ranking]}
            assert (await self[voter].ok("vote.cast", ballot))["receipt"]
        closed = await self.chair.ok("vote.close", {"vote_id": opened["vote_id"]})
        await self.settle()
        member = {n: m for m, n in standing.items()}
        return [member[c] for c in closed["result"]["chosen"]]

    async def speak(self, member: str, stance: str | None = None) -> None:
        await self[member].ok("speaker.request", {"stance": stance} if stance else {})
        await self.chair.ok("speaker.call", {})
        await self.chair.ok("speech.end", {})

    def motion(self, title_start: str) -> dict[str, Any]:
        return next(m for m in self.state["motions"] if m["title"].startswith(title_start))


async def test_scripted_agm(hub_server: RunningHub) -> None:
    data = sample()
    names = {m["id"]: m["name"] for m in data["members"]}
    agenda = data["agm"]["agenda"]
    async with open_hub(hub_server.settings) as hub:
        tokens = {
            m: await hub.issue_link(m, hub_server.meeting_id, timedelta(hours=2))
            for m in [*ATTENDING, "m040", *CANDIDATES]
        }

    # Apologies from someone who cannot come.
    absent = MeetingClient(hub_server.url, tokens["m040"])
    await absent.connect()
    await absent.ok("attendance.apologise", {"note": "on a night shift"})
    await absent.disconnect()

    clients = {m: MeetingClient(hub_server.url, tokens[m]) for m in ATTENDING}
    room = Room(hub_server, clients)
    for member in ATTENDING:
        await clients[member].connect()
        await clients[member].join()
    await room.settle()
    # Before the meeting, the candidates nominate themselves for the posts the officers set up (those
    # not attending join only for that).
    for election in ELECTIONS:
        post = next(p for p in room.state["posts"] if p["title"] == election["post"])
        for candidate in election["candidates"]:
            client = clients.get(candidate) or MeetingClient(hub_server.url, tokens[candidate])
            if candidate not in clients:
                await client.connect()
                await client.join()
            await client.ok("election.nominate", {"post_id": post["id"], "member_id": candidate})
            if candidate not in clients:
                await client.disconnect()
    await room.settle()
    assert len(room.state["nominations"]) == sum(len(e["candidates"]) for e in ELECTIONS)
    # Opening the link checks nobody in: the quorum counts those who check in once the meeting is open.
    assert room.state["quorum"] == {"required": 10, "present": 0, "quorate": False}
    chair = room.chair
    refused = await clients[ATTENDING[1]].call("attendance.check_in", {})
    assert refused["error"]["code"] == "attendance.not_sitting"
    await chair.ok("meeting.set_status", {"status": "open"})
    # The chair is checked in by opening the meeting; the others check in themselves.
    for member in ATTENDING[1:9]:
        await clients[member].ok("attendance.check_in", {})
    await room.settle()
    assert room.state["quorum"] == {"required": 10, "present": 9, "quorate": False}
    for member in ATTENDING[9:]:
        await clients[member].ok("attendance.check_in", {})
    await room.settle()
    assert room.state["quorum"]["quorate"] is True
    await chair.ok("meeting.set_status", {"status": "in_session"})

    # 1. Apologies and attendance; 3. the chair's report, with questions.
    await chair.ok("agenda.select", {"item_id": "a1"})
    await chair.ok("agenda.select", {"item_id": "a3"})
    await room.speak("m021")
    await room.speak("m030")

    # 5. Motion 1 with two amendments.
    motion_1 = agenda[4]["motion"]
    await chair.ok("agenda.select", {"item_id": "a5"})
    await room["m003"].ok("motion.submit", {"title": agenda[4]["title"], "text": motion_1["text"]})
    await room.settle()
    m1 = room.motion("Motion 1")["id"]
    await room["m015"].ok("motion.second", {"motion_id": m1})
    await room.speak("m003", "for")
    carried, lost = motion_1["amendments"]
    await room["m020"].ok(
        "amendment.move",
        {"motion_id": m1, "kind": "insert", "target": carried["after"], "text": carried["text"]},
    )
    await room["m030"].ok("amendment.move", {"motion_id": m1, "kind": "delete", "target": lost["text"]})
    await room.settle()
    first, second = (a["id"] for a in room.motion("Motion 1")["amendments"])
    await room["m021"].ok("amendment.second", {"motion_id": m1, "amendment_id": first})
    await room["m031"].ok("amendment.second", {"motion_id": m1, "amendment_id": second})
    refused = await chair.call("vote.open", {"subject": {"kind": "motion", "motion_id": m1}})
    assert refused["error"]["code"] == "motion.amendments_pending"
    everyone_for = {m: "for" for m in ATTENDING}
    result = await room.vote(
        {"kind": "amendment", "motion_id": m1, "amendment_id": first}, everyone_for | {"m030": "against"}
    )
    assert (result["outcome"], result["counts"]) == ("carried", {"for": 11, "against": 1, "abstain": 0})
    against = {m: "against" for m in ATTENDING} | {"m030": "for", "m031": "for", "m018": "abstain"}
    result = await room.vote({"kind": "amendment", "motion_id": m1, "amendment_id": second}, against)
    assert (result["outcome"], result["counts"]) == ("lost", {"for": 2, "against": 9, "abstain": 1})
    await chair.ok("motion.reply", {"motion_id": m1})
    await chair.ok("speech.end", {})
    result = await room.vote({"kind": "motion", "motion_id": m1}, everyone_for | {"m019": "abstain"})
    assert (result["outcome"], result["counts"]) == ("carried", {"for": 11, "against": 0, "abstain": 1})
    amended = motion_1["text"].replace(carried["after"], carried["after"] + carried["text"])
    assert room.motion("Motion 1")["text"] == amended

    # 6. Motion 2, closed by "that the question be now put".
    motion_2 = agenda[5]["motion"]
    await chair.ok("agenda.select", {"item_id": "a6"})
    await room["m010"].ok("motion.submit", {"title": agenda[5]["title"], "text": motion_2["text"]})
    await room.settle()
    m2 = room.motion("Motion 2")["id"]
    await room["m025"].ok("motion.second", {"motion_id": m2})
    await room["m031"].ok("speaker.request", {"stance": "against"})
    await room["m018"].ok("motion.procedural", {"procedure": "question_be_now_put", "target_id": m2})
    await room.settle()
    put = next(m for m in room.state["motions"] if m["procedure"] == "question_be_now_put")
    await room["m019"].ok("motion.second", {"motion_id": put["id"]})
    blocked = await chair.call("vote.open", {"subject": {"kind": "motion", "motion_id": m2}})
    assert blocked["error"]["code"] == "motion.procedural_pending"
    result = await room.vote(
        {"kind": "procedural", "motion_id": put["id"]}, everyone_for | {"m031": "against"}
    )
    assert result["outcome"] == "carried"
    item = next(i for i in room.state["agenda"] if i["id"] == "a6")
    assert item["queue_open"] is False and item["queue"] == []
    result = await room.vote({"kind": "motion", "motion_id": m2}, everyone_for, method="secret")
    assert (result["outcome"], result["counts"]["for"]) == ("carried", 12)

    # 8. Elections, each by ranked secret ballot; the delegates' under the balance rule (at least one
    # woman): once one man is elected, the men left (Wei Varga with more votes than any woman) are passed
    # over for the second seat.
    await chair.ok("agenda.select", {"item_id": "a8"})
    voters = ATTENDING
    assert await room.elect(
        "Chair", {v: ["m001", "m027"] if n < 8 else ["m027"] for n, v in enumerate(voters)}
    ) == ["m001"]
    assert await room.elect("Secretary", {v: ["m007"] for v in voters[:10]}) == ["m007"]
    officer = {v: ["m016", "m002"] if n % 3 else ["m002"] for n, v in enumerate(voters)}
    assert await room.elect("Women's officer", officer) == ["m016"]
    delegates = [["m009", "m022"]] * 5 + [["m022", "m009"]] * 4 + [["m004"]] * 2 + [["m033", "m004"]]
    assert await room.elect("Conference delegates", dict(zip(voters, delegates, strict=True))) == [
        "m009",
        "m004",
    ]
    counted = room.state["votes"][-1]["result"]["count"]
    passed_over = [d for stage in counted["stages"] for d in stage["excluded"] if d["reason"] == "balance"]
    assert {d["candidate"] for d in passed_over} == {names["m022"], names["m044"]}
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        ballots = await http.get(
            f"/ballots/{hub_server.meeting_id}/{room.state['votes'][-1]['id']}.blt",
            params={"token": tokens["m020"]},
        )
    assert ballots.status_code == 200 and ballots.text.startswith("5 2\n")

    # 9. Any other business, with a point of order; then close.
    await chair.ok("agenda.select", {"item_id": "a9"})
    await room["m025"].ok(
        "speaker.point_of_order", {"rule": "SO 4.1", "point": "The speaker is out of time."}
    )
    await chair.ok("speaker.call", {})
    await chair.ok("speech.end", {})
    await chair.ok("agenda.select", {"item_id": None})
    await chair.ok("meeting.set_status", {"status": "closed"})
    await room.settle()
    assert all(c.meeting == room.state for c in clients.values())

    # Minutes.
    secretary = room["m007"]
    await secretary.ok("minutes.draft", {})
    draft = (await secretary.ok("minutes.get", {}))["text"]
    not_yet = await room["m020"].call("minutes.get", {})
    assert not_yet["error"]["code"] == "minutes.not_published"
    present = sorted(names[m] for m in ATTENDING)
    expected = [
        "# Minutes: Annual General Meeting",
        f"Present (12): {', '.join(present)}.",
        f"Apologies: {names['m040']} (“on a night shift”).",
        "## 1. Apologies and attendance",
        "## 3. Chair's report",
        f"Speakers: {names['m021']}; {names['m030']}.",
        "## 5. Motion 1: Votes for life for citizens living abroad",
        f"### Motion: {agenda[4]['title']}",
        f"Moved by {names['m003']}, seconded by {names['m015']}.",
        f"> {motion_1['text']}",
        f"- Amendment 1 to “{agenda[4]['title']}”, moved by {names['m020']}, seconded by {names['m021']}, "
        f"to insert “{carried['text']}” after “{carried['after']}”.",
        f"- Amendment 2 to “{agenda[4]['title']}”, moved by {names['m030']}, seconded by {names['m031']}, "
        f"to delete “{lost['text']}”.",
        f"Result on amendment 1 to “{agenda[4]['title']}”: CARRIED by show of hands (for 11, against 1, "
        "abstain 0).",
        f"Result on amendment 2 to “{agenda[4]['title']}”: LOST by show of hands (for 2, against 9, "
        "abstain 1).",
        f"{names['m003']} (right of reply)",
        f"As amended, the motion read:\n\n> {amended}",
        "Result: CARRIED by show of hands (for 11, against 0, abstain 1). Simple majority of votes cast",
        "## 6. Motion 2: Solidarity with Ukraine",
        f"### Procedural motion: That the question be now put\n\nOn “{agenda[5]['title']}”. "
        f"Moved by {names['m018']}, seconded by {names['m019']}.",
        "Result: CARRIED by show of hands (for 11, against 1, abstain 0).",
        f"Debate on “{agenda[5]['title']}” closed; the question was put.",
        "Result: CARRIED by secret ballot (for 12, against 0, abstain 0).",
        "## 8. Elections: officers and conference delegates",
        "Election: Chair (1 seat), by ranked secret ballot.",
        f"Result: ELECTED “{names['m001']}” by secret ballot",
        "Stage 1: first preferences",
        "Election: Conference delegates (2 seats), by ranked secret ballot.",
        "Balance rule: at least 1 of the seats to women.",
        f"Result: ELECTED “{names['m009']}”, “{names['m004']}” by secret ballot",
        "## 9. Any other business",
        f"Speakers: {names['m025']} (point of order: SO 4.1, “The speaker is out of time.”).",
        "The meeting closed at",
    ]
    # In the order things happened: the closure before the result it brought on.
    found = [draft.index(line) for line in expected]
    assert found == sorted(found), found
    assert f"In the chair: {names['m001']}." in draft
    assert "quorate (12 present, 10 needed)" in draft
    assert "The vote opened quorate (12 present, 10 needed)." in draft

    await secretary.ok("minutes.edit", {"text": draft + "\nThe chair thanked the tellers.\n"})
    await chair.ok("minutes.approve", {"note": "Approved at the branch meeting of 10 April 2027."})
    published = await room["m020"].ok("minutes.get", {})
    assert published["status"] == "approved" and "thanked the tellers" in published["text"]
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        page = await http.get(f"/minutes/{hub_server.meeting_id}.html", params={"token": tokens["m020"]})
        assert page.status_code == 200
        assert "<h1>Minutes: Annual General Meeting</h1>" in page.text
        assert "Approved at the branch meeting of 10 April 2027." in page.text
        document = await http.get(f"/minutes/{hub_server.meeting_id}.pdf", params={"token": tokens["m020"]})
        assert document.status_code == 200 and document.content.startswith(b"%PDF")
        printed = "".join(page.extract_text() for page in PdfReader(io.BytesIO(document.content)).pages)
        assert "Approved at the branch meeting of 10 April 2027." in " ".join(printed.split())
        refused_http = await http.get(f"/minutes/{hub_server.meeting_id}.html", params={"token": "forged"})
        assert refused_http.status_code == 403
    await asyncio.gather(*(c.disconnect() for c in clients.values()))
