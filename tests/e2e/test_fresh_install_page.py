"""The whole path on a fresh install, in the browser: a hub with an empty store and one administrator,
made as the operations guide says an installation starts (`hub admin add`). The administrator signs in
by the link emailed to them, creates the branches, imports the shipped sample constituency
(hub/data/sample-members.csv), creates the AGM for every member at a time the slot finder proposes,
and invites everyone; two members open the links in the invitations the real SMTP server received and
join the meeting room. The console is driven by the keyboard alone (focus and keys; the file itself is
chosen as a file picker would), and axe finds no serious violation at any step."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import Message
from importlib import resources
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.client import until
from tests.conftest import HUB, Sink, hub_env, serving
from tests.e2e.conftest import assert_accessible, mailing, tab

ADMIN_EMAIL, ADMIN_NAME = "secretary@example.org", "Ada Okonkwo"
# The branches the sample file names, with their home zones, and the constituency's own for the AGM.
BRANCHES = [
    ("International", "Europe/London"),
    ("Berlin", "Europe/Berlin"),
    ("Paris", "Europe/Paris"),
    ("Brussels", "Europe/Brussels"),
    ("Iberia", "Europe/Madrid"),
    ("Nordic", "Europe/Stockholm"),
    ("North America", "America/New_York"),
    ("Asia-Pacific", "Asia/Singapore"),
    ("Africa & Middle East", "Africa/Nairobi"),
]
# Two members who join from their invitations: one in a branch, one in none.
JOINING = [
    ("member025@example.org", "Omar Young", "America/Chicago"),
    ("member040@example.org", "Ciaran Jensen", "Europe/Rome"),
]


@dataclass
class FreshHub:
    url: str
    sink: Sink


@pytest.fixture
async def fresh_hub(redis_url: str, tmp_path: Path, smtp: tuple[Sink, int]) -> AsyncIterator[FreshHub]:
    """No demo data: an empty store in which `hub admin add` makes the first administrator, and the
    app sending its letters to the test's SMTP server."""
    sink, port = smtp
    settings = mailing(redis_url, tmp_path, port)
    # As the operations guide starts an installation: the `hub` command, in its own process.
    process = await asyncio.create_subprocess_exec(
        *HUB,
        *("admin", "add", "--redis-url", redis_url, ADMIN_EMAIL, ADMIN_NAME, "--time-zone", "Europe/London"),
        cwd=tmp_path,
        env=hub_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert "added as an administrator" in out.decode()
    async with serving(settings) as url:
        yield FreshHub(url, sink)


def text_of(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()  # type: ignore[union-attr]


def letters_to(sink: Sink, address: str) -> list[Message]:
    return [m for m in sink.messages if address in str(m["To"])]


async def press(page: Page, selector: str, key: str = "Enter") -> None:
    """By keyboard: focus the control and press a key."""
    await page.locator(selector).focus()
    await page.keyboard.press(key)


async def type_into(page: Page, selector: str, text: str) -> None:
    """By keyboard: focus a field, clear it and type."""
    await page.locator(selector).focus()
    await page.keyboard.press("ControlOrMeta+a")
    await page.keyboard.press("Backspace")
    await page.keyboard.type(text)


async def test_a_fresh_install_from_the_first_sign_in_to_members_in_the_meeting(
    fresh_hub: FreshHub, browser: Browser
) -> None:
    hub, sink = fresh_hub.url, fresh_hub.sink
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London"
    )
    page = await context.new_page()

    # Signing in by the emailed link.
    await page.goto(f"{hub}/signin")
    await type_into(page, "input[type=email]", ADMIN_EMAIL)
    await page.keyboard.press("Enter")
    await expect(page.locator("#signin-sent")).to_be_visible()
    await assert_accessible(page)
    await until(lambda: letters_to(sink, ADMIN_EMAIL))
    link = re.search(r"(http://\S+/signin/\S+)", text_of(letters_to(sink, ADMIN_EMAIL)[0]))
    assert link, text_of(letters_to(sink, ADMIN_EMAIL)[0])
    await page.goto(link.group(1))
    await page.get_by_role("button", name="Sign in").focus()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{hub}/home")
    await expect(page.locator("#upcoming")).to_have_count(0)
    await assert_accessible(page)
    await press(page, "#officers-link")
    await expect(page).to_have_url(f"{hub}/officers")
    await expect(page.locator("#members-count")).to_have_text("Members 1 to 1 of 1")
    await assert_accessible(page)

    # The branches, one after another.
    for name, zone in BRANCHES:
        await press(page, "#branch-new")
        await type_into(page, "#b-name", name)
        await type_into(page, "#b-zone", zone)
        await press(page, "#branch-edit button[type=submit]")
        await expect(page.locator("#branches [role=status]")).to_have_text(f"Saved {name}.")
    await expect(page.locator("#branches-table tbody tr")).to_have_count(len(BRANCHES))
    await assert_accessible(page)

    # The sample constituency, previewed and then saved.
    sample = resources.files("hub").joinpath("data/sample-members.csv")
    with resources.as_file(sample) as path:
        await page.locator("#import-file").set_input_files(path)
    await press(page, "#import-preview")
    await expect(page.locator("#import-counts")).to_have_text(
        "New: 49 · updated: 0 · unchanged: 0 · errors: 0"
    )
    await assert_accessible(page)
    await press(page, "#import-save")
    await expect(page.locator("#import-counts")).to_have_text("Saved: 49 new and 0 updated members.")
    await expect(page.locator("#members-count")).to_have_text("Members 1 to 25 of 50")

    # The AGM of every member, at the fairest time the slot finder proposes.
    await press(page, "#nm-kind", "a")  # the template list, by its first letter: AGM
    await expect(page.locator("#nm-kind")).to_have_value("agm")
    await page.locator("#nm-branch").focus()
    await page.keyboard.type("Int")
    await expect(page.locator("#nm-branch")).to_have_value("international")
    await type_into(page, "#nm-title", "Annual General Meeting 2031")
    await expect(page.get_by_label("Every member of the constituency")).to_be_checked()
    await press(page, "#nm-fair")
    fair = page.locator("#fair-times")
    await expect(fair.locator("caption")).to_contain_text("Fair times for the 50 members invited")
    heat = page.locator("#heat-table")
    await expect(heat.locator("tbody tr")).to_have_count(24)
    await assert_accessible(page)
    best = fair.locator("tbody tr").first
    slot = (await best.locator("th").inner_text()).strip()
    await best.get_by_role("button").focus()
    await page.keyboard.press("Enter")
    chosen = await page.locator("#nm-at").input_value()
    assert chosen, "the slot finder's proposal is in the date picker"
    assert chosen.endswith(slot.rsplit(" ", 1)[1]), (chosen, slot)
    await press(page, "#nm-create")
    agm = page.locator("#meetings-list li", has_text="Annual General Meeting 2031")
    await expect(agm).to_contain_text("Invited: every member (50)")
    await assert_accessible(page)

    # Inviting everyone: every member gets their own letter from the real SMTP server.
    await agm.get_by_role("button", name="Invitations to Annual General Meeting 2031").focus()
    await page.keyboard.press("Enter")
    panel = agm.get_by_role("region", name="Invitations to Annual General Meeting 2031")
    await panel.get_by_role("button", name="Invite everyone").focus()
    await page.keyboard.press("Enter")
    await expect(panel.get_by_role("status").filter(has_text="invitations queued")).to_have_text(
        "50 invitations queued; 0 invited before; 0 without an email address."
    )
    await until(lambda: all(letters_to(sink, address) for address, _, _ in JOINING), 30)
    await expect(panel.locator("[data-where='sent'] strong")).to_have_text("50", timeout=30_000)
    await assert_accessible(page)

    # Two members open the links in their invitations and are in the meeting room together.
    rooms = []
    for address, name, zone in JOINING:
        (letter,) = letters_to(sink, address)
        assert letter["Subject"] == "Invitation: Annual General Meeting 2031"
        found = re.search(r"(http://\S+/join/\S+)", text_of(letter))
        assert found, text_of(letter)
        member = await browser.new_context(locale="en-GB", timezone_id=zone)
        room = await member.new_page()
        await room.goto(found.group(1))
        await expect(room.locator("#title")).to_have_text("Annual General Meeting 2031")
        await tab(room, "people")
        await expect(room.locator("#participants")).to_contain_text(name)
        rooms.append(room)
    for room in rooms:
        await expect(room.locator("#participants li")).to_have_count(2)
    await assert_accessible(rooms[0])
    for room in rooms:
        await room.context.close()
    await context.close()
