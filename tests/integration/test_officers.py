"""The officers' console's routes against the real app on real Redis: the permission matrix (every route
by an admin, an officer of Berlin, an officer of Paris, a plain member and someone signed out), and what
each route does: branches, members (search, edit, deactivate, export, import with a preview), meetings
(create for a branch, several branches or everyone; reschedule; cancel), the fair-time scores and heat
map, and a series of meetings (proposed, adjusted, created, and shown on members' homes and calendars);
and `hub admin add`, how an installation starts."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from icalendar import Calendar

from hub.cli import main
from hub.config import Settings
from hub.directory import Directory
from hub.models import MeetingStatus, Role
from hub.officers import OPERATOR, MeetingForm
from hub.runtime import open_hub
from hub.service import Hub
from hub.sessions import Sessions
from signalling import series
from signalling.gateway import WARD_SECONDS
from signalling.officers import ROUTES
from tests.client import MeetingClient
from tests.conftest import RunningHub

ADMIN, BERLIN_OFFICER, PARIS_OFFICER, MEMBER = "m007", "m002", "m008", "m040"
ACTORS = ("admin", "berlin officer", "paris officer", "member", "signed out")


@dataclass
class Console:
    hub: RunningHub
    store: Hub
    cookies: dict[str, str]
    meeting_id: str

    def client(self, actor: str) -> httpx.AsyncClient:
        cookie = self.cookies.get(actor)
        headers = {"Cookie": f"hub_session={cookie}"} if cookie else {}
        return httpx.AsyncClient(base_url=self.hub.url, headers=headers, timeout=20)


@pytest.fixture
async def console(hub_server: RunningHub) -> AsyncIterator[Console]:
    """The demo with a secretary appointed in Berlin and a chair in Paris, a Berlin meeting, and a
    session for each actor."""
    async with open_hub(hub_server.settings) as hub:
        for branch_id, member_id, role in (
            ("berlin", BERLIN_OFFICER, Role.SECRETARY),
            ("paris", PARIS_OFFICER, Role.CHAIR),
        ):
            branch = await hub.branch(branch_id)
            await hub.save_branch(branch.model_copy(update={"roles": {**branch.roles, member_id: role}}))
        form = MeetingForm(branch_id="berlin", title="Berlin branch meeting", starts_at="2031-03-04T19:00")
        meeting = await Directory(hub).create_meeting(OPERATOR, form)
        sessions = Sessions(hub.store.redis, hub_server.settings.signing_secret())
        cookies = {}
        for actor, member_id in zip(ACTORS, (ADMIN, BERLIN_OFFICER, PARIS_OFFICER, MEMBER), strict=False):
            _, cookies[actor] = await sessions.open(member_id, hub.clock())
        yield Console(hub_server, hub, cookies, meeting.id)


BERLIN_CSV = (
    "Member number,Name,Email,Time zone,Branch\nm003,Sofia Costa,member003@example.org,Europe/Berlin,Berlin\n"
)


def requests(console: Console) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """For each route, a request about Berlin: (method, path, json body or query)."""
    meeting = console.meeting_id
    member = {
        "name": "Sofia Costa",
        "email": "member003@example.org",
        "time_zone": "Europe/Berlin",
        "branch": "berlin",
    }
    branch = {"name": "Berlin", "home_time_zone": "Europe/Berlin", "public_livestream": True}
    new_meeting = {
        "branch_id": "berlin",
        "kind": "committee",
        "title": "Committee",
        "starts_at": "2031-04-01T18:00",
    }
    return {
        "GET /api/officers/me": ("GET", "/api/officers/me", {}),
        "GET /api/officers/branches": ("GET", "/api/officers/branches", {}),
        "POST /api/officers/branches": (
            "POST",
            "/api/officers/branches",
            {"name": "Lisbon", "home_time_zone": "Europe/Lisbon"},
        ),
        "POST /api/officers/branches/{branch_id}": ("POST", "/api/officers/branches/berlin", branch),
        "GET /api/officers/members": ("GET", "/api/officers/members", {"branch": "berlin"}),
        "GET /api/officers/members.csv": ("GET", "/api/officers/members.csv", {"branch": "berlin"}),
        "POST /api/officers/members/{member_id}": ("POST", "/api/officers/members/m003", member),
        "POST /api/officers/members/{member_id}/active": (
            "POST",
            "/api/officers/members/m003/active",
            {"active": True},
        ),
        "POST /api/officers/import": (
            "POST",
            "/api/officers/import",
            {"file": base64.b64encode(BERLIN_CSV.encode()).decode()},
        ),
        "GET /api/officers/meetings": ("GET", "/api/officers/meetings", {}),
        "POST /api/officers/meetings": ("POST", "/api/officers/meetings", new_meeting),
        "POST /api/officers/meetings/{meeting_id}/reschedule": (
            "POST",
            f"/api/officers/meetings/{meeting}/reschedule",
            {"starts_at": "2031-03-05T19:00"},
        ),
        "POST /api/officers/meetings/{meeting_id}/cancel": (
            "POST",
            f"/api/officers/meetings/{meeting}/cancel",
            {},
        ),
        "POST /api/officers/fair-times": ("POST", "/api/officers/fair-times", {"branch_id": "berlin"}),
        "POST /api/officers/series/plan": (
            "POST",
            "/api/officers/series/plan",
            {"branch_id": "berlin", "first": "2031-01-06", "meetings": 3},
        ),
        "POST /api/officers/series": (
            "POST",
            "/api/officers/series",
            {"branch_id": "berlin", "title": "Series", "starts": ["2031-01-06T18:00", "2031-02-03T18:00"]},
        ),
    }


# What each actor gets: "ok" (and sees Berlin), "none" (ok, but nothing of Berlin in it), "refused"
# (an import preview whose rows are all errors), or an HTTP status.
EVERY_OFFICER = {"admin": "ok", "berlin officer": "ok", "paris officer": "ok"}
BERLINS = {"admin": "ok", "berlin officer": "ok", "paris officer": 403}
LISTS = {"admin": "ok", "berlin officer": "ok", "paris officer": "none"}
MATRIX: dict[str, dict[str, Any]] = {
    "GET /api/officers/me": EVERY_OFFICER,
    "GET /api/officers/branches": LISTS,
    "POST /api/officers/branches": {"admin": "ok", "berlin officer": 403, "paris officer": 403},
    "POST /api/officers/branches/{branch_id}": BERLINS,
    "GET /api/officers/members": LISTS,
    "GET /api/officers/members.csv": LISTS,
    "POST /api/officers/members/{member_id}": BERLINS,
    "POST /api/officers/members/{member_id}/active": BERLINS,
    "POST /api/officers/import": {"admin": "ok", "berlin officer": "ok", "paris officer": "refused"},
    "GET /api/officers/meetings": LISTS,
    "POST /api/officers/meetings": BERLINS,
    "POST /api/officers/meetings/{meeting_id}/reschedule": BERLINS,
    "POST /api/officers/meetings/{meeting_id}/cancel": BERLINS,
    "POST /api/officers/fair-times": BERLINS,
    "POST /api/officers/series/plan": BERLINS,
    "POST /api/officers/series": BERLINS,
}


def test_the_matrix_covers_every_route() -> None:
    assert sorted(MATRIX) == sorted(f"{r.method} {r.path}" for r in (*ROUTES, *series.ROUTES))


def _sees_berlin(route: str, reply: httpx.Response) -> bool:
    if route.endswith("members.csv"):
        return "member003@example.org" in reply.text
    data = reply.json()["data"]
    if route == "GET /api/officers/branches":
        return any(b["id"] == "berlin" for b in data)
    if route == "GET /api/officers/members":
        return any(m["branch"] == "berlin" for m in data["members"])
    if route == "GET /api/officers/meetings":
        return any(m["branch_id"] == "berlin" for m in data)
    return True


async def test_who_may_see_and_change_what(console: Console) -> None:
    found: dict[str, dict[str, Any]] = {}
    for route, (method, path, payload) in requests(console).items():
        found[route] = {}
        for actor in ACTORS:
            async with console.client(actor) as http:
                if method == "GET":
                    reply = await http.get(path, params=payload)
                else:
                    reply = await http.post(path, json=payload)
            if reply.status_code != 200:
                found[route][actor] = reply.status_code
                assert reply.json()["ok"] is False
            elif route == "POST /api/officers/import" and not reply.json()["data"]["ok"]:
                codes = {p["code"] for row in reply.json()["data"]["rows"] for p in row["problems"]}
                assert codes == {"import.outside_branch"}
                found[route][actor] = "refused"
            else:
                found[route][actor] = "ok" if _sees_berlin(route, reply) else "none"
    expected = {route: {**row, "member": 403, "signed out": 401} for route, row in MATRIX.items()}
    assert found == expected


async def test_changes_take_json_only(console: Console) -> None:
    """A cross-site form cannot post to the console: it cannot send JSON."""
    async with console.client("admin") as http:
        reply = await http.post("/api/officers/branches", data={"name": "Forged"})
        assert reply.status_code == 415 and reply.json()["error"]["code"] == "request.not_json"
        reply = await http.post("/api/officers/branches", json={"name": "", "home_time_zone": "Mars/Base"})
        assert reply.status_code == 400
        problems = {p["field"] for p in reply.json()["error"]["details"]["problems"]}
        assert problems == {"name", "home_time_zone"}


async def test_branches_are_created_and_edited(console: Console) -> None:
    async with console.client("admin") as http:
        made = await http.post(
            "/api/officers/branches", json={"name": "Lisbon", "home_time_zone": "Europe/Lisbon"}
        )
        assert made.json()["data"]["id"] == "lisbon"
        again = await http.post("/api/officers/branches", json={"name": "Lisbon"})
        assert again.status_code == 409 and again.json()["error"]["code"] == "branch.exists"
        orders = {"quorum": {"kind": "fraction", "value": 0.25}, "speech_seconds": 120}
        edit = {
            "name": "Lisboa",
            "home_time_zone": "Europe/Lisbon",
            "public_livestream": True,
            "standing_orders": orders,
        }
        assert (await http.post("/api/officers/branches/lisbon", json=edit)).status_code == 200
    branch = await console.store.branch("lisbon")
    assert (
        branch.name == "Lisboa" and branch.public_livestream and branch.standing_orders.speech_seconds == 120
    )
    # A new meeting of the branch starts from its standing orders.
    meeting = await Directory(console.store).create_meeting(
        OPERATOR, MeetingForm(branch_id="lisbon", title="First", starts_at="2031-01-10T18:00")
    )
    assert meeting.standing_orders.quorum.value == 0.25
    assert meeting.starts_at.isoformat() == "2031-01-10T18:00:00+00:00"  # Lisbon in winter is UTC


async def test_members_are_searched_a_page_at_a_time(console: Console) -> None:
    async with console.client("admin") as http:
        first = (await http.get("/api/officers/members", params={"limit": 20})).json()["data"]
        second = (await http.get("/api/officers/members", params={"limit": 20, "offset": 20})).json()["data"]
        assert first["total"] == 49 and len(first["members"]) == 20 and len(second["members"]) == 20
        names = [m["name"] for m in first["members"] + second["members"]]
        assert names == sorted(names, key=str.casefold)
        found = (await http.get("/api/officers/members", params={"q": "MEMBER040"})).json()["data"]
        assert [m["id"] for m in found["members"]] == ["m040"]
        nobranch = (await http.get("/api/officers/members", params={"branch": "none"})).json()["data"]
        assert nobranch["total"] == 10 and all(m["branch"] is None for m in nobranch["members"])
        bad = await http.get("/api/officers/members", params={"limit": "0"})
        assert bad.status_code == 400
    async with console.client("berlin officer") as http:
        mine = (await http.get("/api/officers/members")).json()["data"]
        assert {m["branch"] for m in mine["members"]} == {"berlin"}


async def test_a_member_is_edited_moved_and_given_a_role(console: Console) -> None:
    async with console.client("admin") as http:
        edit = {
            "name": "Sofia Costa-Lima",
            "email": "sofia@example.org",
            "time_zone": "Europe/Paris",
            "branch": "paris",
            "role": "treasurer",
        }
        reply = await http.post("/api/officers/members/m003", json=edit)
        assert reply.status_code == 200, reply.text
        taken = await http.post("/api/officers/members/m004", json={**edit, "name": "X", "role": None})
        assert taken.status_code == 409 and taken.json()["error"]["code"] == "member.email_taken"
    member = await console.store.member("m003")
    assert (member.name, member.email, member.branch) == ("Sofia Costa-Lima", "sofia@example.org", "paris")
    assert (await console.store.branch("paris")).roles["m003"] == Role.TREASURER
    assert "m003" not in (await console.store.branch("berlin")).roles
    # The Berlin officer no longer reaches her; an officer may not make admins.
    async with console.client("berlin officer") as http:
        assert (await http.post("/api/officers/members/m003", json=edit)).status_code == 403
        mine = {"name": "Tamsin Dubois", "branch": "berlin", "admin": True}
        refused = await http.post("/api/officers/members/m004", json=mine)
        assert refused.status_code == 403


async def test_a_deactivated_member_cannot_sign_in_join_or_be_invited(console: Console) -> None:
    sessions = Sessions(console.store.store.redis, console.hub.settings.signing_secret())
    _, cookie = await sessions.open("m003", console.store.clock())
    token = await console.store.issue_link("m003", console.meeting_id, timedelta(hours=1))
    # In the meeting when deactivated: the connection ends at once, on whichever node holds it.
    present = MeetingClient(console.hub.url, token)
    await present.connect()
    await present.join()
    ended = ending(present)
    async with console.client("berlin officer") as http:
        reply = await http.post("/api/officers/members/m003/active", json={"active": False})
        assert reply.json()["data"]["active"] is False
        yourself = await http.post(f"/api/officers/members/{BERLIN_OFFICER}/active", json={"active": False})
        assert yourself.json()["error"]["code"] == "member.self"
    # Well before the next check (every WARD_SECONDS) would find it.
    await asyncio.wait_for(ended.wait(), 2)
    assert await sessions.find(cookie) is None
    assert await console.store.member_by_email("member003@example.org") is None
    with pytest.raises(Exception, match="not invited"):
        await console.store.admission(token)
    assert await console.store.invitations(await console.store.member("m003")) == []
    async with console.client("admin") as http:
        await http.post("/api/officers/members/m003/active", json={"active": True})
    assert (await console.store.admission(token)).actor.role == Role.MEMBER


async def test_a_node_that_missed_a_deactivation_closes_the_connection_within_its_check(
    console: Console,
) -> None:
    token = await console.store.issue_link("m003", console.meeting_id, timedelta(hours=1))
    present = MeetingClient(console.hub.url, token)
    await present.connect()
    await present.join()
    ended = ending(present)
    # Saved without the announcement, as a node reconnecting to Redis would miss it.
    member = await console.store.member("m003")
    await console.store.store.put("member", "m003", member.model_copy(update={"active": False}).model_dump())
    await console.store.store.mark_active("m003", False)
    await asyncio.wait_for(ended.wait(), WARD_SECONDS * 2)


async def test_the_deactivated_are_known_to_every_node_from_the_start(console: Console) -> None:
    """A store written before the index (or directly) has its deactivated members found on start."""
    for member_id, active in (("m003", False), ("m004", True)):
        member = await console.store.member(member_id)
        await console.store.store.put(
            "member", member_id, member.model_copy(update={"active": active}).model_dump()
        )
    await console.store.store.mark_active("m004", False)
    await console.store.index_members()
    assert await console.store.store.inactive_among(["m003", "m004", "m005"]) == {"m003"}


def ending(client: MeetingClient) -> asyncio.Event:
    """Set when the server closes the client's connection."""
    ended = asyncio.Event()
    client.sio.on("disconnect", lambda *_: ended.set())
    return ended


