"""Polls over real Socket.IO and Redis: questions the chair puts, each method's ballots and results,
a store written before polls (its votes and an open ballot box) upgraded on start, and nominations
read from the directory. (A ranked secret election of 500 voters is in
tests/integration/test_votes.py, beside the show of hands; the scripted AGM in test_agm.py elects its
officers and delegates.)"""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import msgpack
import redis.asyncio as redis

from hub import polls
from hub.models import Member, Role, Vote
from hub.runtime import open_hub
from tests.client import MeetingClient, until
from tests.conftest import HubProcess, RunningHub, free_port, hub_env
from tests.integration.test_entries import _restore
from tests.integration.test_votes import close_all, seat

ROOT = Path(__file__).resolve().parents[2]
CITIES = ["Lisbon", "Nairobi", "Online", "Manila"]


async def ask(chair: MeetingClient, **fields: Any) -> str:
    reply = await chair.ok(
        "vote.ask", {"question": "Where shall we meet?", "options": CITIES} | fields, timeout=60
    )
    return str(reply["vote_id"])


async def test_one_of_n_and_up_to_k_over_the_wire(hub_server: RunningHub) -> None:
    chair, members = await seat(hub_server, 6)
    tallies: list[dict[str, Any]] = []
    chair.sio.on("vote.tally", tallies.append)
    vote_id = await ask(chair)
    await chair.wait_until(lambda c: bool(c.meeting and c.meeting["votes"]))
    vote = chair.meeting["votes"][0]  # type: ignore[index]
    assert vote["subject"] == {"kind": "question", "motion_id": None, "amendment_id": None, "post_id": None}
    assert [o["label"] for o in vote["options"]] == CITIES and vote["method"] == "one_of"
    for member, choice in zip(members, ["o1", "o3", "o3", "o2", "o3", "o1"], strict=True):
        await member.ok("vote.cast", {"vote_id": vote_id, "choice": choice})
    refused = await members[0].call("vote.cast", {"vote_id": vote_id, "choices": ["o1"]})
    assert refused["error"]["code"] == "vote.invalid_ballot"
    # The live tally counts each option; the tellers see who chose what.
    await until(lambda: any(t["cast"] == 6 for t in tallies))
    assert [t for t in tallies if t["cast"] == 6][-1]["counts"] == {"o1": 2, "o2": 1, "o3": 3, "o4": 0}
    ballots = await chair.ok("vote.ballots", {"vote_id": vote_id})
    assert ballots["ballots"][0] == {"member_id": "v0000", "name": "Voter v0000", "choice": "o1"}
    result = (await chair.ok("vote.close", {"vote_id": vote_id}))["result"]
    assert (result["outcome"], result["chosen"]) == ("chosen", ["o3"])

    up_to = await ask(chair, method="up_to", choose=2)
    for member, marks in zip(members, [["o1", "o2"], ["o2"], ["o4", "o2"]], strict=False):
        reply = await member.ok("vote.cast", {"vote_id": up_to, "choices": marks})
        assert reply["choices"] == sorted(marks)
    too_many = await members[4].call("vote.cast", {"vote_id": up_to, "choices": ["o1", "o2", "o3"]})
    assert too_many["error"]["code"] == "vote.invalid_ballot" and "at most 2" in too_many["error"]["message"]
    ballots = await chair.ok("vote.ballots", {"vote_id": up_to})
    assert ballots["ballots"][2]["choices"] == ["o2", "o4"]
    result = (await chair.ok("vote.close", {"vote_id": up_to}))["result"]
    assert result["counts"] == {"o1": 1, "o2": 3, "o3": 0, "o4": 1}
    assert (result["outcome"], result["chosen"]) == ("tied", ["o2"])
    await close_all([chair, *members])


