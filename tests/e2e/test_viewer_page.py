"""The livestream's viewer page (/watch/MEETING): a member follows the AGM with their join link and no
camera, microphone or meeting role: "Not live yet" with the start in their time zone and the meeting's,
then "Live" with the programme playing (its time advancing, frames decoded), the current item marked in
the agenda beside the video and the speaker named in a polite live region as the picture shows them, each
page counted once as a viewer by its heartbeat, then "Ended". Once a recording is finished it plays in
the video's place, its start in the viewer's zone and its length, with its chapters under it: a chapter
chosen (by mouse or keyboard) plays from its start and the one playing is marked; live again, the
recordings go under the live video, and one video plays at a time. Who may watch: members by their own
link, anyone once the livestream is public; a wrong link or meeting is told so. No serious accessibility
violations, on a phone and a desktop. The screenshots illustrate docs/guide/member.md."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, Page, Response, expect

from hub.media import Forwarding
from hub.programme import Scene, scene
from hub.runtime import open_hub
from signalling.live import recordings
from signalling.live.encode import QUALITIES
from signalling.live.outputs import recording_hls
from signalling.live.pipeline import Pipeline
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


def reads_live(response: Response) -> bool:
    """The viewer page reading what it shows (GET /api/live/MEETING)."""
    return "/api/live/" in response.url and response.request.method == "GET"


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
        await chair.ok("livestream.start", {"quality": "360p", "audience": "members", "record": False})
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
    # Each page load is one viewer, however often it beats.
    async with open_hub(hub_server.settings) as hub:
        assert await hub.store.live_viewers(hub_server.meeting_id, datetime.now(UTC)) == 2
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

    # The floor passes to Ana while the phone's viewer has paused the picture before her call: the page
    # hears of it, but names her only once the picture, played again, reaches her call.
    await phone.evaluate("document.querySelector('#viewer-video').pause()")
    before = await phone.locator("#viewer-speaker").inner_text()
    assert named.name in before
    speaker_ana = await joined(hub_server, ANA)
    named_ana = hub_server.members[ANA][0].name
    try:
        await speaker_ana.ok("attendance.check_in")
        await speaker_ana.ok("speaker.request", {})
        await chair.ok("speech.end")
        await chair.ok("speaker.call", {})
        # Until the page's own reading of the livestream names her.
        while True:
            read = await phone.wait_for_event("response", reads_live, timeout=15_000)
            if named_ana in await read.text():
                break
    finally:
        await speaker_ana.disconnect()
    # Shown a second later still as the paused picture has it.
    await phone.wait_for_timeout(1000)
    await expect(phone.locator("#viewer-speaker")).to_have_text(before)
    await phone.evaluate("document.querySelector('#viewer-video').play()")
    await expect(phone.locator("#viewer-speaker")).to_contain_text(named_ana, timeout=20_000)

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


FPS = 30


def record(directory: Path, t0: datetime, seconds: int, shown: Scene) -> None:
    """A part of a recording as the feed writes one: `seconds` of `shown` from `t0`."""
    part = directory / "0"
    part.mkdir(parents=True)
    (part / recordings.PART).write_text(json.dumps({"t0": t0.isoformat()}))
    pipeline = Pipeline(QUALITIES["360p"], [recording_hls(part)], fps=FPS)
    pipeline.show(shown, video=None, audio=[])
    for index in range(seconds * FPS):
        pipeline.tick(index, t0 + timedelta(seconds=index / FPS))
    pipeline.close()


def cues(vtt: str) -> list[tuple[float, str]]:
    """Each chapter's start, in seconds, and its title."""
    lines = vtt.splitlines()
    found = []
    for n, line in enumerate(lines):
        if "-->" in line:
            hours, minutes, seconds = line.split(" --> ")[0].split(":")
            found.append((int(hours) * 3600 + int(minutes) * 60 + float(seconds), lines[n + 1]))
    return found


VIDEO = "document.querySelector('#viewer-recording-video')"
CURRENT_TIME = f"{VIDEO}.currentTime"
PLAYING_CHAPTER = "#viewer-chapters [aria-current='true'] .title"