async def test_the_export_reads_back_and_neutralises_formulas(console: Console) -> None:
    async with console.client("admin") as http:
        await http.post("/api/officers/members/m003", json={"name": '=HYPERLINK("x")', "branch": "berlin"})
        reply = await http.get("/api/officers/members.csv", params={"branch": "berlin"})
    assert reply.headers["content-type"].startswith("text/csv")
    assert reply.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert {r["Member number"] for r in rows} >= {"m001", "m002", "m003"}
    assert next(r for r in rows if r["Member number"] == "m003")["Name"] == '\'=HYPERLINK("x")'
    # Imported again, nothing else changes (the name comes back as text, apostrophe and all).
    found = await console.store.import_members(reply.content, save=False)
    assert found.ok and found.counts["new"] == 0 and found.counts["updated"] == 1


async def test_an_import_is_previewed_then_saved_and_refused_with_any_error(console: Console) -> None:
    good = (
        "number,name,email,time zone,branch,role\n"
        "m200,Ana Nova,ana@example.org,Europe/Berlin,Berlin,officer\n"
    )
    bad = good + "m201,Bad Zone,bad@example.org,Mars/Base,Berlin,\nm202,,nomail,UTC,Atlantis,\n"
    async with console.client("berlin officer") as http:
        preview = (await http.post("/api/officers/import", json={"file": _b64(bad), "save": True})).json()[
            "data"
        ]
        assert not preview["ok"] and not preview["saved"]
        assert [r["outcome"] for r in preview["rows"]] == ["new", "error", "error"]
        fields = [[p["column"] for p in r["problems"]] for r in preview["rows"]]
        assert fields == [[], ["time_zone"], ["name", "email", "branch"]]
        with pytest.raises(Exception, match="no member"):
            await console.store.member("m200")
        shown = (await http.post("/api/officers/import", json={"file": _b64(good)})).json()["data"]
        assert shown["ok"] and not shown["saved"] and shown["counts"]["new"] == 1
        saved = (await http.post("/api/officers/import", json={"file": _b64(good), "save": True})).json()[
            "data"
        ]
        assert saved["saved"]
        bad_base64 = await http.post("/api/officers/import", json={"file": "***"})
        assert bad_base64.status_code == 400
    assert (await console.store.branch("berlin")).roles["m200"] == Role.OFFICER


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def test_meetings_are_created_for_a_branch_several_or_everyone(console: Console) -> None:
    agm = {
        "branch_id": "intl",
        "kind": "agm",
        "title": "AGM 2031",
        "starts_at": "2031-06-07T14:00",
        "invite": "everyone",
        "chair": "m001",
        "secretary": "m007",
        "tellers": ["m012", "m025"],
        "lobby": True,
        "code_of_conduct": "Be kind.",
    }
    joint = {
        "branch_id": "berlin",
        "title": "Berlin and Paris",
        "starts_at": "2031-05-01T19:00",
        "invite": "branches",
        "invited_branches": ["paris"],
    }
    async with console.client("berlin officer") as http:
        refused = await http.post("/api/officers/meetings", json=agm)
        assert refused.status_code == 403
        also_paris = await http.post("/api/officers/meetings", json=joint)
        assert also_paris.status_code == 403
    async with console.client("admin") as http:
        made = (await http.post("/api/officers/meetings", json=agm)).json()["data"]
        assert made["invited"] == 49 and made["everyone"] and made["kind"] == "agm"
        assert made["starts_at"] == "2031-06-07T13:00:00+00:00"  # London in summer
        assert {a["role"] for a in made["appointed"]} == {"chair", "secretary"}
        shared = (await http.post("/api/officers/meetings", json=joint)).json()["data"]
        assert shared["invited"] == 6 + 5  # Berlin's roll and Paris's
        gap = await http.post("/api/officers/meetings", json={**joint, "starts_at": "2031-03-30T02:30"})
        assert gap.status_code == 400 and gap.json()["error"]["code"] == "meeting.bad_time"
        nobody = await http.post("/api/officers/meetings", json={**joint, "chair": "m999"})
        assert nobody.status_code == 404
    _, meeting = await console.store.meeting(made["id"])
    assert [i.kind for i in meeting.agenda][-2:] == ["election", "other"]
    assert meeting.roles == {
        "m012": Role.SECRETARY,
        "m025": Role.SECRETARY,
        "m007": Role.SECRETARY,
        "m001": Role.CHAIR,
    }
    assert meeting.electorate == 49 and meeting.lobby and meeting.code_of_conduct == "Be kind."
    # A member in no branch is invited to the AGM of everyone, and only to that.
    loner = await console.store.member("m040")
    assert [i.meeting.id for i in await console.store.invitations(loner)] == ["agm", made["id"]]
    # A Paris member is invited to the joint meeting, as a member.
    token = await console.store.issue_link("m009", shared["id"], timedelta(hours=1))
    assert (await console.store.admission(token)).actor.role == Role.MEMBER