async def test_a_store_written_before_polls_is_read_as_polls_and_its_open_box_upgraded(
    hub_server: RunningHub, redis_url: str
) -> None:
    """The data file holds every key the release before polls (commit b71bd8b) wrote for a meeting of a
    chair and six members: a show of hands and a secret ballot closed, and a secret ballot open with
    five ballots in its box (for 3, against 1, abstain 1)."""
    dump = msgpack.unpackb((ROOT / "tests/data/store-before-polls.msgpack").read_bytes(), raw=True)
    client = redis.Redis.from_url(redis_url)
    await client.flushall()
    await _restore(client, {key: [kind.decode(), value] for key, (kind, value) in dump.items()})
    box = "hub:{m:vote}:vote:v6:"
    assert await client.type(box + "counts") == b"hash"
    async with open_hub(hub_server.settings) as service:
        await service.upgrade()
        await service.upgrade()  # once: a second start changes nothing
        _, meeting = await service.meeting("vote")
        tokens = {m: await service.issue_link(m, "vote", timedelta(hours=1)) for m in ("chair", "v0005")}
    assert await client.type(box + "counts") == b"zset"
    assert await client.hget(box + "box", "secrecy") == b"secret"
    hands, secret, still_open = meeting.votes
    assert (hands.method, hands.secrecy, secret.secrecy) == ("yes_no", "open", "secret")
    assert hands.result is not None and hands.result.counts == {"for": 3, "against": 1, "abstain": 1}
    assert (
        still_open.status == "open" and Vote.model_validate(still_open.model_dump(mode="json")) == still_open
    )

    chair, late = (
        MeetingClient(hub_server.url, tokens["chair"]),
        MeetingClient(hub_server.url, tokens["v0005"]),
    )
    for c in (chair, late):
        await c.connect()
        await c.join()
    reply = await late.ok("vote.cast", {"vote_id": "v6", "choice": "against"})
    assert reply["receipt"] and reply["cast"] == 6
    result = (await chair.ok("vote.close", {"vote_id": "v6"}))["result"]
    assert result["counts"] == {"for": 3, "against": 2, "abstain": 1} and result["outcome"] == "carried"
    assert polls.totals(still_open, {"for": 3, "against": 2, "abstain": 1})["for"] == 3
    await close_all([chair, late])
    await client.aclose()


async def test_a_nomination_reads_the_nominee_from_the_directory(hub_server: RunningHub) -> None:
    """Nominating reads the nominee's name, role and balance group at the edge: a member who never
    joined can be nominated, one not invited to the meeting cannot."""
    chair, members = await seat(hub_server, 6)
    async with open_hub(hub_server.settings) as service:
        await service.save_member(Member(id="absent", name="Ana Absent", gender="woman"))
        branch = await service.branch("big")
        branch.roles["absent"] = Role.MEMBER
        await service.save_branch(branch)
    item = await chair.ok("agenda.add", {"title": "Elections", "kind": "election"})
    post = await chair.ok(
        "election.add_post", {"item_id": item["item_id"], "title": "Delegate", "women_at_least": 1}
    )
    nominated = await members[0].ok("election.nominate", {"post_id": post["post_id"], "member_id": "absent"})
    await chair.wait_until(lambda c: bool(c.meeting and c.meeting["nominations"]))
    nomination = chair.meeting["nominations"][0]  # type: ignore[index]
    assert nomination["id"] == nominated["nomination_id"]
    assert (nomination["name"], nomination["group"], nomination["accepted"]) == ("Ana Absent", "woman", False)
    for member_id, code in (("m002", "election.not_invited"), ("nobody", "member.not_found")):
        refused = await members[1].call(
            "election.nominate", {"post_id": post["post_id"], "member_id": member_id}
        )
        assert refused["error"]["code"] == code
    await close_all([chair, *members])


