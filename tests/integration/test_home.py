"""A member's home over HTTP: upcoming meetings with working join links, the calendar feed, published
minutes, and refusals for bad, revoked or wrong-kind links."""

from __future__ import annotations

from datetime import timedelta

import httpx
from icalendar import Calendar

from hub.runtime import open_hub
from tests.client import MeetingClient, joined
from tests.conftest import RunningHub

CHAIR, SECRETARY, MEMBER = "m001", "m007", "m002"


async def home_link(hub_server: RunningHub, member_id: str) -> str:
    async with open_hub(hub_server.settings) as hub:
        return await hub.issue_home_link(member_id, timedelta(days=1))


async def test_home_lists_the_meeting_with_a_join_link_that_admits_the_member(hub_server: RunningHub) -> None:
    token = await home_link(hub_server, MEMBER)
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        page = await http.get(f"/home/{token}")
        assert page.status_code == 200 and '<div id="app"' in page.text
        reply = (await http.get(f"/api/home/{token}")).json()
    assert reply["ok"]
    home = reply["data"]
    assert home["member"]["id"] == MEMBER
    (agm,) = home["meetings"]
    assert (agm["id"], agm["role"], agm["status"]) == (hub_server.meeting_id, "member", "scheduled")
    assert home["minutes"] == []
    client = MeetingClient(hub_server.url, agm["join_url"].removeprefix("/join/"))
    await client.connect()
    await client.join()
    assert client.meeting is not None and MEMBER in client.present()
    await client.disconnect()
    # No livestream, nothing to watch; while one is on, its page, opened by the member's own link.
    assert agm["watch_url"] is None
    chair = await joined(hub_server, "m001")
    await chair.ok("livestream.set", {"audience": "members"})
    await chair.ok("livestream.start", {"quality": "360p", "record": False})
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        (agm,) = (await http.get(f"/api/home/{token}")).json()["data"]["meetings"]
        watch = agm["watch_url"]
        assert watch.startswith(f"/watch/{hub_server.meeting_id}?token=")
        watched = await http.get(watch.replace("/watch/", "/api/live/"))
        assert watched.status_code == 200 and watched.json()["data"]["title"] == "Annual General Meeting"
    await chair.ok("livestream.stop", {})
    await chair.disconnect()


async def test_the_calendar_feed_holds_the_meeting_with_an_absolute_join_link(hub_server: RunningHub) -> None:
    token = await home_link(hub_server, MEMBER)
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        reply = await http.get(f"/calendar/{token}.ics")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(reply.content).walk("VEVENT")
    assert str(event["uid"]) == f"{hub_server.meeting_id}@meeting-hub"
    assert str(event["url"]).startswith(f"{hub_server.url}/join/")


async def test_approved_minutes_appear_on_the_home_page_and_open(hub_server: RunningHub) -> None:
    chair = MeetingClient(hub_server.url, hub_server.links[CHAIR])
    secretary = MeetingClient(hub_server.url, hub_server.links[SECRETARY])
    for client in (chair, secretary):
        await client.connect()
        await client.join()
    await chair.ok("meeting.set_status", {"status": "open"})
    await secretary.ok("minutes.draft", {})
    token = await home_link(hub_server, MEMBER)
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        assert (await http.get(f"/api/home/{token}")).json()["data"]["minutes"] == []
        await chair.ok("minutes.approve", {"note": "Approved at the branch meeting of 10 April 2027."})
        (minutes,) = (await http.get(f"/api/home/{token}")).json()["data"]["minutes"]
        assert minutes["approval_note"] == "Approved at the branch meeting of 10 April 2027."
        page = await http.get(minutes["html_url"])
        assert page.status_code == 200 and "Approved at the branch meeting" in page.text
    for client in (chair, secretary):
        await client.disconnect()


async def test_bad_revoked_and_join_links_are_refused(hub_server: RunningHub) -> None:
    token = await home_link(hub_server, MEMBER)
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        for wrong in ("nonsense", hub_server.links[MEMBER]):
            for path in (f"/api/home/{wrong}", f"/calendar/{wrong}.ics"):
                refused = await http.get(path)
                assert refused.status_code == 403
                assert refused.json()["error"]["code"] == "auth.invalid_token"
        async with open_hub(hub_server.settings) as hub:
            await hub.revoke_link(token)
        refused = await http.get(f"/api/home/{token}")
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "auth.revoked_token")


async def test_join_links_from_home_never_outlive_the_home_link(hub_server: RunningHub) -> None:
    async with open_hub(hub_server.settings) as hub:
        token = await hub.issue_home_link(MEMBER, timedelta(hours=1))
        home_expires = hub.tokens.read_home(token, hub.clock()).expires_at
        async with httpx.AsyncClient(base_url=hub_server.url) as http:
            (agm,) = (await http.get(f"/api/home/{token}")).json()["data"]["meetings"]
        join = hub.tokens.read(agm["join_url"].removeprefix("/join/"), hub.clock())
    # The demo AGM is months away: without the cap the link would last until a day after it.
    assert join.expires_at <= home_expires