async def test_a_meeting_is_rescheduled_then_cancelled(console: Console) -> None:
    path = f"/api/officers/meetings/{console.meeting_id}"
    async with console.client("berlin officer") as http:
        moved = (await http.post(f"{path}/reschedule", json={"starts_at": "2031-07-01T20:00"})).json()["data"]
        assert moved["starts_at"] == "2031-07-01T18:00:00+00:00"
        gone = (await http.post(f"{path}/cancel", json={"reason": "Clashes with the conference"})).json()[
            "data"
        ]
        assert gone["status"] == "cancelled"
        late = await http.post(f"{path}/reschedule", json={"starts_at": "2031-07-02T20:00"})
        assert late.status_code == 400 and late.json()["error"]["code"] == "meeting.not_scheduled"
    events = await console.store.store.event_log(console.meeting_id)
    assert [e["type"] for e in events] == ["meeting.created", "meeting.rescheduled", "meeting.cancelled"]
    assert (
        events[2]["data"] == {"reason": "Clashes with the conference"}
        and events[2]["actor"] == BERLIN_OFFICER
    )
    _, meeting = await console.store.meeting(console.meeting_id)
    assert meeting.status == MeetingStatus.CANCELLED and meeting.next_statuses == []


async def test_fair_times_score_the_invited_members(console: Console) -> None:
    async with console.client("admin") as http:
        reply = await http.post(
            "/api/officers/fair-times",
            json={"branch_id": "intl", "invite": "everyone", "starts_at": "2031-06-07T03:00"},
        )
    data = reply.json()["data"]
    assert data["invited"] == 49 and data["time_zone"] == "Europe/London"
    assert len(data["best"]) == 8
    weights = [4 * s["night"] + s["edge"] for s in data["best"]]
    assert weights == sorted(weights)
    # 03:00 in London is night for Europe: worse than every slot proposed.
    assert data["picked"]["night"] > max(s["night"] for s in data["best"])
    assert data["picked"]["by_region"]["Europe"]["night"] > 0
    # The heat map: the picked slot's day (7 June 2031 is a Saturday), hour by hour, every region.
    heat = data["heat"]
    assert heat["weekday"] == 5 and sum(heat["regions"].values()) == 49
    assert [h["start"] for h in heat["hours"]] == [f"{h:02}:00" for h in range(24)]
    assert all(h["weekday"] == 5 for h in heat["hours"])
    assert heat["hours"][3]["by_region"]["Europe"]["night"] == heat["regions"]["Europe"]
    assert "Europe" not in heat["hours"][12]["by_region"]
    async with console.client("admin") as http:
        monday = await http.post(
            "/api/officers/fair-times", json={"branch_id": "intl", "invite": "everyone", "weekday": 0}
        )
        sunday = await http.post(
            "/api/officers/fair-times", json={"branch_id": "intl", "invite": "everyone", "weekday": 7}
        )
    assert monday.json()["data"]["heat"]["weekday"] == 0 and monday.json()["data"]["picked"] is None
    assert sunday.status_code == 400


