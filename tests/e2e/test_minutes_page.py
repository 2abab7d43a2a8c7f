"""Minutes through the page: the secretary drafts and edits, the chair approves, a member reads them in
the meeting and finds them on their home page."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import httpx
from playwright.async_api import Browser, expect

from hub.runtime import open_hub
from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, picture, tab, wait_until
from tests.e2e.test_procedure_page import open_as


async def test_minutes_drafted_edited_approved_and_read(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await open_as(browser, hub_server, "m001")
    secretary = await open_as(browser, hub_server, "m007")
    member = await open_as(browser, hub_server, "m002")
    await expect(member.locator("#minutes-h")).to_have_count(0)
    # The officers' controls are in their console.
    for page in (chair, secretary):
        await tab(page, "console")
    await chair.get_by_role("button", name="Open the meeting").click()
    await expect(member.locator("#status")).to_contain_text("Open")
    # Those present check in; the minutes list who did.
    for page in (secretary, member):
        await page.get_by_role("button", name="I'm here").click()
        await expect(page.get_by_role("button", name="I'm here")).to_have_count(0)

    await secretary.get_by_role("button", name="Draft the minutes from the record").click()
    await expect(secretary.locator("#minutes-status")).to_contain_text("Draft")
    # The editor opens with the draft in it.
    text = secretary.get_by_label("Text (Markdown)")
    await expect(text).not_to_have_value("")
    draft = await text.input_value()
    assert draft.startswith("# Minutes: Annual General Meeting")
    assert "Present (3):" in draft and "The meeting opened at" in draft
    # Unedited, a redraft needs no question; edited, it asks first, in place, and "Cancel" keeps the text.
    redraft = secretary.get_by_role("button", name="Redraft from the record")
    drafted = await secretary.evaluate("window.hub.store.meeting.minutes.drafted_at")
    await redraft.click()
    await expect(secretary.get_by_role("group", name=re.compile("Redrafting replaces"))).to_have_count(0)
    await wait_until(secretary, f"window.hub.store.meeting.minutes.drafted_at !== {drafted!r}")
    await expect(text).to_be_enabled()
    await text.fill(draft + "\nA line the redraft would lose.\n")
    await redraft.click()
    question = secretary.get_by_role("group", name=re.compile("Redrafting replaces the edited text"))
    await expect(question).to_be_visible()
    await question.get_by_role("button", name="Cancel").click()
    await expect(text).to_have_value(re.compile("A line the redraft would lose"))
    await redraft.click()
    await secretary.get_by_role("button", name="Yes, redraft").click()
    await expect(text).not_to_have_value(re.compile("A line the redraft would lose"))
    await expect(text).to_have_value(re.compile("^# Minutes: Annual General Meeting"))
    await text.fill(draft + "\nThe secretary thanked everyone for coming.\n")
    await secretary.get_by_role("button", name="Save the minutes").click()
    await expect(chair.locator("#minutes-status")).to_contain_text("edited by Ciaran Garcia")
    # Saved edits count too: a redraft asks first.
    await redraft.click()
    await expect(question).to_be_visible()
    await question.get_by_role("button", name="Cancel").click()
    await assert_accessible(secretary)
    await picture(secretary, artifacts / "secretary-minutes.png")

    await chair.get_by_label("Approval note").fill("Approved at the branch meeting of 10 April 2027")
    await chair.get_by_role("button", name="Approve and publish").click()
    # Members read the approved minutes with the agenda, the tab they start on.
    await expect(member.locator("#tab-agenda")).to_have_attribute("aria-selected", "true")
    await expect(member.locator("#minutes-status")).to_contain_text("Approved at the branch meeting")
    async with member.context.expect_page() as opened:
        await member.get_by_role("link", name="Read the minutes").click()
    page = await opened.value
    await expect(page.locator("h1")).to_have_text("Minutes: Annual General Meeting")
    await expect(page.locator("body")).to_contain_text("thanked everyone for coming")
    await expect(page.locator("body")).to_contain_text("Approval recorded by")
    await assert_accessible(page)

    # Published: the member's home lists them, and both links open them.
    async with open_hub(hub_server.settings) as hub:
        token = await hub.issue_home_link("m002", timedelta(days=1))
    home = await member.context.new_page()
    await home.goto(f"{hub_server.url}/home/{token}")
    published = home.locator(f"#published li[data-meeting='{hub_server.meeting_id}']")
    await expect(published).to_contain_text("Approved at the branch meeting of 10 April 2027")
    await assert_accessible(home)
    await home.locator("#minutes-list-h").locator("..").screenshot(path=artifacts / "member-home-minutes.png")
    pdf = await published.get_by_role(
        "link", name="PDF of the minutes of Annual General Meeting"
    ).get_attribute("href")
    assert pdf is not None
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        response = await http.get(pdf)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    await published.get_by_role("link", name="Read the minutes of Annual General Meeting").click()
    await expect(home.locator("h1")).to_have_text("Minutes: Annual General Meeting")
    await expect(home.locator("body")).to_contain_text("thanked everyone for coming")
