"""Moments nobody may miss, on a phone scrolled to the bottom of the room: being given the floor, having
it taken back, and a vote opening on an amendment (with its words and the motion as it would read),
cast from where the member is; the page title says so, and the tone can be switched off."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, tab
from tests.e2e.test_procedure_page import open_as

CHAIR, ANA, BEN = "m001", "m002", "m025"


async def send(page: Page, event: str, payload: str) -> object:
    return await page.evaluate(f"() => window.hub.connection.send('{event}', {payload})")


async def in_view(page: Page, selector: str) -> bool:
    """Whether the element is on screen, without the member scrolling to it."""
    box = await page.locator(selector).bounding_box()
    height = page.viewport_size["height"] if page.viewport_size else 0
    return box is not None and 0 <= box["y"] and box["y"] + 40 <= height


async def test_a_phone_member_sees_the_floor_and_the_vote_wherever_they_are(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await open_as(browser, hub_server, CHAIR)
    ana = await open_as(browser, hub_server, ANA, width=375)
    ben = await open_as(browser, hub_server, BEN)
    orders = "{...window.hub.store.meeting.standing_orders, quorum: {kind: 'number', value: 3}}"
    await send(chair, "meeting.set_standing_orders", f"{{standing_orders: {orders}}}")
    await send(chair, "meeting.set_status", "{status: 'open'}")
    for page in (ana, ben):
        await send(page, "attendance.check_in", "{}")
    await send(chair, "agenda.select", "{item_id: 'a5'}")
    await expect(ana.locator('#agenda [data-item="a5"]')).to_have_attribute("aria-current", "step")
    await ana.evaluate("window.scrollTo(0, document.body.scrollHeight)")

    await send(ana, "speaker.request", "{}")
    await send(chair, "speaker.call", "{}")
    moment = ana.locator("#moments")
    await expect(moment).to_contain_text("You have the floor")
    assert await in_view(ana, "#moments")
    await expect(ana).to_have_title("● You have the floor \u2013 Annual General Meeting")
    await assert_accessible(ana)
    await ana.screenshot(path=artifacts / "phone-floor.png")

    await send(chair, "speech.end", "{}")
    await expect(moment).to_contain_text("Your speech has ended")
    await moment.get_by_role("button", name="OK").click()
    await expect(moment).to_have_count(0)
    # Hiding the floor's banner hides that speech's only: called again on the item, she sees it again.
    await send(ana, "speaker.request", "{}")
    await send(chair, "speaker.call", "{}")
    await moment.get_by_role("button", name="Hide").click()
    await expect(moment).to_have_count(0)
    await send(chair, "speech.end", "{}")
    await moment.get_by_role("button", name="OK").click()
    await send(ana, "speaker.request", "{}")
    await send(chair, "speaker.call", "{}")
    await expect(moment).to_contain_text("You have the floor")
    await send(chair, "speech.end", "{}")
    await moment.get_by_role("button", name="OK").click()
    await expect(moment).to_have_count(0)
    await expect(ana).to_have_title("Annual General Meeting")

    motion = await send(ben, "motion.submit", "{title: 'Votes', text: 'We resolve to campaign for votes.'}")
    motion_id = motion["motion_id"]  # type: ignore[index]
    await send(ana, "motion.second", f"{{motion_id: '{motion_id}'}}")
    amend = f"{{motion_id: '{motion_id}', kind: 'insert', target: 'campaign', text: 'loudly'}}"
    amendment = await send(ben, "amendment.move", amend)
    amendment_id = amendment["amendment_id"]  # type: ignore[index]
    await send(ana, "amendment.second", f"{{motion_id: '{motion_id}', amendment_id: '{amendment_id}'}}")
    subject = f"{{kind: 'amendment', motion_id: '{motion_id}', amendment_id: '{amendment_id}'}}"
    await send(chair, "vote.open", f"{{subject: {subject}}}")

    await expect(moment).to_contain_text("A vote is open")
    await expect(moment).to_contain_text("If carried, the motion would read:")
    await expect(moment.locator("q")).to_have_text("We resolve to campaign loudly for votes.")
    assert await in_view(ana, "#moments")
    await expect(ana).to_have_title("● Vote now \u2013 Annual General Meeting")
    await ana.screenshot(path=artifacts / "phone-vote-sheet.png")
    await moment.get_by_role("button", name="For", exact=True).click()
    await expect(moment).to_have_count(0)
    await tab(ana, "vote")
    await expect(ana.locator("#recorded")).to_contain_text("for")

    # Ben hides the sheet to read on; the tone is his to switch off, and stays off.
    sheet = ben.locator("#moments")
    await sheet.get_by_role("button", name="Sound").click()
    await expect(sheet.get_by_role("button", name="Sound")).to_have_attribute("aria-pressed", "false")
    assert await ben.evaluate("localStorage.getItem('hub:sound')") == "off"
    await sheet.get_by_role("button", name="Hide").click()
    await expect(sheet).to_have_count(0)
    # The vote stays open under its tab, which is marked while it is.
    await expect(ben.locator("#tab-vote .tab-badge")).to_be_visible()
    await tab(ben, "vote")
    await expect(ben.locator("#vote-panel")).to_be_visible()
