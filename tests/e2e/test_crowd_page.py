"""A big room in the page: past `crowd_above` the chair's page switches to the crowd view by itself, its
present count follows the hub's counts, the participants are read a page at a time and searched, an
officer arriving shows at once, and enough departures read the loaded rows again."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from hub.config import Limits
from hub.demo import DEMO_MEETING_ID, sample
from hub.runtime import open_hub
from tests.client import MeetingClient, joined
from tests.conftest import NO_GRACE, RunningHub
from tests.e2e.conftest import assert_accessible, picture, tab, unfold, wait_until
from tests.e2e.test_procedure_page import open_as

CHAIR, SECRETARY = "m001", "m007"
CROWD_ABOVE = 5
# Joined from Python; one more opens the page on a phone.
CROWD = 30
# roster.tsx reads this many at a time.
PAGE = 20


@pytest.fixture
def limits() -> Limits:
    return Limits(events_rate="1000/second", crowd_above=CROWD_ABOVE, grace_seconds=NO_GRACE)


async def test_the_chair_follows_a_big_room(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    names = {m["id"]: m["name"] for m in sample()["members"]}
    plain = [m["id"] for m in sample()["members"] if not {"chair", "secretary"} & set(m["roles"])]
    crowd_ids, phone, late = plain[:CROWD], plain[CROWD], plain[CROWD + 1]
    async with open_hub(hub_server.settings) as hub:
        for member in [*crowd_ids, phone, late]:
            hub_server.links[member] = await hub.issue_link(member, DEMO_MEETING_ID, timedelta(hours=1))

    chair = await open_as(browser, hub_server, CHAIR)
    await tab(chair, "people")
    await expect(chair.locator("#participants li")).to_have_count(1)
    # The meeting open, and the crowd checked in, so that the quorum counts them too.
    await tab(chair, "console")
    await chair.get_by_role("button", name="Open the meeting").click()
    await tab(chair, "people")
    crowd = {m: MeetingClient(hub_server.url, hub_server.links[m]) for m in crowd_ids}
    await asyncio.gather(*(c.connect() for c in crowd.values()))
    await asyncio.gather(*(c.join() for c in crowd.values()))
    await asyncio.gather(*(c.ok("attendance.check_in", {}) for c in crowd.values()))

    # The join that made the room big is not sent as an event: the counts are, and the page syncs to
    # the crowd view on them.
    await expect(chair.locator("#present-count")).to_have_text(str(CROWD + 1))
    await expect(chair.locator("#quorum")).to_contain_text(f"{CROWD + 1} present")
    # The page may have read the roster while the last few were still joining.
    await chair.locator("#roster").get_by_role("button", name="Refresh").click()
    await expect(chair.locator("#roster-total")).to_have_text(f"Showing {PAGE} of {CROWD + 1}")

    def by_name(member: str) -> tuple[str, str]:
        """The roster's order (hub/crowds.py)."""
        return names[member].casefold(), member

    everyone = sorted([CHAIR, *crowd_ids], key=by_name)
    rows = chair.locator("#participants li")
    await expect(rows).to_have_count(PAGE)
    await expect(rows.locator(".name")).to_have_text([names[m] for m in everyone[:PAGE]])
    # Rows keep their controls.
    someone = everyone[1] if everyone[0] == CHAIR else everyone[0]
    await expect(chair.get_by_role("button", name=f"Mute {names[someone]}")).to_be_visible()
    await chair.locator("#roster").get_by_role("button", name="Show more").click()
    await expect(rows).to_have_count(CROWD + 1)
    await expect(chair.locator("#roster-total")).to_have_text(f"Showing {CROWD + 1} of {CROWD + 1}")
    await expect(chair.locator("#roster").get_by_role("button", name="Show more")).to_have_count(0)

    # Search by part of a name, any case.
    wanted = crowd_ids[7]
    part = names[wanted].split()[-1][1:].upper()
    matching = [m for m in everyone if part.casefold() in names[m].casefold()]
    search = chair.get_by_role("searchbox", name="Find a participant")
    await search.fill(part)
    await expect(rows).to_have_count(len(matching))
    await expect(rows.locator(".name")).to_have_text([names[m] for m in matching])
    await search.fill("zzz")
    await expect(chair.locator("#roster-total")).to_have_text("Nobody's name contains “zzz”.")
    await search.fill("")
    await expect(rows).to_have_count(PAGE)

    # An officer arriving is shown at once; a member is only counted.
    secretary = await joined(hub_server, SECRETARY)
    await expect(chair.locator("#officers")).to_contain_text(names[SECRETARY])
    await expect(chair.locator("#officers li")).to_have_count(2)
    await expect(chair.locator("#present-count")).to_have_text(str(CROWD + 2))

    # A member opening the page in a big room gets the crowd view and the roster's first page at once.
    member = await open_as(browser, hub_server, phone, width=375)
    await tab(member, "people")
    await expect(member.locator("#present-count")).to_have_text(str(CROWD + 3))
    await expect(chair.locator("#present-count")).to_have_text(str(CROWD + 3))
    await expect(member.locator("#roster-total")).to_have_text(f"Showing {PAGE} of {CROWD + 3}")
    await expect(member.locator("#participants li")).to_have_count(PAGE)
    await expect(member.get_by_role("button", name="Mute", exact=False)).to_have_count(0)

    # Departures are counted. Enough of them read the loaded rows again by themselves (the rows were
    # read with 31 here: at 26 or fewer), and Refresh reads them now; the rows show who left.
    leaving = sorted(crowd_ids, key=by_name)[:8]
    await asyncio.gather(*(crowd[m].disconnect() for m in leaving))
    left = CROWD + 3 - len(leaving)
    await expect(chair.locator("#present-count")).to_have_text(str(left))
    await expect(member.locator("#present-count")).to_have_text(str(left))
    # The two who joined later never checked in: the quorum counts the crowd who stayed, and the chair.
    await expect(chair.locator("#quorum")).to_contain_text(f"{CROWD + 1 - len(leaving)} present")
    away = "#participants .away-badge"
    await wait_until(chair, f"document.querySelectorAll('{away}').length >= {len(leaving) - 1}")
    await chair.locator("#roster").get_by_role("button", name="Refresh").click()
    await expect(chair.locator(away)).to_have_count(len(leaving))
    await expect(chair.locator(away).first).to_have_text("Not here")
    for m in leaving:
        await expect(chair.locator(f'#participants li[data-member="{m}"] .away-badge')).to_be_visible()

    # Someone waiting in the lobby of a big room is shown to the chair at once; the roster is read only
    # to those present, so theirs waits until they are admitted (and no refusal is shown meanwhile).
    await chair.get_by_role("button", name="Turn the lobby on").click()
    await expect(chair.locator("#lobby-state")).to_contain_text("The lobby is on")
    waiting = await open_as(browser, hub_server, late)
    await expect(waiting.locator("#in-lobby")).to_be_visible()
    await tab(waiting, "people")
    await expect(chair.locator("#waiting li")).to_contain_text(names[late])
    await expect(waiting.locator("#present-count")).to_have_text(str(left))
    await expect(waiting.locator("#roster")).to_have_count(0)
    await expect(waiting.locator("#notice")).to_be_hidden()
    await chair.get_by_role("button", name=f"Admit {names[late]}").click()
    await expect(waiting.locator("#in-lobby")).to_have_count(0)
    await expect(waiting.locator("#roster-total")).to_have_text(f"Showing {PAGE} of {CROWD + 4}")
    await expect(chair.locator("#present-count")).to_have_text(str(left + 1))

    # Card votes: in a big room the chair finds members for their delegate counts through the roster.
    delegate = crowd_ids[12]
    await tab(chair, "console")
    await unfold(chair, "#settings-fold")
    weights = chair.locator("#card-weights")
    await weights.get_by_role("searchbox", name="Find a member to set their delegates").fill(names[delegate])
    field = weights.locator(f'input[name="weight-{delegate}"]')
    await expect(field).to_be_visible()
    await field.fill("4")
    await weights.get_by_role("button", name="Save delegate counts").click()
    await secretary.wait_until(lambda c: (c.meeting or {}).get("card_weights") == {delegate: 4})

    await tab(chair, "people")
    await picture(chair, artifacts / "chair-crowd.png")
    people = "section[aria-labelledby=people-h]"
    await picture(member.locator(people), artifacts / "member-crowd-phone.png")
    await chair.set_viewport_size({"width": 375, "height": 900})
    await picture(chair.locator(people), artifacts / "chair-crowd-phone.png")
    await assert_accessible(chair)
    await assert_accessible(member)

    # Each search field alone is called by its label: not the list under it, which screen readers would
    # otherwise announce by the search field's name.
    await expect(chair.get_by_label("Find a participant")).to_have_count(1)
    await expect(chair.get_by_label("Find a member to set their delegates")).to_have_count(1)

    for client in [secretary, *crowd.values()]:
        if client.sio.connected:
            await client.disconnect()
