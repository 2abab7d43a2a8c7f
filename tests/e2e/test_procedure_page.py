"""A chair and two members run an agenda item's debate through the page: take up the item, ask to
speak, point of order first, call, countdown, end."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, picture, tab

CHAIR, ANA, BEN = "m001", "m002", "m025"


async def open_as(browser: Browser, hub: RunningHub, member: str, width: int = 1280) -> Page:
    context = await browser.new_context(viewport={"width": width, "height": 900})
    page = await context.new_page()
    await page.goto(f"{hub.url}/join/{hub.links[member]}")
    await expect(page.locator("#title")).to_have_text("Annual General Meeting")
    return page


async def test_debate_on_an_item_through_the_page(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await open_as(browser, hub_server, CHAIR)
    ana = await open_as(browser, hub_server, ANA)
    ben = await open_as(browser, hub_server, BEN)

    await tab(chair, "console")
    await chair.get_by_role("button", name="Open the meeting").click()
    await expect(ana.locator("#status")).to_have_text("Open: members are arriving")
    for page in (ana, ben):
        await page.get_by_role("button", name="I'm here").click()
    await expect(chair.locator("#quorum")).to_contain_text("3 present, 10 needed")

    await tab(chair, "agenda")
    motion = chair.locator('#agenda [data-item="a5"]')
    await motion.get_by_role("button", name="Take up").click()
    await expect(ana.locator('#agenda [data-item="a5"]')).to_have_attribute("aria-current", "step")
    # The item taken up heads the stage; its speakers are under their tab.
    await expect(ana.locator("#current-item")).to_contain_text("Motion 1")
    for page in (chair, ana, ben):
        await tab(page, "speakers")
    await expect(ana.locator("#queue-h")).to_contain_text("Motion 1")

    await ana.get_by_role("button", name="Ask to speak: for").click()
    await expect(ana.locator("#my-place")).to_contain_text("You are number 1")
    await ben.get_by_role("button", name="Ask to speak: against").click()
    await expect(ben.locator("#my-place")).to_contain_text("You are number 2")
    # Screen readers hear queue changes from a live region, and a member hears their own place.
    await expect(chair.locator("#announce-polite")).to_have_text("Omar Young asked to speak.")
    await expect(ben.locator("#announce-polite")).to_have_text("You are number 2 in the queue.")

    await ben.get_by_label("Standing order").fill("SO 7.2")
    await ben.get_by_label("Your point").fill("The agenda says motions are taken in order.")
    await ben.get_by_role("button", name="Point of order").click()
    queue = chair.locator("#queue li")
    await expect(queue).to_have_count(3)
    await expect(queue.first).to_contain_text("Point of order: SO 7.2")
    await expect(queue.first).to_contain_text("The agenda says motions are taken in order.")
    await expect(ben.get_by_label("Your point")).to_have_value("")
    await expect(queue.first).to_contain_text("taken first")
    # The chair's console says what the standing orders call for next; members have no console.
    await tab(chair, "console")
    await expect(chair.locator("#next-steps")).to_contain_text("Call Omar Young on a point of order (SO 7.2)")
    await expect(ana.locator("#tab-console")).to_have_count(0)
    await expect(ana.locator("#next-steps")).to_have_count(0)
    await expect(ana.locator("#my-place")).to_contain_text("You are number 2")
    await tab(chair, "speakers")
    await assert_accessible(chair)
    await picture(chair, artifacts / "chair-queue.png")

    await chair.get_by_role("button", name="Call next speaker").click()
    await expect(ana.locator("#speaker")).to_have_text("Omar Young")
    await expect(ana.locator("#countdown")).to_contain_text("2:5")
    # The point heard, the chair rules on it before debate goes on; the ruling is recorded.
    await chair.get_by_role("button", name="End speech").click()
    await tab(chair, "console")
    await expect(chair.locator("#next-steps")).to_contain_text("Rule on the point of order from Omar Young")
    await tab(chair, "speakers")
    ruling = chair.locator("#ruling")
    await expect(ruling).to_contain_text("The agenda says motions are taken in order.")
    await expect(ana.locator("#ruling")).to_have_count(0)
    await ruling.get_by_label("The chair's ruling").fill("Motions are in order: this is motion 1.")
    await ruling.get_by_role("button", name="Do not uphold it").click()
    await expect(chair.locator("#ruling")).to_have_count(0)
    points = await chair.evaluate("() => window.hub.store.meeting.points")
    ruled = [(p["ruling"], p["upheld"]) for p in points]
    assert ruled == [("Motions are in order: this is motion 1.", False)]
    await chair.get_by_role("button", name="Call next speaker").click()
    await expect(ben.locator("#speaker")).to_have_text("Beatriz Bauer")
    await expect(ana.locator("#announce-urgent")).to_contain_text("You have the floor.")
    await expect(ben.locator("#announce-polite")).to_contain_text("Beatriz Bauer has the floor.")
    await expect(ana.locator("#my-place")).to_have_count(0)
    await assert_accessible(ana)
    await picture(ana, artifacts / "member-speaking.png")

    await chair.get_by_role("button", name="+1 min").click()
    await expect(ben.locator("#countdown")).to_contain_text("3:5")
    await chair.get_by_role("button", name="End speech").click()
    await expect(ben.locator("#floor")).to_have_text("Nobody is speaking.")


async def test_a_member_sees_no_chair_controls_and_the_server_refuses_them(
    hub_server: RunningHub, browser: Browser
) -> None:
    ana = await open_as(browser, hub_server, ANA)
    # On the agenda, shown first, and with no console to choose.
    await expect(ana.locator("#tab-agenda")).to_have_attribute("aria-selected", "true")
    await expect(ana.get_by_role("button", name="Take up")).to_have_count(0)
    await expect(ana.locator("#tab-console")).to_have_count(0)
    await expect(ana.locator("#status-controls")).to_have_count(0)
    await expect(ana.get_by_role("button", name="Open the meeting")).to_have_count(0)
    # Forging the chair's command from the member's page is refused by the server.
    refused = await ana.evaluate(
        "() => window.hub.connection.send('agenda.select', {item_id: 'a1'}).then(() => 'sent', e => e.code)"
    )
    assert refused == "forbidden"
    await expect(ana.locator('[aria-current="step"]')).to_have_count(0)


async def test_the_chair_reorders_the_queue_by_drag_and_by_keyboard(
    hub_server: RunningHub, browser: Browser
) -> None:
    chair = await open_as(browser, hub_server, CHAIR)
    ana = await open_as(browser, hub_server, ANA)
    ben = await open_as(browser, hub_server, BEN)
    await chair.locator('#agenda [data-item="a5"]').get_by_role("button", name="Take up").click()
    # Ana asks under the Speakers tab; Ben raises his hand in the toolbar, which says his place.
    await tab(ana, "speakers")
    await ana.locator("#panel-speakers").get_by_role("button", name="Ask to speak", exact=True).click()
    await expect(ana.locator("#my-place")).to_contain_text("You are number 1")
    await ben.locator("#toolbar").get_by_role("button", name="Raise hand", exact=True).click()
    await expect(ben.locator("#hand")).to_have_text("Lower hand (you are number 2)")
    await tab(chair, "speakers")
    queue = chair.locator("#queue li")
    await expect(queue).to_have_count(2)

    await queue.nth(1).drag_to(queue.nth(0))
    await expect(queue.nth(0)).to_contain_text("Omar Young")
    await expect(queue.nth(0)).to_contain_text("Placed here by the chair")
    await expect(ana.locator("#my-place")).to_contain_text("You are number 2")

    # The same by keyboard: focus Beatriz's "move up" and press Enter.
    await chair.get_by_role("button", name="Move Beatriz Bauer up").focus()
    await chair.keyboard.press("Enter")
    await expect(queue.nth(0)).to_contain_text("Beatriz Bauer")
    await expect(ana.locator("#my-place")).to_contain_text("You are number 1")