async def test_an_advance_poll_spans_a_restart_and_takes_one_ballot_each_from_home_or_room(
    hub_server: RunningHub, tmp_path: Path
) -> None:
    """An advance secret poll, cast in from the room and the home page on either side of a hub killed
    and restarted; each member has one ballot wherever they cast it; it closes by itself on time."""
    settings = hub_server.settings
    env = hub_env(HUB_SECRET=settings.secret or "")
    process = HubProcess(tmp_path, free_port(), "--redis-url", settings.redis_url or "", env=env)
    await process.start()
    chair, members = await seat(hub_server, 4, process.url)
    await close_all([members[3]])  # the chair removes them below; their connection would be closed
    closes = datetime.now(UTC) + timedelta(seconds=10)
    ask = {"question": "Where?", "options": CITIES, "secrecy": "secret", "closes_at": closes.isoformat()}
    vote_id = (await chair.ok("vote.ask", ask))["vote_id"]
    await members[0].ok("vote.cast", {"vote_id": vote_id, "choice": "o1"})
    # One removed from the meeting has no ballot in it, from the room or from home.
    await chair.ok("participant.remove", {"member_id": "v0003"})
    async with open_hub(settings) as service:
        homes = {m: await service.issue_home_link(m, timedelta(hours=1)) for m in ("v0001", "v0002", "v0003")}
        outsider = await service.issue_home_link("m002", timedelta(hours=1))
    await close_all([chair, *members[:3]])
    process.stop(signal.SIGKILL)
    await process.start()

    async with httpx.AsyncClient(base_url=process.url) as http:
        path = f"/api/home/{homes['v0001']}"
        [poll] = (await http.get(path)).json()["data"]["polls"]
        assert (poll["vote"]["id"], poll["voted"], poll["receipt"]) == (vote_id, False, None)
        ballot = {"meeting_id": "vote", "vote_id": vote_id, "choice": "o2"}
        cast = (await http.post(f"{path}/ballots", json=ballot)).json()
        assert cast["ok"] and cast["data"]["receipt"] and not cast["data"]["already"]
        [poll] = (await http.get(path)).json()["data"]["polls"]
        assert (poll["voted"], poll["receipt"]) == (True, cast["data"]["receipt"])
        removed = await http.post(f"/api/home/{homes['v0003']}/ballots", json=ballot)
        assert removed.status_code == 403 and removed.json()["error"]["code"] == "vote.not_eligible"
        # A member of another branch, not invited: to them there is no such meeting.
        stranger = await http.post(f"/api/home/{outsider}/ballots", json=ballot)
        assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "meeting.not_found"
        # In the room, the same member's ballot is already in the box: the same receipt, nothing new.
        room = MeetingClient(process.url, members[1].token)
        tallies: list[dict[str, Any]] = []
        room.sio.on("vote.tally", tallies.append)
        await room.connect()
        await room.join()
        # One who joins while a poll is open hears how far it has got (no counts: it is secret).
        await until(lambda: any(t["vote_id"] == vote_id and t["cast"] == 2 for t in tallies))
        assert "counts" not in tallies[-1]
        again = await room.ok("vote.cast", {"vote_id": vote_id, "choice": "o3"})
        assert again["already"] and again["receipt"] == cast["data"]["receipt"]
        other = MeetingClient(process.url, members[2].token)
        await other.connect()
        await other.join()
        await other.ok("vote.cast", {"vote_id": vote_id, "choice": "o2"})
        await room.wait_until(
            lambda c: bool(c.meeting and c.meeting["votes"][0]["status"] == "closed"), timeout=30
        )
        result = room.meeting["votes"][0]["result"]  # type: ignore[index]
        assert result["counts"] == {"o1": 1, "o2": 2, "o3": 0, "o4": 0} and result["chosen"] == ["o2"]
        late = await http.post(f"/api/home/{homes['v0002']}/ballots", json={**ballot, "choice": "o1"})
        assert late.status_code == 409 and late.json()["error"]["code"] == "vote.closed"
        assert (await http.get(f"/api/home/{homes['v0002']}")).json()["data"]["polls"] == []
    await close_all([room, other])
    process.stop()
