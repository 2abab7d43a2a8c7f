"""The projector view for a hall screen: the item, who has the floor and their time left, the speakers,
the motion as it stands, the open vote and the result, in large type and with no controls."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_procedure_page import open_as

CHAIR, SECRETARY, ANA, BEN = "m001", "m007", "m002", "m025"


async def send(page: Page, event: str, payload: str) -> object:
    return await page.evaluate(f"() => window.hub.connection.send('{event}', {payload})")


async def test_the_hall_screen_follows_the_procedure(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await open_as(browser, hub_server, CHAIR)
    ana = await open_as(browser, hub_server, ANA)
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    screen = await context.new_page()
    await screen.goto(f"{hub_server.url}/join/{hub_server.links[SECRETARY]}?view=projector")
    await expect(screen.locator("#projector-h")).to_have_text("Annual General Meeting")
    orders = "{...window.hub.store.meeting.standing_orders, quorum: {kind: 'number', value: 2}}"
    await send(chair, "meeting.set_standing_orders", f"{{standing_orders: {orders}}}")
    await send(chair, "meeting.set_status", "{status: 'open'}")
    await send(ana, "attendance.check_in", "{}")
    await send(chair, "agenda.select", "{item_id: 'a5'}")
    await expect(screen.locator("#projector-item")).to_have_text(
        "5. Motion 1: Votes for life for citizens living abroad"
    )

    await send(ana, "speaker.request", "{}")
    await expect(screen.locator("#projector-queue li")).to_have_text(["Beatriz Bauer"])
    await send(chair, "speaker.call", "{}")
    await expect(screen.locator("#projector-speaker")).to_have_text("Beatriz Bauer")
    await expect(screen.get_by_role("timer")).to_contain_text("2:5")
    await send(chair, "speech.end", "{}")

    motion = await send(ana, "motion.submit", "{title: 'Votes for life', text: 'We campaign for votes.'}")
    motion_id = motion["motion_id"]  # type: ignore[index]
    await send(chair, "motion.second", f"{{motion_id: '{motion_id}'}}")
    await expect(screen.locator(".projector-motion .motion-text")).to_have_text("We campaign for votes.")
    await send(chair, "vote.open", f"{{subject: {{kind: 'motion', motion_id: '{motion_id}'}}}}")
    await expect(screen.locator("#projector-vote")).to_contain_text("Vote now")
    await send(ana, "vote.cast", "{vote_id: window.hub.store.meeting.votes[0].id, choice: 'for'}")
    await expect(screen.locator("#projector-vote")).to_contain_text("1 of")
    await screen.screenshot(path=artifacts / "projector-vote.png")
    await send(chair, "vote.close", "{vote_id: window.hub.store.meeting.votes[0].id}")
    await expect(screen.locator("#projector-result")).to_contain_text("Carried")
    # Large type, and nothing to press.
    size = await screen.locator("#projector-item").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 36
    await expect(screen.get_by_role("button")).to_have_count(0)
    await assert_accessible(screen)
    await context.close()
