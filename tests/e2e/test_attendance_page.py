"""Attendance in the browser: a member checks in on a phone once the meeting is open; a 20 s connection
drop leaves the quorum the chair sees unchanged, and a drop longer than the grace period lowers it until
the member is back."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from hub.config import Limits
from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, tab, wait_until
from tests.e2e.test_procedure_page import open_as

CHAIR, ANA = "m001", "m002"
# Every distinct quorum line the page has shown, recorded as it changes.
RECORD_QUORUM = """() => {
  window.__quorums = [document.querySelector('#quorum').textContent];
  new MutationObserver(() => {
    const now = document.querySelector('#quorum')?.textContent;
    if (now && now !== window.__quorums.at(-1)) window.__quorums.push(now);
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture
def limits(request: pytest.FixtureRequest) -> Limits:
    return getattr(request, "param", Limits())


async def checked_in(hub: RunningHub, browser: Browser, width: int) -> tuple[Page, Page]:
    """The chair has opened the meeting and Ana (on a page `width` wide) has checked in."""
    chair = await open_as(browser, hub, CHAIR)
    ana = await open_as(browser, hub, ANA, width=width)
    # Opening the link checks nobody in, and there is nothing to check in to yet.
    await expect(ana.locator("#check-in")).to_have_count(0)
    await tab(chair, "console")
    await chair.get_by_role("button", name="Open the meeting").click()
    await expect(chair.locator("#quorum")).to_contain_text("1 present, 10 needed")
    button = ana.get_by_role("button", name="I'm here")
    await expect(button).to_be_visible()
    await button.click()
    await expect(ana.locator("#checked-in")).to_have_text("You are checked in.")
    await expect(button).to_have_count(0)
    await expect(chair.locator("#quorum")).to_contain_text("2 present, 10 needed")
    return chair, ana


async def test_a_member_checks_in_on_a_phone(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await open_as(browser, hub_server, CHAIR)
    ana = await open_as(browser, hub_server, ANA, width=375)
    await tab(chair, "console")
    await chair.get_by_role("button", name="Open the meeting").click()
    button = ana.get_by_role("button", name="I'm here")
    await expect(button).to_be_visible()
    # Big and in view on arrival, without scrolling.
    box = await button.bounding_box()
    assert box is not None and box["width"] >= 300 and box["height"] >= 44 and box["y"] + box["height"] <= 900
    await tab(chair, "people")
    ana_row = chair.locator(f'#participants [data-member="{ANA}"]')
    await expect(ana_row).to_be_visible()
    await expect(ana_row).to_contain_text("Not checked in")
    await assert_accessible(ana)
    await ana.screenshot(path=artifacts / "phone-check-in.png")
    await button.click()
    await expect(ana.locator("#checked-in")).to_be_visible()
    await expect(ana_row).to_contain_text("Checked in")
    await expect(chair.locator("#quorum")).to_contain_text("2 present, 10 needed")
    # The officers export the register from their console; a member has no such link.
    await tab(chair, "console")
    await expect(chair.locator("#register-link")).to_be_visible()
    await expect(ana.locator("#register-link")).to_have_count(0)
    async with chair.expect_download() as downloading:
        await chair.locator("#register-link").click()
    register = await asyncio.to_thread(Path(await (await downloading.value).path()).read_text)
    assert register.startswith("member,name,role,checked in at") and f"\n{ANA}," in register
    await assert_accessible(chair)


async def test_a_20_second_drop_leaves_the_quorum_unchanged(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair, ana = await checked_in(hub_server, browser, width=375)
    await chair.evaluate(RECORD_QUORUM)
    await tab(chair, "people")
    ana_row = chair.locator(f'#participants [data-member="{ANA}"]')
    await ana.context.set_offline(True)
    # The hub has noticed the drop: she is reconnecting, and still counted.
    await expect(ana_row).to_contain_text("Reconnecting", timeout=15_000)
    await chair.screenshot(path=artifacts / "chair-member-reconnecting.png")
    await chair.wait_for_timeout(20_000)
    await ana.context.set_offline(False)
    await expect(ana_row).to_contain_text("Checked in", timeout=20_000)
    assert await chair.evaluate("window.__quorums") == ["Not quorate: 2 present, 10 needed"]
    await expect(ana.locator("#check-in")).to_have_count(0)


@pytest.mark.parametrize("limits", [Limits(grace_seconds=3)], indirect=True)
async def test_a_drop_longer_than_the_grace_period_lowers_the_quorum(
    hub_server: RunningHub, browser: Browser
) -> None:
    chair, ana = await checked_in(hub_server, browser, width=1280)
    await tab(chair, "people")
    await expect(chair.locator(f'#participants [data-member="{ANA}"]')).to_be_visible()
    await ana.context.set_offline(True)
    await expect(chair.locator("#quorum")).to_contain_text("1 present, 10 needed", timeout=20_000)
    await expect(chair.locator(f'#participants [data-member="{ANA}"]')).to_have_count(0)
    await ana.context.set_offline(False)
    # Back, she counts again without checking in a second time.
    await expect(chair.locator("#quorum")).to_contain_text("2 present, 10 needed", timeout=20_000)
    await wait_until(ana, "window.hub.store.meeting.participants['m002'].attended === true")
    await expect(ana.locator("#checked-in")).to_be_visible()
