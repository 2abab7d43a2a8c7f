"""Audio and video in Chromium through the relay: members check their devices, join, see and hear each
other; the chair mutes, formal mode opens only the called speaker's mic, a listener sends nothing, and
the media comes back by itself after the connection drops.

What each browser sends and receives is read from its RTCPeerConnection's getStats(), each received
stream mapped to the member who sends it through the relay's latest offer."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, picture, tab, unfold, wait_until

pytestmark = pytest.mark.timeout(90)

CHAIR, BEA, OMAR, CIARAN = "m001", "m002", "m025", "m040"
NAMES = {CHAIR: "Eleni Adeyemi", BEA: "Beatriz Bauer", OMAR: "Omar Young", CIARAN: "Ciaran Jensen"}
CALLED = "The chair has called you: your microphone is open."
UNCALLED = "your microphone opens when the chair calls you"

# Records when each peer connection first connects, for the late joiner's timing.
RECORD_CONNECTED = """
(() => {
  const Base = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Base {
    constructor(...args) {
      super(...args);
      this.addEventListener("connectionstatechange", () => {
        if (this.connectionState === "connected" && this.connectedAt === undefined) {
          this.connectedAt = performance.now();
        }
      });
    }
  };
})();
"""

# RTP counters of every stream sent and received, each received one mapped to its member through the
# SDP's msid and the streams of the relay's latest offer. `at` is when the report was made.
STATS = """
async () => {
  const media = window.hub.media;
  const pc = media.pc;
  if (!pc || !pc.remoteDescription) return null;
  const streamOfMid = {};
  for (const section of pc.remoteDescription.sdp.split("\\r\\nm=").slice(1)) {
    const mid = /a=mid:(\\S+)/.exec(section);
    const msid = /a=msid:(\\S+)/.exec(section);
    if (mid && msid) streamOfMid[mid[1]] = msid[1];
  }
  const inbound = [];
  const outbound = [];
  let at = null;
  for (const s of (await pc.getStats()).values()) {
    if (s.type === "inbound-rtp") {
      const info = media.streams[streamOfMid[s.mid]];
      inbound.push({
        member: info ? info.member_id : null,
        source: s.kind === "audio" ? "microphone" : info ? info.source : null,
        packets: s.packetsReceived || 0,
        frames: s.framesDecoded || 0,
      });
    } else if (s.type === "outbound-rtp") {
      outbound.push({ kind: s.kind, packets: s.packetsSent || 0 });
    }
    at = s.timestamp - performance.timeOrigin;
  }
  return { inbound, outbound, connectedAt: pc.connectedAt ?? null, at };
}
"""


# Polled in the page from before joining, so that the time is the page's own: from connected to a
# decoded frame of each of `members`' cameras (null if that takes 20 seconds).
FIRST_FRAMES = (
    """async (members) => {
  const stats = """
    + STATS
    + """;
  const give_up = performance.now() + 20000;
  while (performance.now() < give_up) {
    const s = await stats();
    const decoded = (m) => s.inbound.some((i) => i.member === m && i.source === "camera" && i.frames > 0);
    if (s && s.connectedAt !== null && members.every(decoded)) return s.at - s.connectedAt;
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}"""
)


class Stats:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def received(self, member: str, source: str, field: str = "packets") -> int:
        return sum(s[field] for s in self.raw["inbound"] if s["member"] == member and s["source"] == source)

    def sent(self, kind: str) -> int:
        return sum(s["packets"] for s in self.raw["outbound"] if s["kind"] == kind)


async def stats(page: Page) -> Stats:
    raw = await page.evaluate(STATS)
    assert raw is not None, "no peer connection"
    return Stats(raw)


async def eventually(check: Callable[[], Any], timeout: float = 10, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out: {what}")
        await asyncio.sleep(0.1)


async def open_as(browser: Browser, hub: RunningHub, member: str, width: int = 1280) -> Page:
    context = await browser.new_context(viewport={"width": width, "height": 900 if width > 600 else 700})
    await context.add_init_script(RECORD_CONNECTED)
    page = await context.new_page()
    await page.goto(f"{hub.url}/join/{hub.links[member]}")
    await expect(page.locator("#title")).to_have_text("Annual General Meeting")
    return page


async def join_media(page: Page, mode: str = "Camera and microphone") -> None:
    await page.get_by_label(mode).check()
    await page.get_by_role("button", name="Join audio and video").click()
    await expect(page.get_by_role("button", name="Leave audio and video")).to_be_visible()
    await wait_until(page, "window.hub.media.pc && window.hub.media.pc.connectionState === 'connected'")


async def flowing(page: Page, member: str, source: str, field: str = "packets", by: int = 1) -> None:
    """`page` keeps receiving `member`'s `source`: the counter rises by `by` within a few seconds."""
    before = (await stats(page)).received(member, source, field)

    async def rose() -> bool:
        return (await stats(page)).received(member, source, field) >= before + by

    await eventually(rose, 8, f"{source} {field} from {member}")


async def silent(page: Page, member: str, source: str = "microphone", seconds: float = 1.5) -> bool:
    """No packets of `member`'s `source` reach `page` for `seconds`, though some came before (so the
    stream is there and mapped to `member`)."""
    before = (await stats(page)).received(member, source)
    await asyncio.sleep(seconds)
    return before > 0 and (await stats(page)).received(member, source) == before


async def sees_and_hears(page: Page, others: list[str]) -> None:
    for member in others:
        await flowing(page, member, "camera", "frames", 10)
        await flowing(page, member, "microphone", "packets", 20)


async def test_members_check_devices_see_and_hear_each_other_and_a_late_joiner_sees_video_at_once(
    media_hub: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await open_as(browser, media_hub, CHAIR)
    bea = await open_as(browser, media_hub, BEA)
    omar = await open_as(browser, media_hub, OMAR)

    # The device check: pickers filled once the browser allowed the devices, a live preview, a level.
    await bea.get_by_role("button", name="Check camera and microphone").click()
    await expect(bea.get_by_label("Camera", exact=True).locator("option")).not_to_have_count(0)
    await expect(bea.get_by_label("Microphone", exact=True).locator("option")).not_to_have_count(0)
    await wait_until(
        bea,
        "document.querySelector('#media-preview').videoWidth > 0"
        " && !document.querySelector('#media-preview').paused",
    )
    await wait_until(bea, "document.querySelector('#mic-level').value > 0", timeout=5000)
    await picture(bea.locator("#media"), artifacts / "media-device-check.png")

    for page in (chair, bea, omar):
        await join_media(page)
    await sees_and_hears(chair, [BEA, OMAR])
    await sees_and_hears(bea, [CHAIR, OMAR])
    await sees_and_hears(omar, [CHAIR, BEA])
    # Each remote camera has its named tile, playing.
    tiles = chair.locator("#media-tiles .tile")
    await expect(tiles).to_have_count(3)
    for member in (BEA, OMAR):
        tile = chair.locator(f'.tile[data-member="{member}"][data-source="camera"]')
        await expect(tile).to_contain_text(NAMES[member])
        assert await tile.locator("video").evaluate("v => !v.paused && !v.muted && v.videoWidth > 0")
    await assert_accessible(chair)
    await picture(chair.locator("#media"), artifacts / "media-meeting.png")
    # What follows re-renders the chair's panel many times: a late joiner, a new offer, new tiles.
    bea_video = chair.locator(f'.tile[data-member="{BEA}"] video')
    await bea_video.evaluate("v => { window.kept = [v, v.srcObject]; }")
    await chair.get_by_role("button", name="Mute microphone").focus()

    late = await open_as(browser, media_hub, CIARAN)
    first_frames = asyncio.ensure_future(late.evaluate(FIRST_FRAMES, [CHAIR, BEA, OMAR]))
    await join_media(late)
    decoded_after = await first_frames
    assert decoded_after is not None, "no frames within 20 seconds"
    assert decoded_after < 2000, f"first frames {decoded_after:.0f} ms after connecting"
    for page in (chair, bea, omar):
        await flowing(page, CIARAN, "camera", "frames", 5)
    # The same <video> still plays the same stream, and focus stayed where the chair left it.
    assert await chair.evaluate(
        f"""() => {{
          const [video, stream] = window.kept;
          return video === document.querySelector('.tile[data-member="{BEA}"] video')
            && video.srcObject === stream && !video.paused;
        }}"""
    )
    assert await chair.evaluate("document.activeElement.id") == "media-mic"


async def test_the_chair_mutes_a_member_and_a_listener_sends_nothing(
    media_hub: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await open_as(browser, media_hub, CHAIR)
    bea = await open_as(browser, media_hub, BEA)
    omar = await open_as(browser, media_hub, OMAR)
    await join_media(chair)
    await join_media(bea)
    await join_media(omar, "Listen only (send nothing)")

    # The listener hears both and sends nothing: no stream of his is offered to anyone.
    await expect(omar.get_by_role("button", name="Mute microphone")).to_be_hidden()
    for member in (CHAIR, BEA):
        await flowing(omar, member, "microphone", "packets", 20)
    await sees_and_hears(chair, [BEA])
    listener = await stats(omar)
    assert listener.sent("audio") == listener.sent("video") == 0
    assert listener.received(CHAIR, "camera") == 0
    for page in (chair, bea):
        streams = await page.evaluate("window.hub.media.streams")
        assert OMAR not in {s["member_id"] for s in streams.values()}

    for page in (chair, omar):
        await tab(page, "people")
    await chair.get_by_role("button", name=f"Mute {NAMES[BEA]}").click()
    await expect(bea.locator(".media-alert")).to_contain_text("The chair has muted you")
    # Her own controls say so too, not that her microphone is on.
    await expect(bea.locator(".media-controls")).to_contain_text("nobody hears your microphone")
    await expect(bea.locator(".media-controls")).not_to_contain_text("Your microphone is on")
    await expect(bea.locator("#media-announce")).to_have_text("The chair has muted you.")
    await expect(omar.locator(f'#participants li[data-member="{BEA}"]')).to_contain_text("Muted by the chair")
    await asyncio.sleep(0.5)  # what was already on its way lands
    sent_before = (await stats(bea)).sent("audio")
    video_before = (await stats(chair)).received(BEA, "camera", "frames")
    assert await silent(chair, BEA) and await silent(omar, BEA)
    # Bea's browser still sends (the relay drops it), and her camera still reaches the chair.
    assert (await stats(bea)).sent("audio") > sent_before + 50
    assert (await stats(chair)).received(BEA, "camera", "frames") > video_before + 10

    await chair.get_by_role("button", name=f"Unmute {NAMES[BEA]}").click()
    await expect(bea.locator("#media-announce")).to_have_text("The chair has unmuted you.")
    await flowing(chair, BEA, "microphone", "packets", 20)
    await flowing(omar, BEA, "microphone", "packets", 20)

    # Mute all, in the console's media settings: everyone but the chair.
    await tab(chair, "console")
    await unfold(chair, "#media-settings-fold")
    await chair.get_by_role("button", name="Mute all").click()
    await picture(chair.locator("#media-settings-fold"), artifacts / "media-chair-settings.png")
    await tab(chair, "people")
    for member in (BEA, OMAR):
        line = chair.locator(f'#participants li[data-member="{member}"]')
        await expect(line).to_contain_text("Muted by the chair")
    await expect(chair.locator(f'#participants li[data-member="{CHAIR}"] .muted-badge')).to_have_count(0)
    await expect(omar.locator(".media-alert")).to_contain_text("The chair has muted you")
    await asyncio.sleep(0.5)
    assert await silent(chair, BEA)
    await picture(chair.locator("#participants").locator(".."), artifacts / "media-chair-controls.png")


async def test_formal_mode_only_the_called_speaker_is_heard(media_hub: RunningHub, browser: Browser) -> None:
    chair = await open_as(browser, media_hub, CHAIR)
    bea = await open_as(browser, media_hub, BEA)
    omar = await open_as(browser, media_hub, OMAR)
    for page in (chair, bea, omar):
        await join_media(page)
    await sees_and_hears(omar, [CHAIR, BEA])
    for page in (chair, bea):
        await flowing(page, OMAR, "microphone", "packets", 20)

    await tab(chair, "console")
    await unfold(chair, "#media-settings-fold")
    await chair.get_by_role("button", name="Formal: on").click()
    await expect(chair.get_by_role("button", name="Formal: on")).to_have_attribute("aria-pressed", "true")
    await expect(bea.locator(".media-alert")).to_contain_text(UNCALLED)
    await asyncio.sleep(0.5)
    assert await silent(omar, BEA) and await silent(chair, BEA) and await silent(bea, OMAR)
    # The chair is heard without being called.
    await flowing(omar, CHAIR, "microphone", "packets", 20)

    await tab(chair, "agenda")
    await chair.locator('#agenda [data-item="a1"]').get_by_role("button", name="Take up").click()
    # In a call, the hand in the toolbar asks to speak.
    await bea.locator("#toolbar").get_by_role("button", name="Raise hand", exact=True).click()
    await tab(chair, "speakers")
    await chair.get_by_role("button", name="Call next speaker").click()
    await expect(bea.locator(".media-alert")).to_have_text(CALLED)
    await expect(bea.locator("#media-announce")).to_have_text(CALLED)
    await flowing(omar, BEA, "microphone", "packets", 20)
    await flowing(chair, BEA, "microphone", "packets", 20)
    assert await silent(chair, OMAR) and await silent(bea, OMAR)
    # The speaker is on stage on everyone's screen.
    await expect(omar.locator(f'.tile[data-member="{BEA}"]')).to_have_class(re.compile(r"\bstage\b"))

    await chair.get_by_role("button", name="End speech").click()
    await expect(bea.locator(".media-alert")).to_contain_text(UNCALLED)
    await asyncio.sleep(0.5)
    assert await silent(omar, BEA)

    # No cameras besides the speaker's, and nobody has the floor: no video at all.
    await tab(chair, "console")
    await chair.get_by_label("Cameras shown besides the speaker").fill("0")
    await chair.get_by_role("button", name="Save media settings").click()
    await expect(chair.get_by_label("Cameras shown besides the speaker")).to_have_value("0")
    await asyncio.sleep(0.5)
    assert await silent(omar, CHAIR, "camera") and await silent(omar, BEA, "camera")


async def test_media_comes_back_after_the_connection_drops_and_leaving_stops_it(
    media_hub: RunningHub, browser: Browser
) -> None:
    chair = await open_as(browser, media_hub, CHAIR)
    bea = await open_as(browser, media_hub, BEA)
    await join_media(chair)
    await join_media(bea)
    await sees_and_hears(bea, [CHAIR])

    # A shared screen is offered anew, shown large, and goes when sharing stops.
    share = bea.get_by_role("button", name="Share screen")
    await share.click()
    await expect(share).to_have_attribute("aria-pressed", "true")
    screen = chair.locator(f'.tile[data-member="{BEA}"][data-source="screen"]')
    await expect(screen).to_have_class(re.compile(r"\bstage\b"))
    await flowing(chair, BEA, "screen", "frames", 5)
    await share.click()
    await expect(share).to_have_attribute("aria-pressed", "false")
    await expect(screen).to_have_count(0)

    await bea.evaluate("window.before = window.hub.media.pc; window.notReloaded = true")

    # The transport drops; Socket.IO reconnects, the page joins the meeting and then the media again.
    await bea.evaluate("window.hub.connection.socket.io.engine.close()")
    await wait_until(
        bea,
        "window.hub.media.pc && window.hub.media.pc !== window.before"
        " && window.hub.media.pc.connectionState === 'connected'",
    )
    assert await bea.evaluate("window.notReloaded && window.before.connectionState === 'closed'")
    await sees_and_hears(bea, [CHAIR])
    await sees_and_hears(chair, [BEA])

    tracks = await bea.evaluate_handle("[window.hub.media.local.microphone, window.hub.media.local.camera]")
    await bea.get_by_role("button", name="Leave audio and video").click()
    await expect(bea.get_by_role("button", name="Join audio and video")).to_be_visible()
    assert await bea.evaluate(
        "tracks => window.hub.media.pc === null && tracks.every((t) => t.readyState === 'ended')", tracks
    )
    await wait_until(chair, f"Object.values(window.hub.media.streams).every((s) => s.member_id !== '{BEA}')")
    await expect(chair.locator(f'.tile[data-member="{BEA}"]')).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 375])
async def test_tiles_say_each_persons_mode_and_calling_someone_unheard_warns_the_chair(
    media_hub: RunningHub, browser: Browser, artifacts: Path, width: int
) -> None:
    chair = await open_as(browser, media_hub, CHAIR, width)
    bea = await open_as(browser, media_hub, BEA, width)
    omar = await open_as(browser, media_hub, OMAR, width)
    await join_media(chair)
    await join_media(bea, "Audio only (no camera)")
    await join_media(omar, "Listen only (send nothing)")

    # Each tile says its person's mode, not the viewer's: Bea, on audio only, receives no video, and
    # still reads that the chair sends camera and microphone.
    bea_tile = chair.locator(f'.tile[data-member="{BEA}"] .tile-state')
    await expect(bea_tile).to_contain_text("Audio only · Microphone on")
    chair_tile = bea.locator(f'.tile[data-member="{CHAIR}"] .tile-state')
    await expect(chair_tile).to_contain_text("Camera and microphone · Microphone on")
    await expect(chair_tile).not_to_contain_text("Audio only")
    await expect(omar.locator(f'.tile[data-member="{BEA}"] .tile-state')).to_contain_text(
        "Audio only · Microphone on"
    )
    # Bea switches her own microphone off: the others read it.
    await bea.get_by_role("button", name="Mute microphone").click()
    await expect(bea_tile).to_contain_text("Audio only · Microphone off")
    await assert_accessible(bea)

    # The chair calls her all the same: the call stands, the chair is warned, Bea is asked.
    await chair.locator('#agenda [data-item="a1"]').get_by_role("button", name="Take up").click()
    await bea.locator("#toolbar").get_by_role("button", name="Raise hand", exact=True).click()
    await tab(chair, "speakers")
    await chair.get_by_role("button", name="Call next speaker").click()
    notice = chair.locator("#notice")
    await expect(notice).to_contain_text("Called, but they may not be heard")
    await expect(notice).to_contain_text(f"{NAMES[BEA]}'s microphone is off")
    # Bea reads it in the floor's banner, wherever she has scrolled, which takes her to the remedy.
    moment = bea.locator("#moments")
    await expect(moment).to_contain_text("Nobody hears you yet: your microphone is off.")
    await expect(moment).to_be_in_viewport()
    await assert_accessible(chair)
    await assert_accessible(bea)
    await chair.screenshot(path=artifacts / f"media-call-warning-{width}.png")
    await bea.screenshot(path=artifacts / f"media-call-prompt-{width}.png")
    await moment.get_by_role("link", name="Put it right").click()
    prompt = bea.locator("#media-prompt")
    await expect(prompt).to_contain_text("You have the floor, but you have muted your own microphone")
    await expect(prompt.get_by_role("button", name="Turn microphone on")).to_be_in_viewport()
    await prompt.get_by_role("button", name="Turn microphone on").click()
    await expect(moment).not_to_contain_text("Nobody hears you")
    await expect(prompt).to_be_hidden()
    await expect(bea_tile).to_contain_text("On stage")
    await expect(bea_tile).to_contain_text("Audio only · Microphone on")
    await flowing(chair, BEA, "microphone", "packets", 20)

    # A listener called is asked to switch to audio, and then has a tile of their own.
    await omar.locator("#toolbar").get_by_role("button", name="Raise hand", exact=True).click()
    await chair.get_by_role("button", name="Call next speaker").click()
    await expect(notice).to_contain_text(f"{NAMES[OMAR]} is listening only")
    await expect(omar.locator("#moments")).to_contain_text("you are listening only")
    prompt = omar.locator("#media-prompt")
    await expect(prompt).to_contain_text("you are listening only")
    await prompt.get_by_role("button", name="Switch to audio").click()
    await expect(prompt).to_be_hidden()
    await expect(chair.locator(f'.tile[data-member="{OMAR}"] .tile-state')).to_contain_text(
        "Audio only · Microphone on"
    )
