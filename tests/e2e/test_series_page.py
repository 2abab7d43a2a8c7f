"""Fair times across time zones in the officers' console, in the browser: the heat map of a weekday by
region (a real table whose cells say their numbers, the colour repeating them), and a series of
meetings: the hub proposes a rotation, the officer sees each region's share of the night, moves one
meeting, scores the change and creates the series; a member's home lists its meetings, numbered, in
their own time. By keyboard, with no serious accessibility violations, on a phone and a desktop. The
screenshots illustrate docs/guide/officer.md."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from hub.runtime import open_hub
from hub.sessions import Sessions
from tests.conftest import RunningHub, Sink
from tests.e2e.conftest import assert_accessible

ADMIN, MEMBER = "m007", "m040"


async def press(page: Page, selector: str, key: str = "Enter") -> None:
    await page.locator(selector).focus()
    await page.keyboard.press(key)


def shot(artifacts: Path, name: str, width: int) -> Path:
    return artifacts / f"{name}-{'phone' if width < 600 else 'desktop'}.png"


@pytest.mark.parametrize("width", [375, 1280])
async def test_an_officer_reads_the_heat_map_and_creates_a_fair_series(
    mailed_hub: tuple[RunningHub, Sink], browser: Browser, artifacts: Path, width: int
) -> None:
    hub, _ = mailed_hub
    async with open_hub(hub.settings) as store:
        _, cookie = await Sessions(store.store.redis, hub.settings.signing_secret()).open(
            ADMIN, store.clock()
        )
        home = await store.issue_home_link(MEMBER, timedelta(days=1))
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-GB", timezone_id="Europe/Madrid"
    )
    await context.add_cookies([{"name": "hub_session", "value": cookie, "url": hub.url}])
    page = await context.new_page()
    await page.goto(f"{hub.url}/officers")
    form = page.locator("#meeting-new")
    await page.locator("#nm-branch").focus()
    await page.keyboard.type("Int")
    await expect(page.locator("#nm-branch")).to_have_value("intl")
    await press(page, "input[name=invite][value=everyone]", "Space")
    await expect(form.get_by_label("Every member of the constituency")).to_be_checked()

    # The heat map: a weekday hour by hour against each region, chosen by keyboard.
    await press(page, "#nm-fair")
    heat = page.locator("#heat-table")
    await expect(heat.locator("tbody tr")).to_have_count(24)
    await press(page, "#heat-day", "t")
    await expect(heat.locator("caption")).to_contain_text("meetings starting on a Tuesday (Europe/London)")
    header = [h.strip() for h in await heat.locator("thead th").all_inner_texts()]
    assert header[0] == "Starts" and "Europe (29)" in header and "America (8)" in header
    # 03:00 in London: every European member at night, said in words and repeated by the colour.
    europe = header.index("Europe (29)")
    night = heat.locator("tbody tr[data-start='03:00'] td").nth(europe - 1)
    await expect(night).to_contain_text("29 / 0")
    await expect(night.locator(".visually-hidden")).to_have_text("29 at night, 0 at the edge of the day")
    await expect(night).to_have_class("heat heat-3")
    await expect(heat.locator("tbody tr[data-start='12:00'] td").nth(europe - 1)).to_have_class("heat heat-0")
    await assert_accessible(page)
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    await page.locator("#heat-map").screenshot(path=shot(artifacts, "officer-heat-map", width))
    # Its hour, used: the date picker holds the next Tuesday at 15:00.
    await heat.get_by_role("button", name="Use Tuesday 15:00").focus()
    await page.keyboard.press("Enter")
    assert (await page.locator("#nm-at").input_value()).endswith("T15:00")

    # A series: proposed by the hub, monthly for a year.
    await press(page, "#nm-series", "Space")
    await page.locator("#series-first").fill("2031-01-06")
    await press(page, "#series-propose")
    said = page.locator("#series-said")
    await expect(said).to_contain_text("Proposed for the 49 members invited")
    meetings = page.locator("#series-meetings tbody tr")
    await expect(meetings).to_have_count(12)
    shares = page.locator("#series-shares")
    # No region has the night at every meeting.
    for cell in await shares.locator("tbody tr td:nth-child(3)").all_inner_texts():
        assert cell.strip() != "12 of 12", cell
    await expect(shares.locator("tr[data-region='Europe'] td").nth(1)).to_have_text("0 of 12")
    await assert_accessible(page)
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    await page.locator("#series-planner").screenshot(path=shot(artifacts, "officer-series", width))

    # The officer moves the second meeting to 03:00 in London and scores the change.
    second = page.get_by_label("Meeting 2: date and time (Europe/London)")
    day = (await second.input_value())[:10]
    await second.fill(f"{day}T03:00")
    await expect(page.locator("#series-changed")).to_be_visible()
    await press(page, "#series-rescore")
    await expect(said).to_have_text("Your times, scored for the 49 members invited.")
    await expect(shares.locator("tr[data-region='Europe'] td").nth(1)).to_have_text("1 of 12")
    await expect(page.locator("#series-meetings tr[data-number='2'] td.heat").first).to_be_visible()

    await page.locator("#nm-title").focus()
    await page.keyboard.press("ControlOrMeta+a")
    await page.keyboard.type("Members' forum")
    await expect(page.locator("#nm-create")).to_have_text("Create the series (12 meetings)")
    await press(page, "#nm-create")
    await expect(page.locator("#meetings [role=status]").first).to_have_text(
        "The series “Members' forum” is created: 12 meetings."
    )
    listed = page.locator("#meetings-list li", has_text="Members' forum (")
    await expect(listed).to_have_count(12)
    await expect(listed.nth(1)).to_contain_text("Members' forum (2/12)")
    await assert_accessible(page)
    await context.close()

    # A member's home: the series' meetings, numbered, in the member's own time.
    member = await browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-GB", timezone_id="America/Chicago"
    )
    page = await member.new_page()
    await page.goto(f"{hub.url}/home/{home}")
    card = page.locator("#upcoming li", has_text="Members' forum (2/12)")
    await expect(card).to_contain_text("2 of 12 in a series")
    # 03:00 in London on a February day is 21:00 the evening before in Chicago.
    await expect(card.locator("time")).to_contain_text("21:00")
    await assert_accessible(page)
    await member.close()
