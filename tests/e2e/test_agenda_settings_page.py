"""The officers' settings through the page: editing an agenda item in place, and delegate counts for
card votes."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, tab, unfold, wait_until
from tests.e2e.test_procedure_page import open_as

CHAIR, ANA = "m001", "m002"


async def test_chair_edits_an_agenda_item(hub_server: RunningHub, browser: Browser) -> None:
    chair = await open_as(browser, hub_server, CHAIR)
    ana = await open_as(browser, hub_server, ANA)
    item = chair.locator('#agenda [data-item="a3"]')
    await expect(item.locator(".item-title")).to_have_text("Chair's report")
    await expect(ana.locator('#agenda [data-item="a3"]').get_by_role("button", name="Edit")).to_have_count(0)

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
    seen = ana.locator('#agenda [data-item="a3"]')
    await expect(seen.locator(".item-title")).to_have_text("Chair's report and accounts")
    await expect(seen.locator(".item-time")).to_contain_text("of 20:00")
    await expect(seen.locator(".document")).to_have_text(["Annual accounts", "Budget for next year"])
    await expect(item.get_by_role("button", name="Edit “Chair's report and accounts”")).to_be_focused()
    await assert_accessible(ana)


async def test_chair_sets_card_vote_delegates(hub_server: RunningHub, browser: Browser) -> None:
    chair = await open_as(browser, hub_server, CHAIR)
    ana = await open_as(browser, hub_server, ANA)
    name = await ana.locator("#you strong").inner_text()
    await expect(ana.locator("#card-weights")).to_have_count(0)
    # In the chair's console, under the folded settings.
    await tab(chair, "console")
    await unfold(chair, "#settings-fold")
    weights = chair.locator("#card-weights")
    # Everyone present carries one delegate until the chair says otherwise.
    field = weights.get_by_label(name, exact=True)
    await expect(field).to_have_value("1")
    await field.fill("3")
    await weights.get_by_role("button", name="Save delegate counts").click()
    await wait_until(chair, f"() => window.hub.store.meeting.card_weights.{ANA} === 3")
    await expect(chair.locator("#notice")).to_be_hidden()
    await assert_accessible(chair)

    # The count is the meeting's: after reloading, the panel shows it from the state. The console is
    # still the tab shown; the settings are folded again.
    await chair.reload()
    await expect(chair.locator("#tab-console")).to_have_attribute("aria-selected", "true")
    await unfold(chair, "#settings-fold")
    await expect(chair.locator("#card-weights").get_by_label(name, exact=True)).to_have_value("3")
    chair_name = await chair.locator("#you strong").inner_text()
    await expect(chair.locator("#card-weights").get_by_label(chair_name, exact=True)).to_have_value("1")