SERIES = {"branch_id": "intl", "invite": "everyone", "first": "2031-01-06", "every": "month", "meetings": 12}


async def test_a_series_is_proposed_adjusted_and_created(console: Console) -> None:
    async with console.client("admin") as http:
        proposed = (await http.post("/api/officers/series/plan", json=SERIES)).json()["data"]
    assert proposed["proposed"] and proposed["invited"] == 49 and proposed["time_zone"] == "Europe/London"
    meetings = proposed["meetings"]
    assert [m["number"] for m in meetings] == list(range(1, 13))
    # Each meeting falls in its own month, from January 2031, and is scored on its own date.
    assert [m["starts_at"][:7] for m in meetings] == [f"2031-{month:02}" for month in range(1, 13)]
    regions = proposed["regions"]
    assert sum(r["members"] for r in regions.values()) == 49
    # Every slot of the day is night for some region of the sample constituency; the series passes
    # the night round, so that no region has it at every meeting.
    assert all(m["night"] for m in meetings)
    assert all(r["night_meetings"] < 12 for r in regions.values()), regions
    assert len({m["starts_at"][11:] for m in meetings}) > 1

    # The officer moves the second meeting to 03:00 and scores their times.
    starts = [m["starts_at"] for m in meetings]
    starts[1] = starts[1][:11] + "03:00"
    async with console.client("admin") as http:
        mine = (await http.post("/api/officers/series/plan", json={**SERIES, "starts": starts})).json()[
            "data"
        ]
    assert not mine["proposed"] and [m["starts_at"] for m in mine["meetings"]] == starts
    assert mine["meetings"][1]["by_region"]["Europe"]["night"] == regions["Europe"]["members"]
    assert mine["regions"]["Europe"]["night_meetings"] == regions["Europe"]["night_meetings"] + (
        0 if meetings[1]["by_region"].get("Europe", {}).get("night") else 1
    )

    form = {
        "branch_id": "intl",
        "invite": "everyone",
        "kind": "branch",
        "title": "Members' forum",
        "starts": starts,
    }
    async with console.client("berlin officer") as http:
        refused = await http.post("/api/officers/series", json=form)
        assert refused.status_code == 403
    async with console.client("admin") as http:
        gap = await http.post(
            "/api/officers/series", json={**form, "starts": [*starts[:2], "2031-03-30T01:30"]}
        )
        assert gap.status_code == 400 and gap.json()["error"]["code"] == "meeting.bad_time"
        made = (await http.post("/api/officers/series", json=form)).json()["data"]
        listed = (await http.get("/api/officers/meetings")).json()["data"]
    assert len(made["meetings"]) == 12 and made["series"] == made["meetings"][0]["id"]
    assert [m["title"] for m in made["meetings"]] == [f"Members' forum ({n}/12)" for n in range(1, 13)]
    assert all(m["invited"] == 49 and m["everyone"] for m in made["meetings"])
    in_series = [m for m in listed if m["series"] and m["series"]["id"] == made["series"]]
    assert [m["series"]["number"] for m in in_series] == list(range(1, 13))
    assert all(m["series"]["of"] == 12 for m in in_series)
    # Nothing of the refused series was saved.
    assert len([m for m in listed if m["title"].startswith("Members' forum")]) == 12
    _, second = await console.store.meeting(made["meetings"][1]["id"])
    assert second.starts_at.hour == 3 and second.electorate == 49


