"""Advance polls on a member's home: the chair opens polls that close by themselves, and a member who
has never joined the meeting votes in them from their home page, on a phone (a secret ranking, by
keyboard and touch, kept as a receipt) and at a desk (an open ballot, kept as their choice); a poll
closed meanwhile refuses the ballot in words the member reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, Locator, Page, expect

from tests.client import MeetingClient
from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, open_home, picture

CHAIR, MEMBER = "m001", "m002"
SPEAKERS = ["Amara Osei", "Bilal Khan", "Carmen Ruiz"]
CITIES = ["Lisbon", "Online", "Madrid"]


async def advance_polls(hub: RunningHub, closes: datetime) -> tuple[MeetingClient, dict[str, str]]:
    """The chair, over the protocol, opens three advance polls before the meeting: a secret ranking, an
    open one-of-N question and a yes/no question."""
    chair = MeetingClient(hub.url, hub.links[CHAIR])
    await chair.connect()
    await chair.join()
    when = {"closes_at": closes.isoformat()}
    asked = {
        "ranked": {
            "question": "Who should speak for the branch at conference?",
            "method": "ranked",
            "options": SPEAKERS,
            "secrecy": "secret",
        },
        "city": {"question": "Where shall we meet in spring?", "method": "one_of", "options": CITIES},
        "yes_no": {"question": "Should the branch meet in August?", "method": "yes_no"},
    }
    ids = {name: (await chair.ok("vote.ask", {**q, **when}))["vote_id"] for name, q in asked.items()}
    return chair, ids


def card(page: Page, vote_id: str) -> Locator:
    return page.locator(f".home-poll[data-vote='{vote_id}']")


async def test_a_member_votes_in_advance_polls_from_home(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    closes = (datetime.now(UTC) + timedelta(minutes=10)).replace(microsecond=0)
    chair, ids = await advance_polls(hub_server, closes)
    page = await open_home(browser, hub_server, MEMBER)
    context = page.context
    polls = page.locator("#polls")
    await expect(polls.get_by_role("heading", name="Polls open now")).to_be_visible()
    await expect(polls.locator(".home-poll")).to_have_count(3)

    # The ranking: its meeting, when it closes (in the member's zone), and that it is secret.
    ranked = card(page, ids["ranked"])
    await expect(ranked.locator("h3").first).to_have_text("Who should speak for the branch at conference?")
    await expect(ranked).to_contain_text("Meeting: Annual General Meeting")
    zone = await page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    local = closes.astimezone(ZoneInfo(zone))
    await expect(ranked).to_contain_text(f"Closes {local:%a}, {local.day} ")
    await expect(ranked).to_contain_text(f"{local:%H:%M}")
    await expect(ranked).to_contain_text("Secret ballot")

    # Closed by the chair while the page was open: the ballot is refused, and the member is told why.
    await chair.ok("vote.close", {"vote_id": ids["yes_no"]})
    yes_no = card(page, ids["yes_no"])
    await yes_no.get_by_role("button", name="For").click()
    await expect(yes_no.get_by_role("alert")).to_have_text("This vote has already closed.")

    # Ranked by touch, then by keyboard: focus moves on to the next option to add, and the order is said.
    await ranked.get_by_role("button", name="Cast vote").click()
    await expect(ranked.locator(".poll-problem")).to_have_text(
        "Add at least one option to your ranking first."
    )
    await ranked.get_by_role("button", name="Add as preference 1: Bilal Khan").click()
    await expect(ranked.get_by_role("button", name="Add as preference 2: Carmen Ruiz")).to_be_focused()
    await page.keyboard.press("Enter")
    # Adding moves focus on to the next option to add, once the page has drawn the new ranking.
    await expect(ranked.get_by_role("button", name="Add as preference 3: Amara Osei")).to_be_focused()
    await ranked.get_by_role("button", name="Move up: Carmen Ruiz").focus()
    await page.keyboard.press("Enter")
    await expect(ranked.locator("[aria-live='polite']")).to_have_text(
        "Carmen Ruiz moved to preference 1. Your ranking: 1. Carmen Ruiz, 2. Bilal Khan."
    )
    await expect(ranked.locator(".poll-summary")).to_have_text("Your ballot: 1. Carmen Ruiz, 2. Bilal Khan")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(page)
    await picture(ranked, artifacts / "home-poll-ranked-phone.png")

    await ranked.get_by_role("button", name="Cast vote").click()
    recorded = ranked.locator(".recorded")
    await expect(recorded).to_contain_text("Your vote is recorded. Your receipt for this secret ballot:")
    receipt = await recorded.locator("code").inner_text()
    assert receipt
    await expect(ranked.locator("form")).to_have_count(0)
    await expect(recorded.get_by_role("button", name="Copy the receipt")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(page)
    await picture(page, artifacts / "home-poll-phone.png")

    # Read again: the receipt, no form; the closed poll is gone.
    await page.reload()
    await expect(polls.locator(".home-poll")).to_have_count(2)
    await expect(ranked.locator(".recorded code")).to_have_text(receipt)
    await expect(ranked.locator("form")).to_have_count(0)

    # At a desk: the open question, cast and kept as the member's choice.
    await page.set_viewport_size({"width": 1280, "height": 800})
    city = card(page, ids["city"])
    await expect(city).to_contain_text("Open ballot: names are kept beside ballots")
    await city.get_by_label("Online").check()
    await city.get_by_role("button", name="Cast vote").click()
    await expect(city.locator(".recorded")).to_have_text("Your vote is recorded: Online")
    await page.reload()
    await expect(city.locator(".recorded")).to_have_text("Your vote is recorded: Online")
    await expect(city.get_by_label("Online")).to_be_checked()
    await assert_accessible(page)
    await picture(page, artifacts / "home-poll-desk.png")

    # The same page in Spanish.
    await page.get_by_label("Language").select_option("es")
    await expect(polls.get_by_role("heading", name="Votaciones abiertas ahora")).to_be_visible()
    await expect(city.locator(".recorded")).to_have_text("Su voto ha quedado registrado: Online")
    await assert_accessible(page)
    await page.get_by_label("Idioma").select_option("en")

    # The room's box has the ballot cast at home, under the member who never came in.
    ballots = (await chair.ok("vote.ballots", {"vote_id": ids["city"]}))["ballots"]
    assert [(b["member_id"], b["choice"]) for b in ballots] == [(MEMBER, "o2")]
    await context.close()
    await chair.disconnect()
