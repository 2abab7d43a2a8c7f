"""The officers' console in the browser: an admin signs in by the emailed link, finds the console on
their home, imports members from a CSV file through its preview (a file with an error is refused
whole; the corrected one is saved), creates the AGM for every member at a fair time, sees it listed,
reschedules and cancels a meeting. By keyboard where it counts, with no serious accessibility
violations, on a phone and a desktop. The screenshots illustrate docs/guide/officer.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.client import until
from tests.conftest import RunningHub, Sink
from tests.e2e.conftest import assert_accessible

ADMIN_EMAIL = "member007@example.org"
# As a spreadsheet writes it where the comma is the decimal mark: semicolons and a byte-order mark;
# with names in other scripts. The first file has a mistake on line 3 (an unknown time zone).
HEADER = "Member number;Name;Email;Time zone;Branch;Role"
ROWS = [
    "m101;Ngozi Okafor;ngozi@example.org;Africa/Lagos;Africa & Middle East;member",
    "m102;Юлия Смирнова;yulia@example.org;{zone};Nordic;treasurer",
    "m103;李明;li.ming@example.org;Asia/Shanghai;;",
]


def members_csv(zone: str) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *(r.format(zone=zone) for r in ROWS)]) + "\r\n").encode()


async def sign_in(page: Page, hub: RunningHub, sink: Sink) -> None:
    await page.goto(f"{hub.url}/signin")
    await page.get_by_label("Email address").fill(ADMIN_EMAIL)
    await page.keyboard.press("Enter")
    await expect(page.locator("#signin-sent")).to_be_visible()
    await until(lambda: sink.messages)
    text = sink.messages[-1].get_payload(decode=True).decode()  # type: ignore[union-attr]
    link = re.search(r"(http://\S+/signin/\S+)", text)
    assert link, text
    await page.goto(link.group(1))
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{hub.url}/home")


async def press(page: Page, selector: str) -> None:
    """By keyboard: focus the control and press Enter."""
    await page.locator(selector).focus()
    await page.keyboard.press("Enter")


def shot(artifacts: Path, name: str, width: int) -> Path:
    return artifacts / f"officer-{name}-{'phone' if width < 600 else 'desktop'}.png"


@pytest.mark.parametrize("width", [375, 1280])
async def test_an_officer_imports_members_and_creates_the_agm(
    mailed_hub: tuple[RunningHub, Sink], browser: Browser, artifacts: Path, tmp_path: Path, width: int
) -> None:
    hub, sink = mailed_hub
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-GB", timezone_id="Europe/Paris"
    )
    page = await context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    await sign_in(page, hub, sink)

    # Only officers see the way in; by keyboard.
    await press(page, "#officers-link")
    await expect(page).to_have_url(f"{hub.url}/officers")
    await expect(page.get_by_role("heading", name="Officers' console")).to_be_visible()
    await expect(page.locator("#members-count")).to_have_text("Members 1 to 25 of 49")
    await assert_accessible(page)
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    await page.screenshot(path=shot(artifacts, "console", width), full_page=False)

    # Import: a file with a mistake is previewed, and cannot be saved.
    wrong, right = tmp_path / "wrong.csv", tmp_path / "members.csv"
    wrong.write_bytes(members_csv("Europe/Olso"))
    right.write_bytes(members_csv("Europe/Oslo"))
    await page.locator("#import-file").set_input_files(wrong)
    await press(page, "#import-preview")
    await expect(page.locator("#import-counts")).to_have_text(
        "New: 2 · updated: 0 · unchanged: 0 · errors: 1"
    )
    error_row = page.locator("#import-rows tr[data-line='3']")
    await expect(error_row).to_contain_text("time_zone: Unknown time zone")
    await expect(page.locator("#import-save")).to_be_disabled()
    await expect(page.locator("#import-save")).to_have_text("Correct the rows with errors and preview again")
    await assert_accessible(page)
    await page.locator("#import-result").scroll_into_view_if_needed()
    await page.screenshot(path=shot(artifacts, "import-errors", width), full_page=False)
    # The corrected file: previewed, then saved.
    await page.locator("#import-file").set_input_files(right)
    await press(page, "#import-preview")
    await expect(page.locator("#import-counts")).to_have_text(
        "New: 3 · updated: 0 · unchanged: 0 · errors: 0"
    )
    await expect(page.locator("#import-rows")).to_contain_text("Юлия Смирнова (m102)")
    await press(page, "#import-save")
    await expect(page.locator("#import-counts")).to_have_text("Saved: 3 new and 0 updated members.")
    await expect(page.locator("#members-count")).to_have_text("Members 1 to 25 of 52")
    await page.get_by_label("Search by name, email or member number").fill("李")
    await page.keyboard.press("Enter")
    await expect(page.locator("#members-table tbody tr")).to_have_count(1)
    await expect(page.locator("#members-table tr[data-member='m103']")).to_contain_text("No branch")

    # The AGM, for every member, at a fair time.
    form = page.locator("#meeting-new")
    await form.get_by_label("Kind of meeting").select_option("agm")
    await form.get_by_label("Branch", exact=True).select_option("intl")
    await form.get_by_label("Title", exact=True).fill("Annual General Meeting 2031")
    await expect(form.get_by_label("Every member of the constituency")).to_be_checked()
    await form.get_by_label("Date and time (Europe/London)").fill("2031-06-07T03:00")
    # 03:00 in London is 04:00 in Paris, where this officer lives.
    await expect(page.locator("#nm-yours")).to_contain_text("04:00")
    await press(page, "#nm-fair")
    fair = page.locator("#fair-times")
    await expect(fair.locator("caption")).to_contain_text("Fair times for the 52 members invited")
    await expect(fair.locator("tbody tr")).to_have_count(9)
    await expect(fair.locator("tr.picked")).to_contain_text("Your choice")
    await assert_accessible(page)
    await fair.scroll_into_view_if_needed()
    await page.screenshot(path=shot(artifacts, "fair-times", width), full_page=False)
    await fair.locator("tbody tr:not(.picked) button").first.click()
    assert await form.get_by_label("Date and time (Europe/London)").input_value() != "2031-06-07T03:00"
    await form.get_by_label("Chair (member number)").fill("m001")
    await form.get_by_label("Tellers (member numbers, separated by commas)").fill("m012, m025")
    await press(page, "#nm-create")
    agm = page.locator("#meetings-list li", has_text="Annual General Meeting 2031")
    await expect(agm).to_contain_text("Invited: every member (52)")
    await expect(agm).to_contain_text("AGM")
    await expect(agm).to_contain_text("Scheduled")
    await assert_accessible(page)
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    await agm.scroll_into_view_if_needed()
    await page.screenshot(path=shot(artifacts, "meetings", width), full_page=False)

    # Reschedule the demo's AGM, then cancel it.
    demo = page.locator(f"#meetings-list li[data-meeting='{hub.meeting_id}']")
    await demo.get_by_role("button", name=re.compile("^Reschedule")).click()
    await demo.locator("input[type=datetime-local]").fill("2031-09-01T18:00")
    await demo.locator("form button[type=submit]").click()
    await expect(page.locator("#meetings [role=status]").first).to_contain_text("is rescheduled")
    await demo.get_by_role("button", name=re.compile("^Cancel")).click()
    await expect(demo).to_contain_text("Cancelled")
    await expect(demo.get_by_role("button", name=re.compile("^Reschedule"))).to_have_count(0)
    await context.close()


async def test_the_console_sends_someone_signed_out_to_sign_in(
    mailed_hub: tuple[RunningHub, Sink], browser: Browser
) -> None:
    hub, _ = mailed_hub
    page = await browser.new_page()
    await page.goto(f"{hub.url}/officers")
    # Signed out: to the sign-in page.
    await expect(page).to_have_url(f"{hub.url}/signin")