async def test_a_members_home_and_calendar_show_the_series_in_their_own_time(console: Console) -> None:
    form = {
        "branch_id": "berlin",
        "title": "Berlin branch",
        "starts": ["2031-01-06T19:00", "2031-02-03T19:00", "2031-03-03T19:00"],
    }
    async with console.client("berlin officer") as http:
        made = (await http.post("/api/officers/series", json=form)).json()["data"]
    token = await console.store.issue_home_link("m003", timedelta(days=1))
    async with httpx.AsyncClient(base_url=console.hub.url) as http:
        home = (await http.get(f"/api/home/{token}")).json()["data"]
        feed = await http.get(f"/calendar/{token}.ics")
    shown = [m for m in home["meetings"] if m["series"]]
    assert [m["title"] for m in shown] == [f"Berlin branch ({n}/3)" for n in (1, 2, 3)]
    assert [m["series"] for m in shown] == [{"id": made["series"], "number": n, "of": 3} for n in (1, 2, 3)]
    # 19:00 in Berlin in winter is 18:00 UTC: the page shows it in the member's zone.
    assert shown[0]["starts_at"] == "2031-01-06T18:00:00+00:00" and shown[0]["time_zone"] == "Europe/Berlin"
    events = {str(e["summary"]): e for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    second = events["Berlin branch (2/3) (Berlin)"]
    assert second.decoded("dtstart") == datetime(2031, 2, 3, 18, tzinfo=UTC)
    assert "Meeting 2 of 3 in a series." in str(second["description"])
    assert str(second["related-to"]) == f"{made['series']}@meeting-hub"
    assert "related-to" not in events["Berlin branch (1/3) (Berlin)"]


def test_an_installation_starts_with_hub_admin_add(tmp_path: Path) -> None:
    """On an empty store, `hub admin add` makes the first administrator, who can then sign in; given
    an existing member's address it promotes them."""
    store = ["--data-dir", str(tmp_path)]
    added = CliRunner().invoke(
        main,
        ["admin", "add", *store, "Secretary@Example.org", "Ada Lovelace", "--time-zone", "Europe/London"],
    )
    assert added.exit_code == 0, added.output
    assert (
        "Ada Lovelace <Secretary@example.org>" in added.output and "added as an administrator" in added.output
    )
    again = CliRunner().invoke(main, ["admin", "add", *store, "secretary@example.org", "Ada"])
    assert again.exit_code == 0 and "is now an administrator" in again.output
    for wrong in (
        ["not-an-address", "X"],
        ["a@example.org", ""],
        ["a@example.org", "X", "--time-zone", "Mars/Base"],
    ):
        refused = CliRunner().invoke(main, ["admin", "add", *store, *wrong])
        assert refused.exit_code == 2, refused.output
    taken = CliRunner().invoke(
        main,
        [
            "admin",
            "add",
            *store,
            "b@example.org",
            "B",
            "--id",
            added.output.split("member ")[1].split(")")[0],
        ],
    )
    assert taken.exit_code == 1 and "exists already" in taken.output

    async def stored() -> Any:
        async with open_hub(Settings(data_dir=tmp_path)) as hub:
            return await hub.member_by_email("SECRETARY@example.org"), await hub.members()

    admin, everyone = asyncio.run(stored())
    assert (
        admin is not None
        and admin.admin
        and admin.time_zone == "Europe/London"
        and admin.name == "Ada Lovelace"
    )
    assert [m.id for m in everyone] == [admin.id]


def test_the_scripts_add_a_branch_and_create_a_meeting_as_the_console_does(tmp_path: Path) -> None:
    """`hub branch add` and `hub meeting create`, on the embedded store, through hub/directory.py."""
    store = ["--data-dir", str(tmp_path)]
    assert CliRunner().invoke(main, ["demo", *store]).exit_code == 0
    added = CliRunner().invoke(
        main, ["branch", "add", *store, "São Paulo", "--time-zone", "America/Sao_Paulo"]
    )
    assert (added.exit_code, added.output.strip()) == (0, "Branch sao-paulo added."), added.output
    again = CliRunner().invoke(main, ["branch", "add", *store, "São Paulo"])
    assert again.exit_code == 1 and "branch.exists" in again.output
    zone = CliRunner().invoke(main, ["branch", "add", *store, "Moon", "--time-zone", "Moon/Base"])
    assert zone.exit_code == 2 and "home_time_zone" in zone.output
    made = CliRunner().invoke(
        main,
        [
            *("meeting", "create", *store, "berlin", "2031-05-01 19:00", "--title", "Joint meeting"),
            *("--invite", "branches", "--also", "paris", "--chair", "m001", "--teller", "m003", "--lobby"),
        ],
    )
    assert made.exit_code == 0, made.output
    assert (
        made.output.strip()
        == "Meeting berlin-branch-2031-05-01 created for 01 May 2031 17:00 UTC: 11 members invited."
    )
    agm = CliRunner().invoke(
        main,
        [
            "meeting",
            "create",
            *store,
            "intl",
            "2031-06-07T14:00",
            "--title",
            "AGM",
            "--kind",
            "agm",
            "--invite",
            "everyone",
        ],
    )
    assert "49 members invited" in agm.output
    gap = CliRunner().invoke(
        main, ["meeting", "create", *store, "berlin", "2031-03-30T02:30", "--title", "Gap"]
    )
    assert gap.exit_code == 1 and "meeting.bad_time" in gap.output

    async def stored() -> Any:
        async with open_hub(Settings(data_dir=tmp_path)) as hub:
            return (await hub.branch("sao-paulo")), (await hub.meeting("berlin-branch-2031-05-01"))[1]

    branch, meeting = asyncio.run(stored())
    assert branch.home_time_zone == "America/Sao_Paulo"
    assert meeting.invited_branches == ["paris"] and meeting.lobby
    assert meeting.roles == {"m003": Role.SECRETARY, "m001": Role.CHAIR}