async def test_a_member_watches_the_recording_by_its_chapters(
    hub_server: RunningHub, chair: MeetingClient, browser: Browser, artifacts: Path
) -> None:
    # A livestream started and stopped, and a recording of the meeting's first items; one item's title
    # looks like markup, which the chapters show as text.
    await chair.ok("livestream.start", {"quality": "360p", "audience": "members", "record": False})
    await chair.ok("livestream.stop")
    hostile = "Questions & answers <to the treasurer>"
    added = await chair.ok("agenda.add", {"title": hostile, "position": 1})
    t0 = datetime.now(UTC)
    await asyncio.sleep(1.5)
    await chair.ok("meeting.set_status", {"status": "open"})
    for item in ("a1", added["item_id"]):
        await asyncio.sleep(1.5)
        await chair.ok("agenda.select", {"item_id": item})
    async with open_hub(hub_server.settings) as hub:
        directory = (
            hub_server.settings.live_root.parent
            / "recordings"
            / hub_server.meeting_id
            / t0.strftime(recordings.STAMP)
        )
        _, meeting = await hub.meeting(hub_server.meeting_id)
        # The chair's name card under the current item, as the feed shows it with no camera on.
        nobody = Forwarding(frozenset(), frozenset(), frozenset())
        shown = scene(meeting, datetime.now(UTC), cameras=(), forwarding=nobody)
        await asyncio.to_thread(record, directory, t0, 8, shown)
        recording = await recordings.record(hub, hub_server.meeting_id, directory)
    assert recording is not None and recording.status == "ready"
    token = hub_server.links[ANA]
    served = f"/recordings/{hub_server.meeting_id}/{recording.id}"
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        vtt = await http.get(f"{served}.vtt", params={"token": token})
    chapters = cues(vtt.text)
    titles = [title for _, title in chapters]
    assert titles[-2:] == [f"1. {meeting.agenda[0].title}", f"2. {hostile}"], chapters

    desk = await watch(browser, hub_server, f"?token={token}")
    phone = await watch(browser, hub_server, f"?token={token}", width=375)
    started = t0.astimezone(ZoneInfo(VIEWER_ZONE)).strftime("%H:%M")
    for page in (desk, phone):
        await expect(page.locator("#live-state")).to_have_text("Ended")
        # The recording in the live video's place: when it started, in the viewer's zone, and how long.
        listed = page.get_by_role("region", name="Recordings").locator("#viewer-recordings li")
        await expect(listed).to_have_count(1)
        await expect(listed).to_contain_text(started)
        await expect(listed).to_contain_text("length 0:08")
        await expect(listed.get_by_role("button")).to_have_attribute("aria-current", "true")
        await expect(page.locator("#viewer-video")).to_have_count(0)
        video = page.locator("#viewer-recording-video")
        await expect(video).to_have_attribute("src", f"{served}.mp4?token={token}")
        # Its chapters, as text, the first marked before it plays.
        await expect(page.locator("#viewer-chapters li .title")).to_have_text(titles)
        assert await page.locator("#viewer-chapters .title *").count() == 0
        await expect(page.locator(PLAYING_CHAPTER)).to_have_text(titles[0])

    # A chapter clicked plays from its start, and is marked.
    start, title = chapters[-1]
    await desk.get_by_role("button", name=title).click()
    await wait_until(
        desk, f"{CURRENT_TIME} >= {start - 0.05} && {CURRENT_TIME} < {start + 3}", timeout=10_000
    )
    await expect(desk.locator(PLAYING_CHAPTER)).to_have_text(title)
    # By keyboard: the first chapter, from its start; playing on, the next one is marked.
    first = desk.locator("#viewer-chapters button").first
    await first.focus()
    await desk.keyboard.press("Enter")
    await wait_until(desk, f"{CURRENT_TIME} < {chapters[1][0]}", timeout=10_000)
    await wait_until(desk, f"{CURRENT_TIME} > {chapters[1][0] + 0.3}", timeout=10_000)
    await desk.evaluate(f"{VIDEO}.pause()")
    now = await desk.evaluate(CURRENT_TIME)
    await expect(desk.locator(PLAYING_CHAPTER)).to_have_text(
        next(title for at, title in reversed(chapters) if at <= now)
    )

    assert await phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await assert_accessible(desk)
    await assert_accessible(phone)
    # For the guide: each paused in the first item, nothing under the pointer or focused.
    for page in (desk, phone):
        await page.get_by_role("button", name=titles[-2]).click()
        await page.evaluate(f"{VIDEO}.pause()")
        await page.mouse.move(0, 0)
        await page.evaluate("document.activeElement.blur()")
        await expect(page.locator(PLAYING_CHAPTER)).to_have_text(titles[-2])
    await picture(desk, artifacts / "livestream-recording.png")
    await picture(phone, artifacts / "livestream-recording-phone.png")

    # Live again: the livestream in the video's place, the recordings under it and none playing until
    # one is chosen; one video plays at a time.
    await chair.ok("livestream.start", {"quality": "360p", "audience": "members", "record": False})
    await expect(desk.locator("#live-state")).to_have_text("Live", timeout=30_000)
    below = desk.get_by_role("region", name="Recordings")
    await expect(below.locator("#viewer-recordings li")).to_have_count(1)
    await expect(desk.locator("#viewer-recording-video")).to_have_count(0)
    live_box, below_box = await desk.locator("#viewer-video").bounding_box(), await below.bounding_box()
    assert live_box and below_box and below_box["y"] >= live_box["y"] + live_box["height"]
    live = "document.querySelector('#viewer-video')"
    await wait_until(desk, f"{live}.readyState >= 3", timeout=30_000)
    await desk.evaluate(f"{live}.play()")
    await below.get_by_role("button").first.click()
    await expect(below.get_by_role("button").first).to_have_attribute("aria-current", "true")
    await desk.get_by_role("button", name=titles[-1]).click()
    await wait_until(desk, f"!{VIDEO}.paused && {live}.paused", 10_000)
    await assert_accessible(desk)
    await chair.ok("livestream.stop")
