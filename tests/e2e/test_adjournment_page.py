"""Adjournment to a stated time through the page, on a desktop and a 375 px phone: the chair moves that
the meeting be adjourned to a time a few seconds ahead, it is carried, everyone sees until when (in the
meeting's zone and their own) with a countdown in place of the business controls, the chair is offered
"Resume now", and at the time the meeting resumes by itself with its speaker list. The chair's projector
link opens the projector view without a role, shows the adjournment, and sends nothing but its join."""

from __future__ import annotations

import asyncio
from pathlib import Path

import msgpack
import pytest
from playwright.async_api import Browser, Page, WebSocket, expect

from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, tab, unfold
from tests.e2e.test_moments_page import send
from tests.e2e.test_procedure_page import open_as

CHAIR, ANA, BEN = "m001", "m002", "m025"
# Long enough to second, vote and close through the hub before it runs out; short enough to wait for.
AHEAD_SECONDS = 20


async def sitting(hub: RunningHub, chair: Page, members: list[Page]) -> None:
    """Open on item a5, quorate with those here, Ben waiting to speak."""
    orders = "{...window.hub.store.meeting.standing_orders, quorum: {kind: 'number', value: 2}}"
    await send(chair, "meeting.set_standing_orders", f"{{standing_orders: {orders}}}")
    await send(chair, "meeting.set_status", "{status: 'open'}")
    for page in (chair, *members):
        await send(page, "attendance.check_in", "{}")
    await send(chair, "agenda.select", "{item_id: 'a5'}")
    await send(members[1], "speaker.request", "{}")
    for page in (chair, *members):
        await tab(page, "speakers")
        await expect(page.locator("#queue li")).to_have_count(1)


async def holds(page: Page, condition: str) -> None:
    """Until `condition` holds in the page. Not `wait_for_function`: its polling evaluates a string,
    which the page's Content-Security-Policy forbids; an evaluate from outside is not bound by it."""
    async with asyncio.timeout(10):
        while not await page.evaluate(f"() => Boolean({condition})"):  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def carry(chair: Page, members: list[Page]) -> None:
    """The adjournment the chair moved: seconded, put and carried."""
    motion = "window.hub.store.meeting.motions.at(-1).id"
    # Each page acts on what its own store holds: wait for the news to reach it first.
    await holds(members[0], "window.hub.store.meeting.motions.at(-1)?.procedure === 'adjourn'")
    await send(members[0], "motion.second", f"{{motion_id: {motion}}}")
    await holds(chair, "window.hub.store.meeting.motions.at(-1)?.status === 'seconded'")
    await send(chair, "vote.open", f"{{subject: {{kind: 'procedural', motion_id: {motion}}}}}")
    vote = "window.hub.store.meeting.votes.at(-1).id"
    for page in (chair, *members):
        await holds(page, "window.hub.store.meeting.votes.at(-1)?.status === 'open'")
        await send(page, "vote.cast", f"{{vote_id: {vote}, choice: 'for'}}")
    await send(chair, "vote.close", f"{{vote_id: {vote}}}")


