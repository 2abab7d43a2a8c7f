"""The chair removes a participant through the page: asked twice, enforced by the hub (the member's
page is disconnected and refused), and undone by readmitting."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, tab
from tests.e2e.test_procedure_page import open_as

CHAIR, ANA = "m001", "m002"


async def test_the_chair_removes_and_readmits_a_participant(hub_server: RunningHub, browser: Browser) -> None:
    chair = await open_as(browser, hub_server, CHAIR)
    ana = await open_as(browser, hub_server, ANA)
    for page in (chair, ana):
        await tab(page, "people")
    await expect(chair.locator("#participants li")).to_have_count(2)
    # Members cannot remove anyone.
    await expect(ana.locator("#participants li")).to_have_count(2)
    await expect(ana.get_by_role("button", name="Remove Eleni Adeyemi from the meeting")).to_have_count(0)

    await chair.get_by_role("button", name="Remove Beatriz Bauer from the meeting").click()
    await expect(chair.get_by_role("group", name="Remove Beatriz Bauer?")).to_be_visible()
    # Keyboard focus goes to the question, and back when it is dismissed.
    await expect(chair.get_by_role("button", name="Yes, remove")).to_be_focused()
    await assert_accessible(chair)
    await chair.get_by_role("button", name="Cancel").click()
    await expect(chair.get_by_role("button", name="Remove Beatriz Bauer from the meeting")).to_be_focused()
    await expect(chair.locator("#participants li")).to_have_count(2)
    await chair.get_by_role("button", name="Remove Beatriz Bauer from the meeting").click()
    await chair.get_by_role("button", name="Yes, remove").click()

    await expect(chair.locator("#participants li")).to_have_count(1)
    await expect(chair.locator("#removed")).to_contain_text("Beatriz Bauer")
    # Her page is disconnected and, reconnecting, refused.
    await expect(ana.get_by_role("alert")).to_contain_text("The chair has removed you from this meeting.")
    await ana.reload()
    await expect(ana.get_by_role("alert")).to_contain_text("The chair has removed you from this meeting.")

    await chair.get_by_role("button", name="Readmit Beatriz Bauer").click()
    await expect(chair.locator("#removed")).to_have_count(0)
    await ana.reload()
    await expect(ana.locator("#title")).to_have_text("Annual General Meeting")
    await expect(chair.locator("#participants li")).to_have_count(2)


async def test_the_chair_admits_a_member_from_the_lobby(hub_server: RunningHub, browser: Browser) -> None:
    chair = await open_as(browser, hub_server, CHAIR)
    await tab(chair, "people")
    await chair.get_by_role("button", name="Turn the lobby on").click()
    await expect(chair.locator("#lobby-state")).to_contain_text("The lobby is on")

    ana = await open_as(browser, hub_server, ANA)
    await expect(ana.locator("#in-lobby")).to_contain_text("You are in the lobby")
    # Waiting: not present, not counted, and the hub refuses business.
    await expect(chair.locator("#waiting li")).to_contain_text("Beatriz Bauer")
    await expect(chair.locator("#announce-polite")).to_contain_text("Beatriz Bauer is waiting in the lobby.")
    await expect(chair.locator("#participants li")).to_have_count(1)
    refused = await ana.evaluate(
        "() => window.hub.connection.send('speaker.request', {}).then(() => 'sent', e => e.code)"
    )
    assert refused == "attendance.not_present"
    await assert_accessible(chair)
    await assert_accessible(ana)

    await chair.get_by_role("button", name="Admit Beatriz Bauer").click()
    await expect(ana.locator("#in-lobby")).to_have_count(0)
    await expect(chair.locator("#participants li")).to_have_count(2)
    await expect(chair.locator("#waiting")).to_have_count(0)
    # Admitted once, she comes straight back in after a reload.
    await ana.reload()
    await expect(ana.locator("#title")).to_have_text("Annual General Meeting")
    await expect(ana.locator("#in-lobby")).to_have_count(0)
