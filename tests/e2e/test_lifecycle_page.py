"""A meeting's close and reopening through the page: the chair is asked first; once closed the hub
refuses business even without the page's help; the chair reopens it; the minutes record both."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, picture, tab
from tests.e2e.test_procedure_page import open_as

CHAIR, ANA = "m001", "m002"


async def test_the_chair_closes_and_reopens_the_meeting(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await open_as(browser, hub_server, CHAIR)
    # A member on a phone.
    ana = await open_as(browser, hub_server, ANA, width=375)
    await tab(chair, "console")
    await chair.get_by_role("button", name="Open the meeting").click()
    await tab(chair, "agenda")
    await chair.locator('#agenda [data-item="a5"]').get_by_role("button", name="Take up").click()
    await expect(ana.locator('#agenda [data-item="a5"]')).to_have_attribute("aria-current", "step")

    # Closing is asked about first; cancelling changes nothing and gives the focus back.
    await tab(chair, "console")
    await chair.get_by_role("button", name="Close the meeting").click()
    question = chair.get_by_role("group", name="Close the meeting? Its business stops until it is reopened")
    await expect(question).to_be_visible()
    await expect(chair.get_by_role("button", name="Yes, close")).to_be_focused()
    await assert_accessible(chair)
    await chair.get_by_role("button", name="Cancel").click()
    await expect(chair.get_by_role("button", name="Close the meeting")).to_be_focused()
    await expect(ana.locator("#status")).to_have_text("Open: members are arriving")

    await chair.get_by_role("button", name="Close the meeting").click()
    await chair.get_by_role("button", name="Yes, close").click()
    await expect(ana.locator("#status")).to_contain_text("Closed")
    # The item under discussion is left: nothing is current any more.
    await expect(ana.locator('#agenda [data-item="a5"]')).not_to_have_attribute("aria-current", "step")
    # The page offers no business: no asking to speak, no motions, no taking up items.
    await expect(ana.locator("#hand")).to_have_count(0)
    await tab(ana, "motions")
    await expect(ana.locator("#propose-motion")).to_have_count(0)
    await expect(ana.get_by_role("button", name="Submit motion")).to_have_count(0)
    await tab(chair, "agenda")
    await expect(chair.get_by_role("button", name="Take up")).to_have_count(0)
    await picture(ana, artifacts / "phone-closed.png")

    # The hub refuses business in a closed meeting, whatever a page sends.
    async def refused(page: Page, event: str, payload: str) -> str:
        script = f"() => window.hub.connection.send('{event}', {payload}).then(() => 'sent', e => e.code)"
        return str(await page.evaluate(script))

    assert await refused(ana, "speaker.request", "{}") == "meeting.closed"
    assert await refused(ana, "attendance.apologise", "{note: 'Late'}") == "meeting.closed"
    assert await refused(chair, "agenda.select", "{item_id: 'a5'}") == "meeting.closed"
    vote = "{subject: {kind: 'motion', motion_id: 'mo1'}}"
    assert await refused(chair, "vote.open", vote) == "meeting.closed"
    # Minutes are still written once it has closed.
    assert await refused(chair, "minutes.draft", "{}") == "sent"

    await tab(chair, "console")
    await chair.get_by_role("button", name="Reopen the meeting").click()
    await expect(ana.locator("#status")).to_have_text("Open: members are arriving")
    assert await refused(chair, "agenda.select", "{item_id: 'a5'}") == "sent"
    await chair.get_by_role("button", name="Close the meeting").click()
    await chair.get_by_role("button", name="Yes, close").click()
    await expect(ana.locator("#status")).to_contain_text("Closed")
    assert await refused(chair, "minutes.draft", "{}") == "sent"
    draft = await chair.evaluate(
        "() => window.hub.connection.send('minutes.get', {}).then(reply => reply.text)"
    )
    assert "The chair reopened the meeting at" in draft
    assert draft.count("The meeting closed at") == 2
