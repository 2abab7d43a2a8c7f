"""The room's layout: the stage beside a panel of tabs and a toolbar on a desktop, the tabs as a bar at
the foot of a phone's screen; every tab at most two screens long on a phone and axe clean at both widths;
the chair's controls apart from a member's; the People list one tab stop however many are present; the
keyboard shortcuts; the chat's unread count."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from hub.config import Limits
from hub.demo import DEMO_MEETING_ID, sample
from hub.runtime import open_hub
from tests.client import MeetingClient
from tests.conftest import NO_GRACE, RunningHub
from tests.e2e.conftest import assert_accessible, open_room, tab, unfold, wait_until

CHAIR, ANA, BEN = "m001", "m002", "m003"
TABS = ["agenda", "speakers", "motions", "vote", "chat", "people"]
PHONE = {"width": 375, "height": 667}


async def screens(page: Page) -> float:
    return float(await page.evaluate("document.documentElement.scrollHeight / innerHeight"))


async def test_every_tab_fits_a_phone_and_passes_axe(
    agm_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    hub = agm_server
    chair = await open_room(browser, hub, CHAIR)
    # A meeting under way: open, the motion's item taken up, a speaker on the floor and another waiting.
    await tab(chair, "console")
    await chair.locator("#status-controls").get_by_role("button", name="Open the meeting").click()
    await tab(chair, "agenda")
    item = chair.locator("#agenda li", has_text="Motion 1")
    await item.get_by_role("button", name="Take up").click()
    await expect(chair.locator("#current-item")).to_contain_text("Motion 1")
    members = []
    for member in (ANA, BEN):
        client = MeetingClient(hub.url, hub.links[member])
        await client.connect()
        await client.join()
        await client.ok("attendance.check_in", {})
        await client.ok("speaker.request", {"stance": "for"})
        members.append(client)
    await tab(chair, "speakers")
    await chair.locator("#call-next").click()
    await expect(chair.locator("#speaker")).to_have_text(sample_name(ANA))

    phone = await open_room(browser, hub, "m004", PHONE["width"])
    await phone.get_by_role("button", name="I'm here").click()
    # The tabs are a bar at the foot of the phone's screen.
    bar = await phone.locator(".tabs").bounding_box()
    assert bar is not None and bar["y"] + bar["height"] == pytest.approx(PHONE["height"], abs=1)
    for name in TABS:
        await tab(phone, name)
        await expect(phone.locator(f"#panel-{name}")).to_be_visible()
        assert await screens(phone) <= 2, f"the {name} tab is {await screens(phone):.2f} screens long"
        await assert_accessible(phone)
    await tab(phone, "speakers")
    await phone.screenshot(path=artifacts / "room-phone.png")

    for name in [*TABS, "console"]:
        await tab(chair, name)
        await assert_accessible(chair)
    await tab(chair, "speakers")
    await chair.screenshot(path=artifacts / "room-desktop.png")
    await tab(chair, "console")
    # For the guide: the console whole, without the warning about the speaker's microphone (dealt with
    # above) or the toolbar over it.
    await chair.locator("#notice button").click()
    size = chair.viewport_size
    assert size is not None
    await chair.set_viewport_size({"width": size["width"], "height": 2400})
    await chair.locator("#panel-console").screenshot(path=artifacts / "chair-console.png")
    await chair.set_viewport_size(size)

    # The chair's controls are drawn apart and marked; a member has none of them and no console tab.
    assert await chair.locator("#floor .chair-controls").count() == 1
    await expect(phone.locator("#tab-console")).to_have_count(0)
    await expect(phone.locator(".chair-controls")).to_have_count(0)
    for client in members:
        await client.disconnect()


def sample_name(member: str) -> str:
    return next(m["name"] for m in sample()["members"] if m["id"] == member)


@pytest.fixture
def limits() -> Limits:
    # Everyone in one list, not the big room's paged roster: the harder case for tab stops.
    return Limits(events_rate="1000/second", crowd_above=1000, grace_seconds=NO_GRACE)


TAB_STOPS = """(within) =>
[...document.querySelectorAll(`${within} :is(button, a[href], input, select, [tabindex])`)]
  .filter((el) => el.tabIndex >= 0 && !el.disabled && el.offsetParent !== null).length
