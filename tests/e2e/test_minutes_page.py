"""Minutes through the page: the secretary drafts and edits, the chair approves, a member reads them."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_procedure_page import open_as


async def test_minutes_drafted_edited_approved_and_read(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await open_as(browser, hub_server, "m001")
    secretary = await open_as(browser, hub_server, "m007")
    member = await open_as(browser, hub_server, "m002")
    await expect(member.locator("#minutes-h")).to_have_count(0)
    await chair.get_by_role("button", name="Open the meeting").click()
    await expect(member.locator("#status")).to_contain_text("Open")

    await secretary.get_by_role("button", name="Draft the minutes from the record").click()
    await expect(secretary.locator("#minutes-status")).to_contain_text("Draft")
    await secretary.get_by_role("button", name="Open the draft").click()
    text = secretary.get_by_label("Text (Markdown)")
    await expect(text).not_to_have_value("")
    draft = await text.input_value()
    assert draft.startswith("# Minutes: Annual General Meeting")
    assert "Present (3):" in draft
    await text.fill(draft + "\nThe secretary thanked everyone for coming.\n")
    await secretary.get_by_role("button", name="Save the minutes").click()
    await expect(chair.locator("#minutes-status")).to_contain_text("edited by Ciaran Garcia")
    await assert_accessible(secretary)
    await secretary.screenshot(path=artifacts / "secretary-minutes.png", full_page=True)

    await chair.get_by_label("Approval note").fill("Approved at the branch meeting of 10 April 2027")
    await chair.get_by_role("button", name="Approve and publish").click()
    await expect(member.locator("#minutes-status")).to_contain_text("Approved at the branch meeting")
    async with member.context.expect_page() as opened:
        await member.get_by_role("link", name="Read the minutes").click()
    page = await opened.value
    await expect(page.locator("h1")).to_have_text("Minutes: Annual General Meeting")
    await expect(page.locator("body")).to_contain_text("thanked everyone for coming")
