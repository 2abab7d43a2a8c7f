"""A member's home in the browser: upcoming meetings in their time zone, joining from it, the calendar
link, a second language, a phone-sized screen, and no serious accessibility violations."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.async_api import Browser, expect

from tests.client import joined
from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, open_home, unfold

MEMBER = "m002"


async def test_a_member_finds_their_meeting_and_joins_from_home(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    page = await open_home(browser, hub_server, MEMBER)
    context = page.context
    await expect(page.get_by_role("heading", name="Your meetings")).to_be_visible()
    card = page.locator(f"[data-meeting='{hub_server.meeting_id}']")
    await expect(card.get_by_role("heading", name="Annual General Meeting")).to_be_visible()
    await expect(card).to_contain_text("Scheduled")
    await expect(card).to_contain_text("You attend as: member")
    # Nothing on the phone layout is wider than the screen.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(page)
    await page.screenshot(path=artifacts / "member-home-phone.png", full_page=True)

    calendar = await page.locator("#calendar-link").get_attribute("href")
    assert calendar is not None
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        feed = await http.get(calendar)
    assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.content

    await page.get_by_label("Language").select_option("es")
    await expect(page.get_by_role("heading", name="Sus reuniones")).to_be_visible()
    await expect(card).to_contain_text("Convocada")
    assert await page.evaluate("document.documentElement.lang") == "es"
    await assert_accessible(page)
    await page.screenshot(path=artifacts / "member-home-es.png", full_page=True)
    await page.get_by_label("Idioma").select_option("en")

    await card.get_by_role("link", name="Join “Annual General Meeting”").click()
    await expect(page.locator("#title")).to_have_text("Annual General Meeting")
    # And back: the meeting page links to the member's home (with the meeting's particulars).
    await unfold(page, "#about")
    await page.get_by_role("link", name="Your meetings and minutes").click()
    await expect(page.get_by_role("heading", name="Your meetings")).to_be_visible()

    # While the livestream is on, the member watches it from home, by their own link.
    chair = await joined(hub_server, "m001")
    await chair.ok("livestream.start", {"quality": "360p", "record": False})
    await page.reload()
    watch = card.get_by_role("link", name="Watch the livestream of “Annual General Meeting”")
    await watch.click()
    await expect(page.locator("#live-state")).to_be_visible()
    await chair.ok("livestream.stop", {})
    await chair.disconnect()
    await context.close()


async def test_a_bad_home_link_says_so(hub_server: RunningHub, browser: Browser) -> None:
    page = await browser.new_page()
    await page.goto(f"{hub_server.url}/home/not-a-link")
    await expect(page.get_by_role("alert")).to_contain_text("This link is not valid.")
    await assert_accessible(page)
    # A browser set to Spanish gets the page, and the hub's refusal, in Spanish.
    spanish = await browser.new_context(locale="es-ES")
    page = await spanish.new_page()
    await page.goto(f"{hub_server.url}/home/not-a-link")
    await expect(page.get_by_role("alert")).to_contain_text("Este enlace no es válido.")
    await expect(page.get_by_role("heading")).to_have_text("Este enlace personal no funciona")
    await spanish.close()
