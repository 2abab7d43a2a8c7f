"""A member who follows the livestream in the room instead of the call, in Chromium: while the meeting is
livestreamed the join screen offers to follow it; the stage then plays the programme (its time advancing,
frames decoded) and the member holds no peer connection, following again after the connection drops.
Called by the chair, the page silences the stream and joins the call with the microphone in one step,
and the member in the call hears them; when the speech ends the page leaves the call and plays the
stream again. Each change is said in a live region. No serious accessibility violations; the phone's
screenshot illustrates docs/guide/member.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.client import MeetingClient, joined, until
from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, picture, wait_until
from tests.e2e.test_media import BEA, CHAIR, OMAR, flowing, join_media, open_as

pytestmark = pytest.mark.timeout(150)

# The stage's livestream plays: its time advances past `seconds` with frames decoded.
PLAYING = """(seconds) => {
  const video = document.querySelector('#follow-video');
  return !!video && video.currentTime > seconds && video.getVideoPlaybackQuality().totalVideoFrames > 0;
}"""


async def plays(page: Page) -> None:
    start = await page.evaluate("document.querySelector('#follow-video')?.currentTime ?? 0")
    await wait_until(page, f"({PLAYING})({start + 2})", timeout=40_000)


def media_of(chair: MeetingClient, member: str) -> str | None:
    assert chair.meeting is not None
    media: str | None = chair.meeting["participants"][member]["media"]
    return media


def queued(chair: MeetingClient) -> list[str]:
    assert chair.meeting is not None
    item = next(i for i in chair.meeting["agenda"] if i["id"] == chair.meeting["current_item"])
    return [entry["member_id"] for entry in item["queue"]]


async def stop_livestream(hub: RunningHub, chair: MeetingClient) -> None:
    """Stopped, and its feed finished (the playlist ends) before the hub stops."""
    await chair.ok("livestream.stop", {})
    playlists = list((hub.settings.live_root / hub.meeting_id).glob("*/index.m3u8"))
    assert playlists
    await until(lambda: all("#EXT-X-ENDLIST" in p.read_text() for p in playlists), 20)


async def test_a_follower_is_called_into_the_call_heard_and_follows_again(
    media_hub: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await joined(media_hub, CHAIR)
    try:
        await chair.ok("meeting.set_status", {"status": "open"})
        await chair.ok("agenda.select", {"item_id": "a1"})
        omar = await open_as(browser, media_hub, OMAR)
        await join_media(omar, "Audio only (no camera)")
        await chair.ok("livestream.start", {"quality": "360p", "record": False})
        # A large meeting, as the media settings count it (and so a formal one).
        await chair.ok("media.set_settings", {"formal_above": 1})

        # The join screen offers to follow the livestream, on a phone: first, in a meeting this size.
        bea = await open_as(browser, media_hub, BEA, width=375)
        offer = bea.locator("#follow-offer")
        await expect(offer).to_contain_text("A large meeting")
        assert await bea.evaluate(
            "document.querySelector('#follow-offer').compareDocumentPosition("
            "document.querySelector('#media-setup')) === Node.DOCUMENT_POSITION_FOLLOWING"
        )
        await offer.get_by_label("Microphone only").check()
        await assert_accessible(bea)
        await bea.get_by_role("button", name="Follow the livestream").click()
        await plays(bea)
        assert await bea.evaluate("window.hub.media.pc === null")
        await chair.wait_until(lambda c: media_of(c, BEA) == "follow")
        await assert_accessible(bea)
        await picture(bea, artifacts / "follow-livestream-phone.png")

        # The connection drops: its follow ends with it, and the new one follows again.
        await bea.evaluate("window.hub.connection.socket.io.engine.close()")
        await chair.wait_until(lambda c: media_of(c, BEA) is None)
        await chair.wait_until(lambda c: media_of(c, BEA) == "follow")

        # Called: the stream stops, Bea is in the call, and Omar hears her.
        await bea.locator("#toolbar").get_by_role("button", name="Raise hand", exact=True).click()
        await chair.wait_until(lambda c: BEA in queued(c))
        assert "warning" not in await chair.ok("speaker.call", {})
        note = bea.locator("#follow-note")
        await expect(note).to_have_attribute("role", "status")
        await expect(note).to_have_text("You have the floor: you are now in the call.")
        await expect(bea.locator("#follow-video")).to_have_count(0)
        await wait_until(bea, "window.hub.media.pc && window.hub.media.pc.connectionState === 'connected'")
        assert await bea.evaluate("window.hub.media.mode") == "audio"
        await chair.wait_until(lambda c: media_of(c, BEA) == "audio")
        await flowing(omar, BEA, "microphone", "packets", 20)
        await assert_accessible(bea)

        # The speech ends: back to the livestream, out of the call.
        await chair.ok("speech.end", {})
        await expect(note).to_have_text("Back to the livestream.")
        await plays(bea)
        assert await bea.evaluate("window.hub.media.pc === null")
        await chair.wait_until(lambda c: media_of(c, BEA) == "follow")
        await wait_until(omar, f"Object.values(window.hub.media.streams).every(s => s.member_id !== '{BEA}')")
        await assert_accessible(bea)

        # Following no more: the join screen again.
        await bea.get_by_role("button", name="Stop following the livestream").click()
        await expect(bea.get_by_role("button", name="Join audio and video")).to_be_visible()
        await chair.wait_until(lambda c: media_of(c, BEA) is None)
        await stop_livestream(media_hub, chair)
    finally:
        await chair.disconnect()
