"""The livestream's viewer page (/watch/MEETING): a member follows the AGM with their join link and no
camera, microphone or meeting role: "Not live yet" with the start in their time zone and the meeting's,
then "Live" with the programme playing (its time advancing, frames decoded), the current item marked in
the agenda beside the video and the speaker named in a polite live region, then "Ended". Who may watch:
members by their own link, anyone once the livestream is public; a wrong link or meeting is told so.
No serious accessibility violations, on a phone and a desktop. The screenshots illustrate
docs/guide/member.md."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, expect

from hub.runtime import open_hub
from tests.client import MeetingClient, joined
from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, picture, wait_until

CHAIR, ANA, BEN = "m001", "m002", "m025"
VIEWER_ZONE = "America/Mexico_City"
EN = Path(__file__).resolve().parents[2] / "web" / "src" / "locales" / "en.json"

# Counts the page's requests for a camera or microphone: it must make none.
COUNT_MEDIA_REQUESTS = """
window.__mediaRequests = 0;
if (navigator.mediaDevices) {
  const ask = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (constraints) => {
    window.__mediaRequests += 1;
    return ask(constraints);
  };
}
"""

PLAYING = """() => {
  const video = document.querySelector('#viewer-video');
  return video.currentTime > 2 && video.getVideoPlaybackQuality().totalVideoFrames > 0;
}"""


@pytest.fixture
async def chair(hub_server: RunningHub) -> AsyncIterator[MeetingClient]:
    client = await joined(hub_server, CHAIR)
    yield client
    await client.disconnect()


async def watch(browser: Browser, hub: RunningHub, query: str, width: int = 1280, meeting: str = "") -> Page:
    """The viewer page in a new browser context with no permissions granted, in the viewer's own zone."""
    context = await browser.new_context(
        viewport={"width": width, "height": 900 if width > 600 else 812},
        locale="en-GB",
        timezone_id=VIEWER_ZONE,
    )
    await context.add_init_script(COUNT_MEDIA_REQUESTS)
    page = await context.new_page()
    await page.goto(f"{hub.url}/watch/{meeting or hub.meeting_id}{query}")
    return page


