"""The officers' settings through the page: editing an agenda item in place, and delegate counts for
card votes."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_procedure_page import open_as

CHAIR, ANA = "m001", "m002"


async def test_chair_edits_an_agenda_item(hub_server: RunningHub, browser: Browser) -> None:
    chair = await open_as(browser, hub_server, CHAIR)
    ana = await open_as(browser, hub_server, ANA)
    item = chair.locator('[data-item="a3"]')
    await expect(item.locator(".item-title")).to_have_text("Chair's report")
    await expect(ana.locator('[data-item="a3"]').get_by_role("button", name="Edit")).to_have_count(0)

    # The form opens in place with the title focused; Escape closes it and focus returns to Edit.
    edit = item.get_by_role("button", name="Edit “Chair's report”")
    await edit.click()
    form = item.get_by_role("form", name="Edit “Chair's report”")
    await expect(form.get_by_label("Item title")).to_be_focused()
    await expect(form.get_by_label("Kind of item")).to_have_value("report")
    await expect(form.get_by_label("Time budget (minutes)")).to_have_value("15")
    await chair.keyboard.press("Escape")
    await expect(form).to_have_count(0)
    await expect(edit).to_be_focused()
    # Cancel does the same, by keyboard.
    await chair.keyboard.press("Enter")
    await expect(form.get_by_label("Item title")).to_be_focused()
    await form.get_by_role("button", name="Cancel").click()
    await expect(edit).to_be_focused()

    await edit.click()
    await form.get_by_label("Item title").fill("Chair's report and accounts")
    await form.get_by_label("Kind of item").select_option("report")
    await form.get_by_label("Time budget (minutes)").fill("20")
    await form.get_by_label("Documents, one per line").fill("Annual accounts\nBudget for next year")
    await assert_accessible(chair)
    await form.get_by_role("button", name="Save item").click()

    # Everyone sees the new title, budget and documents; the chair's focus is back on Edit.
    seen = ana.locator('[data-item="a3"]')
    await expect(seen.locator(".item-title")).to_have_text("Chair's report and accounts")
    await expect(seen.locator(".item-time")).to_contain_text("of 20:00")
    await expect(seen.locator(".document")).to_have_text(["Annual accounts", "Budget for next year"])
    await expect(item.get_by_role("button", name="Edit “Chair's report and accounts”")).to_be_focused()
    await assert_accessible(ana)
