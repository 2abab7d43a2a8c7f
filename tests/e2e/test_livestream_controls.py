"""The chair's Livestream controls in the console: start it, change its quality, who may watch and
whether it is recorded (the meeting's state follows, for every member), see since when it is on and how
it goes (the feed's state, a preview, the viewers, the recording's length), push it to an RTMP receiver
the test runs and stop pushing, open the viewer page with their own link, and stop it. A member has no
such controls. No serious accessibility violations, on a desktop and a phone. The screenshots illustrate
docs/guide/chair.md."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, Page, expect

from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, open_room, picture, tab, wait_until
from tests.integration.test_live_console import SECRET, receiver  # noqa: F401

CHAIR, ANA = "m001", "m002"


async def livestream(page: Page, path: str) -> object:
    return await page.evaluate(f"() => window.hub.store.meeting.livestream.{path}")


async def since(page: Page) -> list[str]:
    """The time the livestream started, as the console may show it (24 or 12 hours) in the meeting's zone."""
    started = str(await livestream(page, "started_at"))
    zone = str(await page.evaluate("() => window.hub.store.meeting.time_zone"))
    local = datetime.fromisoformat(started.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    return [local.strftime("%H:%M"), local.strftime("%I:%M %p")]


async def test_the_chair_starts_sets_and_stops_the_livestream(
    hub_server: RunningHub,
    browser: Browser,
    artifacts: Path,
    receiver: tuple[str, Path],  # noqa: F811
) -> None:
    chair = await open_room(browser, hub_server, CHAIR)
    ana = await open_room(browser, hub_server, ANA)
    await tab(chair, "console")
    group = chair.get_by_role("region", name="Livestream")
    state = group.locator("#livestream-state")
    await expect(state).to_have_text("Off")
    await expect(group.get_by_label("Quality")).to_have_value("720p")
    await expect(group.get_by_label("Who may watch")).to_have_value("branch")
    await expect(group.get_by_label("Record it for the minutes")).to_be_checked()
    # The viewer page opens in a new tab with the chair's own join link.
    viewer = group.get_by_role("link", name="Open the viewer page")
    token = quote(hub_server.links[CHAIR], safe="")
    await expect(viewer).to_have_attribute("href", f"/watch/{hub_server.meeting_id}?token={token}")
    await expect(viewer).to_have_attribute("target", "_blank")
    await assert_accessible(chair)

    # A member has neither the console nor the controls.
    await expect(ana.locator("#tab-console")).to_have_count(0)
    await expect(ana.locator("#livestream")).to_have_count(0)
    await expect(ana.get_by_role("button", name="Start the livestream")).to_have_count(0)

    await group.get_by_role("button", name="Start the livestream").click()
    await wait_until(chair, "() => window.hub.store.meeting.livestream.on === true")
    await expect(group.get_by_role("button", name="Stop the livestream")).to_be_visible()
    await expect(group.get_by_role("button", name="Start the livestream")).to_have_count(0)
    zone = str(await chair.evaluate("() => window.hub.store.meeting.time_zone"))
    await expect(state).to_contain_text(f"({zone}), and being recorded")
    shown = await state.inner_text()
    assert any(f"On since {time} " in shown for time in await since(chair)), shown
    # Every member's copy of the meeting says so: the hub's state, not the chair's page.
    await wait_until(ana, "() => window.hub.store.meeting.livestream.on === true")

    # How it goes: the feed live, a preview of the programme, nobody watching yet, the recording's time.
    await expect(group.locator("#livestream-feed")).to_have_attribute("data-state", "live", timeout=30_000)
    preview = group.get_by_role("img", name="What the livestream shows now")
    await expect(preview).to_be_visible(timeout=10_000)
    assert await preview.evaluate("(i) => i.complete && i.naturalWidth") == 192
    await expect(group.locator("#livestream-viewers")).to_have_text("0")
    await expect(group.locator("#livestream-recording")).to_have_text(
        re.compile(r"^0:0[1-9]$"), timeout=10_000
    )

    # Pushed to a video platform: the address is typed once and only its host is shown after.
    url, received = receiver
    host = url.split("/")[2]
    address = group.get_by_label("Push to a video platform (its RTMP address with the stream key)")
    await address.fill(url)
    await group.get_by_role("button", name="Push", exact=True).click()
    await expect(group.locator("#livestream-push")).to_contain_text(
        f"Pushed to {host} while the livestream is on."
    )
    health = group.locator("#livestream-push-health")
    await expect(health).to_have_attribute("data-state", "live", timeout=30_000)
    # The rate, once a few seconds of it are known.
    rate = re.compile(rf"Sending to {re.escape(host)}, [\d.]*[1-9][\d.]* Mbit/s")
    await expect(health).to_contain_text(rate)
    assert SECRET not in await chair.content() and SECRET not in await ana.content()
    await chair.mouse.move(0, 0)
    await picture(group, artifacts / "livestream-console.png")
    await group.get_by_role("button", name="Stop pushing").click()
    await expect(health).to_have_count(0, timeout=10_000)
    await expect(address).to_have_value("")
    assert received.stat().st_size > 0

    # Each setting is sent as it changes, and the hub's state follows.
    await group.get_by_label("Quality").select_option("360p")
    await wait_until(ana, "() => window.hub.store.meeting.livestream.quality === '360p'")
    await group.get_by_label("Who may watch").select_option("public")
    await wait_until(ana, "() => window.hub.store.meeting.livestream.audience === 'public'")
    # A public livestream has a link to share, with no token in it.
    public = group.locator("#livestream-public")
    await expect(public.locator("code")).to_have_text(f"{hub_server.url}/watch/{hub_server.meeting_id}")
    await expect(public.get_by_role("button", name="Copy the public link")).to_be_visible()
    await group.get_by_label("Captions in").select_option("es")
    await wait_until(ana, "() => window.hub.store.meeting.livestream.language === 'es'")
    await group.get_by_label("Record it for the minutes").uncheck()
    await wait_until(ana, "() => window.hub.store.meeting.livestream.record === false")
    await expect(state).not_to_contain_text("recorded")
    assert await livestream(chair, "on") is True
    await expect(chair.locator("#notice")).to_be_hidden()
    await assert_accessible(chair)

    # Stopping asks first; viewers would see it ended.
    await group.get_by_role("button", name="Stop the livestream").click()
    await expect(
        group.get_by_role("group", name="Stop the livestream? Viewers will see that it has ended.")
    ).to_be_visible()
    await group.get_by_role("button", name="Yes, stop it").click()
    await wait_until(ana, "() => window.hub.store.meeting.livestream.on === false")
    assert await livestream(chair, "ended_at") is not None
    await expect(group.get_by_role("button", name="Start the livestream")).to_be_visible()
    await expect(state).to_contain_text("Off: stopped at")
    # The settings stay as they were chosen, for the next start.
    await expect(group.get_by_label("Quality")).to_have_value("360p")
    await expect(group.get_by_label("Who may watch")).to_have_value("public")
    await expect(chair.locator("#notice")).to_be_hidden()


async def test_the_livestream_controls_on_a_phone(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await open_room(browser, hub_server, CHAIR, width=375)
    await tab(chair, "console")
    group = chair.get_by_role("region", name="Livestream")
    await group.get_by_role("button", name="Start the livestream").click()
    await wait_until(chair, "() => window.hub.store.meeting.livestream.on === true")
    await expect(group.get_by_role("button", name="Stop the livestream")).to_be_visible()
    # Nothing in the group is wider than the phone.
    assert await group.evaluate("(g) => g.scrollWidth <= g.clientWidth")
    await assert_accessible(chair)
    await picture(group, artifacts / "livestream-console-phone.png")
    # Stopped on a phone as on a desktop: asked first.
    await group.get_by_role("button", name="Stop the livestream").click()
    await group.get_by_role("button", name="Yes, stop it").click()
    await wait_until(chair, "() => window.hub.store.meeting.livestream.on === false")
    await expect(group.get_by_role("button", name="Start the livestream")).to_be_visible()
