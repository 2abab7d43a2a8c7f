"""Motions on the agenda through the page: the demo's motion waits under its item (in the agenda and in
the motions panel) and is voted once the chair takes the item up, on a desktop and a 375 px phone; a
refusal of what the member just did shows in view, in their language, on a scrolled phone page."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from hub.demo import sample
from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, picture, tab, unfold
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
    await assert_accessible(ana)
    await picture(ana.locator("#agenda"), artifacts / "phone-agenda-motions.png")
    for page in (chair, ana):
        await tab(page, "motions")
        group = page.locator('#motions .motion-group[data-item="a5"]')
        # Under its item's title with how many motions it has, folded while the item is not current.
        await expect(group.locator("h3")).to_have_text(f"Motion 1: {TITLE} (1)")
        await expect(group.locator("article.motion")).to_be_hidden()
        await unfold(page, '#motions .motion-group[data-item="a5"]')
        await expect(group.locator("article.motion")).to_be_visible()
        await expect(group.locator("article.motion")).to_contain_text("Taken up with its agenda item")
    # Before its item comes up, the chair is offered no vote on it (and the hub would refuse one).
    article = chair.locator('.motion-group[data-item="a5"] article.motion')
    await expect(article.get_by_role("button", name="Vote: show of hands")).to_have_count(0)
    # Nothing on the phone is wider than its screen (long item titles in the motion form's list included).
    await unfold(ana, "#propose-motion")
    await expect(ana.locator("#motion-submit select[name=item_id]")).to_be_visible()
    assert await ana.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(ana)
    await picture(group.first, artifacts / "phone-motion-waits.png")

    orders = "{...window.hub.store.meeting.standing_orders, quorum: {kind: 'number', value: 2}}"
    await send(chair, "meeting.set_standing_orders", f"{{standing_orders: {orders}}}")
    await tab(chair, "console")
    await chair.get_by_role("button", name="Open the meeting").click()
    await expect(ana.locator("#status")).to_contain_text("Open")
    for page in (chair, ana):
        await send(page, "attendance.check_in", "{}")
    await expect(chair.locator("#quorum")).to_contain_text("Quorate")
    await tab(chair, "agenda")
    await chair.locator('#agenda [data-item="a5"]').get_by_role("button", name="Take up").click()

    # Taken up with its item: moved and seconded as recorded, ready to vote, with nothing retyped.
    group = ana.locator('#motions .motion-group[data-item="a5"]')
    await expect(group.locator("h3")).to_contain_text("Current item")
    await expect(group.locator("article.motion .waits")).to_have_count(0)
    await tab(chair, "motions")
    await article.get_by_role("button", name="Vote: show of hands").click()
    moment = ana.locator("#moments")
    await expect(moment).to_contain_text(f"A vote is open: {TITLE}")
    await moment.get_by_role("button", name="For").click()
    await tab(chair, "vote")
    await chair.locator("#vote-panel").get_by_role("button", name="For", exact=True).click()
    await expect(chair.locator("#tally")).to_contain_text("2 of 2 have voted")
    await chair.get_by_role("button", name="Close the vote").click()
    await tab(ana, "agenda")
    await expect(ana.locator('#agenda [data-item="a5"] .item-motions .badge')).to_have_text("Carried")
    await tab(chair, "agenda")
    await assert_accessible(chair)
    await picture(chair.locator("#agenda"), artifacts / "desktop-agenda-motion-carried.png")


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
    await tab(chair, "motions")
    put = chair.locator('.motion-group[data-item="a5"] article.motion').get_by_role(
        "button", name="Votar: a mano alzada"
    )
    # The chair reads every item's motions and the forms to propose one: a long page on a phone.
    for item in ("a6", "a7"):
        await unfold(chair, f'#motions .motion-group[data-item="{item}"]')
    await unfold(chair, "#propose-motion")
    await unfold(chair, "#propose-procedural")
    # Far down the page, below the fold: the chair scrolls to the motion and puts it, short of quorum.
    assert await chair.evaluate("document.body.scrollHeight > 3 * window.innerHeight")
    await put.evaluate("button => button.scrollIntoView({block: 'start'})")
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
