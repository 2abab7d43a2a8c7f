"""Motions on the agenda through the page: the demo's motion waits under its item (in the agenda and in
the motions panel) and is voted once the chair takes the item up, on a desktop and a 375 px phone; a
refusal of what the member just did shows in view, in their language, on a scrolled phone page."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from hub.demo import sample
from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_moments_page import in_view, send
from tests.e2e.test_procedure_page import open_as

CHAIR, ANA = "m001", "m002"
TITLE = "Votes for life for citizens living abroad"


async def test_the_demo_motion_waits_under_its_item_and_is_voted_with_it(
    agm_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    names = {m["id"]: m["name"] for m in sample()["members"]}
    chair = await open_as(browser, agm_server, CHAIR)
    ana = await open_as(browser, agm_server, ANA, width=375)
    for page in (chair, ana):
        listed = page.locator('#agenda [data-item="a5"] .item-motions li')
        await expect(listed).to_contain_text(TITLE)
        await expect(listed).to_contain_text(f"Moved by {names['m003']}, seconded by {names['m015']}")
        await expect(listed.locator(".badge")).to_have_text("Seconded: waits for its item")
        group = page.locator('#motions .motion-group[data-item="a5"]')
        await expect(group.locator("h3")).to_have_text("Motion 1: Votes for life for citizens living abroad")
        await expect(group.locator("article.motion")).to_contain_text("Taken up with its agenda item")
    # Before its item comes up, the chair is offered no vote on it (and the hub would refuse one).
    article = chair.locator('.motion-group[data-item="a5"] article.motion')
    await expect(article.get_by_role("button", name="Vote: show of hands")).to_have_count(0)
    # Nothing on the phone is wider than its screen (long item titles in the motion form's list included).
    assert await ana.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(ana)
    await ana.locator("#agenda").screenshot(path=artifacts / "phone-agenda-motions.png")
    await group.first.screenshot(path=artifacts / "phone-motion-waits.png")

    orders = "{...window.hub.store.meeting.standing_orders, quorum: {kind: 'number', value: 2}}"
    await send(chair, "meeting.set_standing_orders", f"{{standing_orders: {orders}}}")
    await chair.get_by_role("button", name="Open the meeting").click()
    await expect(ana.locator("#status")).to_contain_text("Open")
    for page in (chair, ana):
        await send(page, "attendance.check_in", "{}")
    await expect(chair.locator("#quorum")).to_contain_text("Quorate")
    await chair.locator('[data-item="a5"]').get_by_role("button", name="Take up").click()

    # Taken up with its item: moved and seconded as recorded, ready to vote, with nothing retyped.
    group = ana.locator('#motions .motion-group[data-item="a5"]')
    await expect(group.locator("h3")).to_contain_text("Current item")
    await expect(group.locator("article.motion .waits")).to_have_count(0)
    await article.get_by_role("button", name="Vote: show of hands").click()
    moment = ana.locator("#moments")
    await expect(moment).to_contain_text(f"A vote is open: {TITLE}")
    await moment.get_by_role("button", name="For").click()
    await chair.locator("#vote-panel").get_by_role("button", name="For", exact=True).click()
    await expect(chair.locator("#tally")).to_contain_text("2 of 2 have voted")
    await chair.get_by_role("button", name="Close the vote").click()
    await expect(ana.locator('#agenda [data-item="a5"] .item-motions .badge')).to_have_text("Carried")
    await assert_accessible(chair)
    await chair.locator("#agenda").screenshot(path=artifacts / "desktop-agenda-motion-carried.png")


async def spanish_phone(browser: Browser, hub: RunningHub, member: str) -> Page:
    context = await browser.new_context(viewport={"width": 375, "height": 700})
    await context.add_init_script("localStorage.setItem('hub.language', 'es')")
    page = await context.new_page()
    await page.goto(f"{hub.url}/join/{hub.links[member]}")
    await expect(page.locator("#title")).to_have_text("Annual General Meeting")
    return page


async def test_a_refusal_shows_in_view_on_a_scrolled_phone_in_the_members_language(
    agm_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await spanish_phone(browser, agm_server, CHAIR)
    await send(chair, "agenda.select", "{item_id: 'a5'}")
    put = chair.locator('.motion-group[data-item="a5"] article.motion').get_by_role(
        "button", name="Votar: a mano alzada"
    )
    # Far down the page, below the fold: the chair scrolls to the motion and puts it, short of quorum.
    assert await chair.evaluate("document.body.scrollHeight > 3 * window.innerHeight")
    await put.click()
    notice = chair.locator("#notice")
    await expect(notice).to_have_attribute("data-code", "vote.not_quorate")
    await expect(notice).to_contain_text("No hay quórum")
    await expect(notice).to_contain_text("se necesitan 10.")
    assert await chair.evaluate("window.scrollY > window.innerHeight")
    assert await in_view(chair, "#notice")
    await expect(chair.locator("#announce-urgent")).to_contain_text("No hay quórum")
    await assert_accessible(chair)
    await chair.screenshot(path=artifacts / "phone-refusal.png")
    # It stays while the member goes on (even through what the hub accepts) until they dismiss it.
    await send(chair, "agenda.select", "{item_id: 'a6'}")
    await chair.evaluate("window.scrollTo(0, 0)")
    assert await in_view(chair, "#notice")
    await notice.get_by_role("button", name="Cerrar").click()
    await expect(notice).to_be_hidden()
