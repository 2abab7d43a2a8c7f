"""A hybrid meeting in the page: the secretary checks in members who are in the hall without a device,
which makes the meeting quorate; a teller enters the hands counted in the hall for an open show of
hands, and the result says online, hall and total. Members react from the toolbar and the chair sees who
cannot hear."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from hub.demo import sample
from tests.client import MeetingClient
from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, open_room, tab

CHAIR, SECRETARY, ANA = "m001", "m007", "m002"
NAMES = {m["id"]: m["name"] for m in sample()["members"]}


async def test_hall_members_count_and_their_hands_are_added(
    agm_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    hub = agm_server
    chair = await open_room(browser, hub, CHAIR)
    secretary = await open_room(browser, hub, SECRETARY, 375)
    await tab(chair, "console")
    await chair.locator("#status-controls").get_by_role("button", name="Open the meeting").click()

    # The secretary finds a member in the hall by name and checks them in, on a phone.
    hall = [m["id"] for m in sample()["members"] if m["id"] not in (CHAIR, SECRETARY, ANA)][:9]
    await tab(secretary, "people")
    present = int((await chair.locator("#quorum").inner_text()).split(": ")[1].split()[0])
    first = NAMES[hall[0]]
    await secretary.locator("#hall-query").fill(first.split()[0])
    await secretary.get_by_role("button", name=f"Check in {first} in the hall").click()
    await expect(secretary.locator("#hall-count")).to_have_text("1 member checked in in the hall.")
    await expect(chair.locator("#quorum")).to_contain_text(f"{present + 1} present")
    await assert_accessible(secretary)
    await secretary.locator("#panel-people").screenshot(path=artifacts / "secretary-hall-phone.png")

    # The rest of the hall, checked in the same way from another of the secretary's devices.
    desk = MeetingClient(hub.url, hub.links[SECRETARY])
    await desk.connect()
    await desk.join()
    for member in hall[1:]:
        await desk.ok("hall.check_in", {"member_id": member})
    await expect(chair.locator("#quorum")).to_contain_text("Quorate")

    # The motion's item taken up and put to a show of hands; Ana votes online.
    ana = await open_room(browser, hub, ANA)
    await ana.get_by_role("button", name="I'm here").click()
    await tab(chair, "agenda")
    await chair.locator("#agenda li", has_text="Motion 1").get_by_role("button", name="Take up").click()
    await tab(chair, "motions")
    await chair.locator("article.motion").first.get_by_role("button", name="Vote: show of hands").click()
    await ana.locator("#moments").get_by_role("button", name="For").click()
    # A member checked in in the hall who opens the page too votes by hand there, not here.
    handed = await open_room(browser, hub, hall[0])
    await tab(handed, "vote")
    await expect(handed.locator("#vote-in-hall")).to_be_visible()
    await expect(handed.locator("#vote-panel .ballot")).to_have_count(0)
    await expect(handed.locator("#moments")).to_have_count(0)

    # The teller (the secretary) enters the hands counted in the hall: too many is refused in place.
    await tab(secretary, "vote")
    form = secretary.locator(".hall-form")
    await expect(form).to_contain_text("9 members could vote in the hall")
    await form.get_by_label("For").fill("12")
    await form.get_by_role("button", name="Enter the hall count").click()
    await expect(secretary.locator(".hall-problem")).to_have_text(
        "12 hands, but at most 9 could vote in the hall."
    )
    await form.get_by_label("For").fill("6")
    await form.get_by_label("Against").fill("2")
    await form.get_by_label("Abstain").fill("1")
    await form.get_by_role("button", name="Enter the hall count").click()
    await tab(chair, "vote")
    await expect(chair.locator(".hall-entered")).to_contain_text(f"entered by {NAMES[SECRETARY]}")
    await assert_accessible(secretary)

    await chair.locator("#vote-panel").get_by_role("button", name="Close the vote").click()
    result = chair.locator(".hall-result")
    await expect(result).to_contain_text("For 1")
    await expect(result).to_contain_text("For 6, Against 2, Abstain 1")
    await expect(result).to_contain_text("For 7, Against 2, Abstain 1")
    await chair.locator("#panel-vote").screenshot(path=artifacts / "chair-hall-result.png")
    await desk.disconnect()


async def test_reactions_from_the_toolbar(hub_server: RunningHub, browser: Browser, artifacts: Path) -> None:
    chair = await open_room(browser, hub_server, CHAIR)
    ana = await open_room(browser, hub_server, ANA, 375)

    # By keyboard: the menu opens on Enter, arrows move, Enter sends, Escape closes.
    await ana.locator("#reactions-button").focus()
    await ana.keyboard.press("Enter")
    menu = ana.locator("#reactions-menu")
    await expect(menu).to_be_visible()
    # The menu takes the focus, on its first reaction, as a member sees it open.
    await expect(menu.get_by_role("menuitem").first).to_be_focused()
    await assert_accessible(ana)
    await ana.keyboard.press("End")
    await ana.keyboard.press("ArrowUp")
    # The fourth, "Can't hear", once the focus is there (under load a key may land before the menu has it).
    await expect(menu.get_by_role("menuitem", name="Can't hear")).to_be_focused()
    await ana.keyboard.press("Enter")
    # A reaction floats over the stage for a few seconds only: looked for as soon as it is sent, for as
    # long as its way to the chair may take. The chair's count of requests stays for longer.
    bubble = chair.locator(".reaction-bubble.reaction-cant_hear", has_text=NAMES[ANA])
    await expect(bubble).to_have_count(1, timeout=15_000)
    await chair.locator("#stage").screenshot(path=artifacts / "chair-reactions.png")
    await expect(chair.locator("#reactions-asks")).to_contain_text("1 can't hear")

    # The hub limits how many one member sends: a flood is refused, with the reason shown. Sent until the
    # refusal shows, however long each takes: the hub lets one more through every few seconds.
    button, notice = ana.locator("#reactions-button"), ana.locator("#notice")
    applause = menu.get_by_role("menuitem", name="Applause")
    for _ in range(30):
        if await notice.is_visible():
            break
        if not await menu.is_visible():
            await button.click()
        await applause.click()
    await expect(notice).to_contain_text("Too many")
    # The refusal stays at the foot of the screen until dismissed: the menu opens above it, in reach, and
    # Escape closes it again, back on its button.
    await button.click()
    await expect(applause).to_be_focused()
    await applause.click(trial=True)
    await ana.keyboard.press("Escape")
    await expect(menu).to_be_hidden()
    await expect(button).to_be_focused()
    await notice.get_by_role("button", name="Dismiss").click()
    await expect(notice).to_be_hidden()
