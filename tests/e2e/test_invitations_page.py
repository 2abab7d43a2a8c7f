"""Invitations in the browser: an admin opens a meeting's invitations in the officers' console, invites
everyone by keyboard and watches the letters go to a real SMTP server, sees the one the server refused
with its reason, resends it once the address is put right, and sets the meeting's own reminders; a
member turns reminders off and picks their letters' language on their home page. No serious
accessibility violations, on a phone and a desktop. The screenshots illustrate docs/guide/officer.md."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from hub.invitations import Invitations
from hub.runtime import open_hub
from hub.sessions import Sessions
from tests.client import until
from tests.conftest import REFUSED, RunningHub, Sink
from tests.e2e.conftest import assert_accessible

ADMIN, BOUNCING = "m007", "m003"


@pytest.mark.parametrize("width", [375, 1280])
async def test_an_officer_invites_everyone_and_resends_the_letter_that_failed(
    mailed_hub: tuple[RunningHub, Sink], browser: Browser, artifacts: Path, width: int
) -> None:
    hub, sink = mailed_hub
    async with open_hub(hub.settings) as store:
        bouncing = await store.member(BOUNCING)
        await store.save_member(bouncing.model_copy(update={"email": REFUSED}))
        _, cookie = await Sessions(store.store.redis, hub.settings.signing_secret()).open(
            ADMIN, store.clock()
        )
    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    await context.add_cookies([{"name": "hub_session", "value": cookie, "url": hub.url}])
    page = await context.new_page()
    await page.goto(f"{hub.url}/officers")
    card = page.locator(f"#meetings-list li[data-meeting='{hub.meeting_id}']")
    toggle = card.get_by_role("button", name="Invitations to Annual General Meeting")
    await toggle.focus()
    await page.keyboard.press("Enter")
    panel = card.get_by_role("region", name="Invitations to Annual General Meeting")
    await expect(panel.locator("[data-where='not_invited'] strong")).to_have_text("49")

    invite = panel.get_by_role("button", name="Invite everyone")
    await invite.focus()
    await page.keyboard.press("Enter")
    await expect(panel.get_by_role("status").filter(has_text="invitations queued")).to_have_text(
        "49 invitations queued; 0 invited before; 0 without an email address."
    )
    await until(lambda: len(sink.messages) == 48, 30)
    # The list is read again while letters are on their way: it ends with 48 sent and 1 refused.
    await expect(panel.locator("[data-where='sent'] strong")).to_have_text("48", timeout=20_000)
    await expect(panel.locator("[data-where='failed'] strong")).to_have_text("1")
    await panel.get_by_label("Show").select_option("failed")
    row = panel.locator(f"tr[data-member='{BOUNCING}']")
    await expect(row).to_contain_text("Failed")
    await expect(row).to_contain_text("550")
    await assert_accessible(page)
    # The meeting's card with its invitations open, for the officers' guide.
    await card.screenshot(path=artifacts / f"officer-invitations-{'phone' if width < 600 else 'desktop'}.png")

    async with open_hub(hub.settings) as store:
        await store.save_member(bouncing.model_copy(update={"email": "member003@example.org"}))
    await panel.get_by_role("button", name="Resend all that failed (1)").click()
    await expect(panel.get_by_role("status").filter(has_text="queued again")).to_have_text(
        "1 letter queued again."
    )
    await until(lambda: len(sink.messages) == 49, 30)
    await panel.get_by_label("Show").select_option("all")
    await expect(panel.locator("[data-where='sent'] strong")).to_have_text("49", timeout=20_000)
    await expect(panel.locator("[data-where='failed'] strong")).to_have_text("0")

    # The meeting's own reminders: a week and an hour before.
    await panel.get_by_role("radio", name="This meeting's own:").check()
    await panel.get_by_label("7 days before").check()
    await panel.get_by_label("1 day before").uncheck()
    await panel.get_by_role("button", name="Save reminders").click()
    await expect(panel.get_by_role("status").filter(has_text="Reminders:")).to_have_text(
        "Reminders: 7 days and 1 hour before the start."
    )
    async with open_hub(hub.settings) as store:
        offsets = await Invitations(store, hub.url, "hub@example.org").reminders_of(hub.meeting_id)
    assert offsets == (timedelta(days=7), timedelta(hours=1))
    await context.close()


async def test_a_member_turns_reminders_off_and_chooses_spanish_letters(
    mailed_hub: tuple[RunningHub, Sink], browser: Browser, artifacts: Path
) -> None:
    hub, _ = mailed_hub
    async with open_hub(hub.settings) as store:
        token = await store.issue_home_link("m002", timedelta(days=1))
    context = await browser.new_context(viewport={"width": 375, "height": 812}, locale="en-GB")
    page = await context.new_page()
    await page.goto(f"{hub.url}/home/{token}")
    letters = page.locator("#letters")
    reminders = letters.get_by_label("Send me reminders before my meetings")
    await expect(reminders).to_be_checked()
    await reminders.focus()
    await page.keyboard.press("Space")
    await expect(letters.get_by_role("status")).to_have_text("Saved.")
    await expect(reminders).not_to_be_checked()
    await letters.get_by_label("Letters written in").select_option("es")
    await assert_accessible(page)
    await letters.screenshot(path=artifacts / "member-home-letters.png")
    async with open_hub(hub.settings) as store:
        member = await store.member("m002")
    assert (member.reminders, member.language) == (False, "es")
    await page.reload()
    await expect(
        page.locator("#letters").get_by_label("Send me reminders before my meetings")
    ).not_to_be_checked()
    await expect(page.locator("#letters-language")).to_have_value("es")
    await context.close()