"""


async def test_the_people_tab_is_one_tab_stop_with_5_or_50_here(
    hub_server: RunningHub, browser: Browser
) -> None:
    # One more member than the sample's 49, imported as an officer would, makes fifty present.
    extra = "Member number,Name,Time zone,Branch\nm900,Zora Extra,UTC,International Constituency\n"
    everyone = [m["id"] for m in sample()["members"] if m["id"] != CHAIR] + ["m900"]
    async with open_hub(hub_server.settings) as hub:
        preview = await hub.import_members(extra.encode(), save=True)
        assert preview.ok
        for member in everyone:
            hub_server.links[member] = await hub.issue_link(member, DEMO_MEETING_ID, timedelta(hours=1))
    chair = await open_room(browser, hub_server, CHAIR)
    await tab(chair, "people")

    clients = [MeetingClient(hub_server.url, hub_server.links[m]) for m in everyone]
    await asyncio.gather(*(c.connect() for c in clients[:4]))
    await asyncio.gather(*(c.join() for c in clients[:4]))
    await expect(chair.locator("#participants li")).to_have_count(5)
    few = await chair.evaluate(TAB_STOPS, "#panel-people")

    await asyncio.gather(*(c.connect() for c in clients[4:]))
    await asyncio.gather(*(c.join() for c in clients[4:]))
    await expect(chair.locator("#participants li")).to_have_count(50)
    many = await chair.evaluate(TAB_STOPS, "#panel-people")
    # Each row has Mute and Remove buttons: without the roving focus the tab's stops would grow by 3 a
    # person; the list itself is one of them (the lobby's switch is the other).
    assert few == many
    assert await chair.evaluate(TAB_STOPS, "#participants") == 1

    # Arrow keys walk the rows and into a row's buttons; Tab leaves the list in one step.
    rows = chair.locator("#participants li")
    await rows.first.focus()
    await chair.keyboard.press("ArrowDown")
    await expect(rows.nth(1)).to_be_focused()
    await chair.keyboard.press("End")
    await expect(rows.last).to_be_focused()
    await chair.keyboard.press("ArrowRight")
    await expect(rows.last.locator("button").first).to_be_focused()
    await chair.keyboard.press("ArrowLeft")
    await expect(rows.last).to_be_focused()
    # The row last visited keeps the list's one tab stop.
    assert await rows.last.get_attribute("tabindex") == "0"
    await asyncio.gather(*(c.disconnect() for c in clients))


async def test_shortcuts_the_hand_and_the_unread_chat(hub_server: RunningHub, browser: Browser) -> None:
    chair = await open_room(browser, hub_server, CHAIR)
    ana = await open_room(browser, hub_server, ANA)
    await tab(chair, "console")
    await chair.locator("#status-controls").get_by_role("button", name="Open the meeting").click()
    await tab(chair, "agenda")
    await chair.locator("#agenda li").first.get_by_role("button", name="Take up").click()
    await expect(ana.locator("#hand")).to_have_text("Raise hand")

    # H raises the hand and lowers it again; the toolbar says where the member stands.
    await ana.locator("body").press("h")
    await expect(ana.locator("#hand")).to_have_text("Lower hand (you are number 1)")
    await expect(ana.locator("#hand")).to_have_attribute("aria-pressed", "true")
    await ana.locator("body").press("h")
    await expect(ana.locator("#hand")).to_have_text("Raise hand")
    await ana.locator("#hand").click()
    await expect(chair.locator("#tab-speakers .tab-badge")).to_have_text("1")

    # N calls the next speaker, E ends the speech: the chair's, not a member's.
    await ana.locator("body").press("n")
    await ana.locator("body").press("e")
    await expect(chair.locator("#floor")).to_have_text("Nobody is speaking.")
    await chair.locator("body").press("n")
    await expect(chair.locator("#speaker")).to_have_text(sample_name(ANA))
    await chair.locator("body").press("e")
    await expect(chair.locator("#floor")).to_have_text("Nobody is speaking.")

    # Typing in a field is not a shortcut.
    await tab(ana, "chat")
    await ana.locator("#chat-form input").fill("hello")
    await ana.locator("#chat-form input").press("h")
    await expect(ana.locator("#chat-form input")).to_have_value("helloh")
    await ana.locator("#chat-form input").press("Backspace")
    await expect(ana.locator("#hand")).to_have_text("Raise hand")

    # ? lists them; they can be switched off, and then H does nothing.
    await ana.locator("#title").click()
    await ana.keyboard.press("?")
    dialog = ana.locator("#shortcuts")
    await expect(dialog).to_be_visible()
    await expect(dialog.locator("kbd")).to_have_text(["M", "V", "H", "?"])
    await assert_accessible(ana)
    await dialog.get_by_role("button", name="Turn shortcuts off").click()
    await expect(dialog).to_be_hidden()
    await ana.keyboard.press("h")
    await ana.wait_for_timeout(300)
    await expect(ana.locator("#hand")).to_have_text("Raise hand")

    # A message arrives while the chair looks at another tab: counted on the tab and in the toolbar.
    await tab(chair, "agenda")
    await ana.locator("#chat-form").get_by_role("button", name="Send").click()
    await expect(chair.locator("#tab-chat .tab-badge")).to_have_text("1")
    await expect(chair.locator("#toolbar-chat .tab-badge")).to_have_text("1")
    await chair.locator("#toolbar-chat").click()
    await expect(chair.locator("#panel-chat")).to_be_visible()
    await expect(chair.locator("#tab-chat")).to_be_focused()
    await expect(chair.locator("#tab-chat .tab-badge")).to_have_count(0)
    await expect(chair.locator("#chat-log")).to_contain_text("hello")

    # The chosen tab survives a reload; tabs follow the arrow keys.
    await chair.reload()
    await expect(chair.locator("#tab-chat")).to_have_attribute("aria-selected", "true")
    await chair.locator("#tab-chat").focus()
    await chair.keyboard.press("ArrowRight")
    await expect(chair.locator("#tab-people")).to_be_focused()
    await expect(chair.locator("#panel-people")).to_be_visible()
    await wait_until(chair, "document.activeElement.id === 'tab-people'")
    # The folded details open as members expect.
    await unfold(chair, "#about")
    await expect(chair.locator("#starts")).to_be_visible()


async def test_the_stage_speaker_and_gallery_views_pin_and_self_view(
    media_hub: RunningHub, browser: Browser, artifacts: Path
) -> None:
    from tests.e2e.test_media import join_media
    from tests.e2e.test_media import open_as as open_media

    chair = await open_media(browser, media_hub, CHAIR)
    ana = await open_media(browser, media_hub, ANA)
    await join_media(chair)
    await join_media(ana)
    tiles = chair.locator("#media-tiles .tile")
    await expect(tiles).to_have_count(2)
    ana_tile = chair.locator(f'#media-tiles .tile[data-member="{ANA}"]')
    # Each tile's video is labelled with whom it shows and their state.
    await expect(ana_tile.locator("video")).to_have_attribute("aria-label", re.compile(sample_name(ANA)))

    # Speaker view: nobody has the floor, so nobody is large until a tile is pinned.
    await expect(chair.locator("#media-tiles .tile.stage")).to_have_count(0)
    await ana_tile.get_by_role("button", name=f"Pin {sample_name(ANA)} to the stage").click()
    await expect(ana_tile).to_have_class(re.compile(r"\bstage\b"))
    # The member pinned stays large when someone else is given the floor.
    await tab(chair, "console")
    await chair.locator("#status-controls").get_by_role("button", name="Open the meeting").click()
    await tab(chair, "agenda")
    await chair.locator("#agenda li").first.get_by_role("button", name="Take up").click()
    await chair.locator("#hand").click()
    # N calls the next in the queue: once the chair's own hand is in it.
    await expect(chair.locator("#hand")).to_have_text("Lower hand (you are number 1)")
    await chair.keyboard.press("n")
    await expect(chair.locator("#speaker")).to_have_text(sample_name(CHAIR))
    await expect(chair.locator("#media-tiles .tile.stage")).to_have_count(1)
    await expect(ana_tile).to_have_class(re.compile(r"\bstage\b"))
    await chair.screenshot(path=artifacts / "room-speaker-view.png")
    # Unpinned, the floor's tile is the large one.
    await ana_tile.get_by_role("button", name=f"Unpin {sample_name(ANA)}").click()
    await expect(chair.locator(f'#media-tiles .tile.stage[data-member="{CHAIR}"]')).to_have_count(1)

    # Gallery view: all alike; the choice is kept for next time.
    await chair.locator("#view-gallery").click()
    await expect(chair.locator("#media-tiles .tile.stage")).to_have_count(0)
    await chair.reload()
    await expect(chair.locator("#view-gallery")).to_have_count(0)  # not in the call after a reload
    await join_media(chair)
    await expect(chair.locator("#view-gallery")).to_have_attribute("aria-pressed", "true")

    # Hiding the self view takes the member's own tile away, not their video from the others.
    await expect(chair.locator('#media-tiles .tile[data-stream="self"]')).to_have_count(1)
    await chair.locator("#hide-self").click()
    await expect(chair.locator('#media-tiles .tile[data-stream="self"]')).to_have_count(0)
    await expect(ana.locator(f'#media-tiles .tile[data-member="{CHAIR}"]')).to_have_count(1)

    # Full screen shows the stage's video alone.
    await chair.locator("#full-screen").click()
    await wait_until(chair, "document.fullscreenElement?.id === 'media-live'")
    await chair.locator("#full-screen").click()
    await wait_until(chair, "document.fullscreenElement === null")
    await assert_accessible(chair)
