"""A member opens a join link in Chromium and sees the meeting, in their own time zone, live."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from hub.runtime import open_hub
from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, open_room, picture, tab, unfold

CHAIR, MEMBER, NO_BRANCH = "m001", "m025", "m040"


async def test_a_second_participant_appears_live(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    tokyo = await browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB")
    chair = await tokyo.new_page()
    await chair.goto(f"{hub_server.url}/join/{hub_server.links[CHAIR]}")
    await expect(chair.locator("#title")).to_have_text("Annual General Meeting")
    # 13:00 UTC is 22:00 in Tokyo; the home zone (London) is shown beside it, under the times.
    await unfold(chair, "#about")
    await expect(chair.locator("#starts")).to_be_visible()
    await expect(chair.locator("#starts")).to_contain_text("22:00")
    await expect(chair.locator("#about .home")).to_contain_text("13:00")
    await tab(chair, "people")
    participants = chair.locator("#participants li")
    await expect(participants).to_have_count(1)
    await expect(participants.first).to_contain_text("Eleni Adeyemi")

    new_york = await browser.new_context(timezone_id="America/New_York", locale="en-US")
    member = await new_york.new_page()
    await member.goto(f"{hub_server.url}/join/{hub_server.links[MEMBER]}")
    # New York is still on EST that day (DST begins on 14 March 2027).
    await unfold(member, "#about")
    await expect(member.locator("#starts")).to_contain_text("08:00 AM EST")
    await tab(member, "people")
    await expect(member.locator("#participants li")).to_have_count(2)

    await expect(participants).to_have_count(2)
    await expect(chair.locator('#participants li[data-member="m025"]')).to_contain_text("Omar Young")
    await assert_accessible(chair)
    await picture(chair, artifacts / "join-page.png")

    # The room in Spanish: headings, controls and the date follow the chosen language.
    await member.get_by_label("Language").select_option("es")
    await expect(member.locator("#people-h")).to_contain_text("Presentes (2)")
    await tab(member, "agenda")
    await expect(member.locator("#agenda-h")).to_have_text("Orden del día")
    await expect(member.locator("#quorum")).to_contain_text("presentes")
    await expect(member.locator("#media-h")).to_have_text("Audio y vídeo")
    await expect(member.locator("#media-join")).to_have_text("Entrar con audio y vídeo")
    await expect(member.locator("#starts")).to_contain_text("mar")
    await expect(member.locator("#joining")).to_contain_text("Entra como Omar Young, de la sección North")
    await assert_accessible(member)
    await picture(member, artifacts / "room-es.png")
    await member.get_by_label("Idioma").select_option("en")
    await expect(member.locator("#agenda-h")).to_have_text("Agenda")

    await new_york.close()
    await expect(participants).to_have_count(1)
    await tokyo.close()


async def test_the_join_screen_says_who_is_joining(hub_server: RunningHub, browser: Browser) -> None:
    new_york = await browser.new_context(timezone_id="America/New_York", locale="en-US")
    member = await new_york.new_page()
    await member.goto(f"{hub_server.url}/join/{hub_server.links[MEMBER]}")
    joining = member.locator("#joining")
    await expect(joining).to_contain_text("You are joining as Omar Young, North America branch.")
    # The meeting and its start in the member's own zone.
    await expect(joining).to_contain_text("Annual General Meeting")
    await expect(joining.locator("time")).to_contain_text("08:00 AM EST")
    await expect(joining).to_contain_text("Not you? Ask the branch secretary for your own link.")
    await assert_accessible(member)
    await new_york.close()

    # Most members belong to no branch.
    rome = await browser.new_context(timezone_id="Europe/Rome", locale="en-GB")
    member = await rome.new_page()
    await member.goto(f"{hub_server.url}/join/{hub_server.links[NO_BRANCH]}")
    await expect(member.locator("#joining")).to_contain_text("You are joining as Ciaran Jensen.")
    await expect(member.locator("#joining time")).to_contain_text("14:00")
    await rome.close()


async def test_a_bad_link_explains_itself(hub_server: RunningHub, browser: Browser) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{hub_server.url}/join/not-a-real-token")
    await expect(page.locator('.error[role="alert"]')).to_contain_text("not valid")
    await expect(page.locator('[data-code="auth.invalid_token"]')).to_have_count(1)
    await context.close()


async def test_apologies_before_the_meeting(hub_server: RunningHub, browser: Browser) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{hub_server.url}/join/{hub_server.links[MEMBER]}")
    await unfold(page, "details.apologies")
    await page.locator("#apologise").get_by_label("A short note (optional)").fill("Travelling for work")
    await page.locator("#apologise").get_by_role("button", name="Send apologies").click()
    await expect(page.locator("#apologised")).to_have_text("Your apologies are recorded.")
    await tab(page, "people")
    await expect(page.locator("#apologies")).to_contain_text("Omar Young: Travelling for work")
    # Sending apologies also leaves: the member is not counted as here.
    await expect(page.locator('#participants li[data-member="m025"]')).to_have_count(0)
    await context.close()


async def test_a_member_deactivated_in_the_room_is_told_and_not_left_reconnecting(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    page = await open_room(browser, hub_server, MEMBER, width=375)
    async with open_hub(hub_server.settings) as service:
        member = await service.member(MEMBER)
        await service.save_member(member.model_copy(update={"active": False}))
    # The hub closes the connection; trying again, the page is refused for good, and says so.
    await expect(page.locator('[data-code="auth.not_invited"]')).to_have_count(1)
    await expect(page.locator('.error[role="alert"]')).to_contain_text("not invited")
    await expect(page.locator("#banner")).to_be_hidden()
    await page.screenshot(path=artifacts / "deactivated-in-the-room-375.png")
    await page.context.close()