@pytest.mark.parametrize("width", [1280, 375])
async def test_adjourned_to_a_time_and_resumed_with_its_speaker_list(
    hub_server: RunningHub, browser: Browser, artifacts: Path, width: int
) -> None:
    chair = await open_as(browser, hub_server, CHAIR)
    ana = await open_as(browser, hub_server, ANA, width=width)
    ben = await open_as(browser, hub_server, BEN)
    members = [ana, ben]
    await sitting(hub_server, chair, members)

    # Through the chair's page: the adjournment, to a time typed in the chair's own zone.
    await tab(chair, "motions")
    await unfold(chair, "#propose-procedural")
    form = chair.locator("#motion-procedural")
    await form.locator("select[name=procedure]").select_option("adjourn")
    # The browser's local time as a datetime-local input takes it (Swedish dates are ISO-like).
    ahead = f"new Date(window.hub.store.serverNow() + {AHEAD_SECONDS * 1000})"
    until = await chair.evaluate(f"{ahead}.toLocaleString('sv-SE').replace(' ', 'T')")
    await form.get_by_label("Resume at").fill(until)
    await form.get_by_role("button", name="Move procedural motion").click()
    await expect(chair.locator("#motions")).to_contain_text("That the meeting be adjourned until")
    await carry(chair, members)

    for page in (chair, *members):
        # Each on the Speakers tab: neither the tab nor the toolbar offers to ask.
        await tab(page, "speakers")
        adjourned = page.locator("#adjourned")
        await expect(adjourned).to_contain_text("Adjourned until")
        await expect(adjourned).to_contain_text("your time")
        await expect(page.locator("#adjourned-countdown")).to_contain_text("Resumes in 0:")
        # No business meanwhile: the controls give way; the speaker list stays.
        await expect(page.get_by_role("button", name="Ask to speak", exact=True)).to_have_count(0)
        await expect(page.get_by_role("button", name="Raise hand", exact=True)).to_have_count(0)
        await expect(page.locator("#queue li")).to_have_count(1)
    await expect(chair.get_by_role("button", name="Resume now")).to_be_visible()
    await expect(ana.get_by_role("button", name="Resume now")).to_have_count(0)
    await expect(chair.get_by_role("button", name="Call next")).to_have_count(0)
    await expect(ana.locator("#adjourned")).to_be_in_viewport()
    if width == 375:
        assert await ana.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(ana)
    await ana.screenshot(path=artifacts / f"adjourned-{width}.png")

    # At the time it resumes by itself, where it was: the item and Ben still waiting to speak.
    for page in (chair, *members):
        await expect(page.locator("#adjourned")).to_have_count(0, timeout=(AHEAD_SECONDS + 10) * 1000)
        await expect(page.locator("#queue li")).to_have_count(1)
    for place, name in (("#panel-speakers", "Ask to speak"), ("#toolbar", "Raise hand")):
        await expect(ana.locator(place).get_by_role("button", name=name, exact=True)).to_be_visible()
    await expect(chair.get_by_role("button", name="Call next")).to_be_visible()
    for page in (chair, *members):
        await page.context.close()


async def test_the_chair_resumes_sooner_and_the_projector_link_needs_no_role(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await open_as(browser, hub_server, CHAIR, width=375)
    ana = await open_as(browser, hub_server, ANA)
    ben = await open_as(browser, hub_server, BEN)
    await expect(ana.locator("#projector-link")).to_have_count(0)
    # Under the meeting's particulars, folded at first.
    await unfold(chair, "#about")
    link = chair.locator("#projector-link")
    await expect(link).to_contain_text("Projector link")
    await expect(link.get_by_role("button", name="Copy the projector link")).to_be_visible()
    href = await link.get_by_role("link", name="Open").get_attribute("href")
    assert href is not None and href.endswith("?view=projector")
    assert hub_server.links[CHAIR] not in href

    # A hall screen with only that link: it sends its join, and nothing more.
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    screen = await context.new_page()
    sent: list[bytes | str] = []

    def record(ws: WebSocket) -> None:
        # Socket.IO packets go as binary frames (msgpack); Engine.IO's pings are text.
        ws.on("framesent", lambda frame: sent.append(frame) if isinstance(frame, bytes) else None)

    screen.on("websocket", record)
    await screen.goto(f"{hub_server.url}{href}")
    await expect(screen.locator("#projector-h")).to_have_text("Annual General Meeting")
    await sitting(hub_server, chair, [ana, ben])
    await expect(screen.locator("#projector-queue li")).to_have_count(1)
    ahead = "new Date(window.hub.store.serverNow() + 3600 * 1000).toISOString()"
    await send(ben, "motion.procedural", f"{{procedure: 'adjourn', until: {ahead}}}")
    await carry(chair, [ana, ben])
    await expect(screen.locator("#adjourned")).to_contain_text("Adjourned until")
    await expect(screen.locator("#adjourned-countdown")).to_contain_text("Resumes in 59:")
    await expect(screen.get_by_role("button")).to_have_count(0)
    await screen.screenshot(path=artifacts / "projector-adjourned.png")
    # The screen is nobody in the meeting, and the hub refuses it anything it might try.
    assert await screen.evaluate("window.hub.store.you") is None
    refused = await screen.evaluate(
        "() => window.hub.connection.send('speaker.request', {}).then(() => 'sent', (e) => e.code)"
    )
    assert refused == "forbidden"
    # Socket.IO's packets as sent: the connect, the join, and the refused try above; no other event.
    events = [packet["data"][0] for packet in map(msgpack.unpackb, sent) if packet["type"] == 2]
    assert events == ["meeting.join", "speaker.request"]
    assert await chair.evaluate("Object.keys(window.hub.store.meeting.participants).length") == 3

    await chair.get_by_role("button", name="Resume now").click()
    for page in (chair, ana, screen):
        await expect(page.locator("#adjourned")).to_have_count(0)
    await expect(ana.locator("#queue li")).to_have_count(1)
    await assert_accessible(screen)
    for page in (chair, ana, ben, screen):
        await page.context.close()