async def test_a_member_watches_the_agm_from_not_live_to_ended(
    hub_server: RunningHub, chair: MeetingClient, browser: Browser, artifacts: Path
) -> None:
    async with open_hub(hub_server.settings) as hub:
        _, meeting = await hub.meeting(hub_server.meeting_id)
    ana = await watch(browser, hub_server, f"?token={hub_server.links[ANA]}")
    phone = await watch(browser, hub_server, f"?token={hub_server.links[ANA]}", width=375)

    # Before it starts: the start in the viewer's zone and the meeting's, and the agenda.
    for page in (ana, phone):
        await expect(page.locator("#viewer-title")).to_have_text(meeting.title)
        await expect(page.locator("#live-state")).to_have_text("Not live yet")
    when = ana.locator("#viewer-when")
    await expect(when.locator("dd").first).to_contain_text(
        meeting.starts_at.astimezone(ZoneInfo(VIEWER_ZONE)).strftime("%H:%M")
    )
    await expect(when.locator("dt").nth(1)).to_have_text(f"Meeting time ({meeting.time_zone})")
    await expect(when.locator("dd").nth(1)).to_contain_text(
        meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone)).strftime("%H:%M")
    )
    agenda = ana.get_by_role("region", name="Agenda")
    await expect(agenda.locator("li")).to_have_text([item.title for item in meeting.agenda])
    await expect(ana.locator("#viewer-slate")).to_have_text("The livestream has not started yet.")
    await assert_accessible(ana)
    await assert_accessible(phone)
    await picture(phone, artifacts / "livestream-viewer-waiting-phone.png")

    # The chair starts the livestream; the meeting sits on item a3 and a member has the floor.
    ben = await joined(hub_server, BEN)
    try:
        await chair.ok("livestream.start", {"quality": "360p", "audience": "members"})
        await chair.ok("meeting.set_status", {"status": "open"})
        for client in (chair, ben):
            await client.ok("attendance.check_in")
        await chair.ok("meeting.set_status", {"status": "in_session"})
        await chair.ok("agenda.select", {"item_id": "a3"})
        await ben.ok("speaker.request", {})
        await chair.ok("speaker.call", {})
    finally:
        await ben.disconnect()
    named, role = hub_server.members[BEN]
    role_name = json.loads(EN.read_text())["role"][role.value]

    # Live within a few polls: the programme plays, muted until the viewer turns the sound on.
    for page in (ana, phone):
        await expect(page.locator("#live-state")).to_have_text("Live", timeout=30_000)
        await wait_until(page, PLAYING, timeout=30_000)
        video = page.locator("#viewer-video")
        for attribute in ("controls", "playsinline", "muted"):
            await expect(video).to_have_attribute(attribute, "")
        current = page.locator("#viewer-agenda li[aria-current='step']")
        await expect(current).to_have_count(1)
        await expect(current).to_contain_text(next(i.title for i in meeting.agenda if i.id == "a3"))
        speaker = page.locator("#viewer-speaker")
        await expect(speaker).to_have_attribute("aria-live", "polite")
        await expect(speaker).to_have_text(f"Speaking: {named.name}, {role_name}")
    await expect(phone.get_by_role("button", name="Turn the sound on")).to_be_visible()
    # On a phone the video comes first and the agenda under it.
    video_box = await phone.locator("#viewer-video").bounding_box()
    agenda_box = await phone.get_by_role("region", name="Agenda").bounding_box()
    assert video_box and agenda_box and agenda_box["y"] >= video_box["y"] + video_box["height"]
    assert await phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await assert_accessible(ana)
    await assert_accessible(phone)
    await picture(ana, artifacts / "livestream-viewer.png")
    await picture(phone, artifacts / "livestream-viewer-phone.png")
    await phone.get_by_role("button", name="Turn the sound on").click()
    await expect(phone.get_by_role("button", name="Turn the sound on")).to_have_count(0)
    assert await phone.evaluate("document.querySelector('#viewer-video').muted") is False

    # The chair stops it: the page says it has ended and plays nothing.
    await chair.ok("livestream.stop")
    for page in (ana, phone):
        await expect(page.locator("#live-state")).to_have_text("Ended", timeout=15_000)
        await expect(page.locator("#viewer-slate")).to_have_text(
            "The livestream has ended. Thank you for watching."
        )
        await expect(page.locator("#viewer-speaker")).to_have_text("")
        assert await page.evaluate("document.querySelector('#viewer-video').getAttribute('src') === null")
        # The page never asked for a camera or a microphone.
        assert await page.evaluate("window.__mediaRequests") == 0
    await assert_accessible(phone)


async def test_who_may_watch(hub_server: RunningHub, chair: MeetingClient, browser: Browser) -> None:
    await chair.ok("livestream.set", {"audience": "members"})
    # Members only: no link, or a wrong one, is refused and told how members watch.
    for query in ("", "?token=not-a-join-link"):
        page = await watch(browser, hub_server, query)
        refused = page.get_by_role("alert")
        await expect(refused.get_by_role("heading")).to_have_text("This link cannot watch this livestream")
        await expect(refused).to_contain_text(
            "Members watch with the link from their invitation or their home page."
        )
        await assert_accessible(page)
        await page.context.close()
    # A member's own link is enough.
    member = await watch(browser, hub_server, f"?token={hub_server.links[ANA]}")
    await expect(member.locator("#live-state")).to_have_text("Not live yet")

    # A meeting that does not exist.
    missing = await watch(browser, hub_server, "", meeting="no-such-meeting")
    await expect(missing.get_by_role("alert").get_by_role("heading")).to_have_text("No such livestream")
    await assert_accessible(missing)

    # Public: anyone with the link, without a token; the page that was refused sees it at its next poll.
    anyone = await watch(browser, hub_server, "")
    await expect(anyone.get_by_role("alert")).to_be_visible()
    await chair.ok("livestream.set", {"audience": "public"})
    await expect(anyone.locator("#live-state")).to_have_text("Not live yet", timeout=15_000)
    await expect(anyone.get_by_role("alert")).to_have_count(0)
