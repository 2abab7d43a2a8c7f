"""Advance polls in the room. While the meeting's own vote is open, the chair puts an advance question
through the Vote tab's form (a missing or past closing time refused in place); both polls show in the
Vote tab, each with its own ballot, and a member casts in both, the moment taking her from one to the
next; the chair closes the meeting's vote and the advance poll stays open with its closing time. And a
post's ballot opened in advance from under its agenda item, before the item comes up."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Locator, Page, expect

from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, open_room, picture, tab, unfold
from tests.e2e.test_election_page import NAMES, open_post
from tests.e2e.test_poll_page import ask, sitting

CHAIR, ANA, SECRETARY = "m001", "m002", "m007"
CITIES = ["Lisbon", "Online", "Madrid"]
SOCIAL = "Which evening suits the summer social?"
EVENINGS = ["Monday", "Tuesday", "Thursday"]
# The other candidate for women's officer in the demo AGM (Ana is one too).
RIVAL = "m016"


# A time some minutes from now as a datetime-local field takes it: in the browser's own zone.
AHEAD = """(minutes) => {
  const d = new Date(Date.now() + minutes * 60000);
  const two = (n) => String(n).padStart(2, '0');
  const day = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  return `${day}T${two(d.getHours())}:${two(d.getMinutes())}`;
}"""
ADVANCE_TITLE = "Put an advance poll beside this vote"


async def ahead(page: Page, minutes: int) -> str:
    return str(await page.evaluate(AHEAD, minutes))


async def same_instant(time: Locator, typed: str) -> bool:
    """Whether a <time> is the instant typed in the browser's zone."""
    same = "(el, typed) => Date.parse(el.dateTime) === new Date(typed).getTime()"
    return bool(await time.evaluate(same, typed))


async def duplicate_ids(page: Page) -> list[str]:
    ids = await page.evaluate("() => [...document.querySelectorAll('[id]')].map((e) => e.id)")
    return sorted({i for i in ids if ids.count(i) > 1})


async def test_an_advance_poll_beside_the_meetings_vote(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair, ana, ben = await sitting(browser, hub_server)
    await ask(chair, "Where shall we meet in spring?", "One option", CITIES)

    # With the meeting's vote open, the form puts only an advance poll, and wants its closing time.
    await unfold(chair, "#ask-question")
    await expect(chair.locator("#ask-question > summary")).to_have_text(ADVANCE_TITLE)
    form = chair.locator("#ask-form")
    await form.get_by_label("Question").fill(SOCIAL)
    await form.get_by_label("Options (one per line)").fill("\n".join(EVENINGS))
    put = form.get_by_role("button", name="Put the question to the vote")
    await put.click()
    await expect(chair.locator("#ask-problem")).to_have_text("Give the advance poll's closing time.")
    closes = form.get_by_label("Advance poll: closes at (your time)")
    await closes.fill(await ahead(chair, -5))
    await put.click()
    await expect(chair.locator("#ask-problem")).to_have_text("The closing time must be in the future.")
    await expect(form).to_contain_text("from their home page before the meeting")
    await assert_accessible(chair)
    await picture(chair.locator("#ask-question"), artifacts / "advance-ask-form.png")
    when = await ahead(chair, 5)
    await closes.fill(when)
    await put.click()

    # Both polls in the Vote tab, the meeting's own first; the advance one says when it closes.
    advance = chair.locator("section.vote.advance")
    await expect(chair.locator("section.vote.open h2")).to_have_text(
        ["Vote now: Where shall we meet in spring?", f"Vote now: {SOCIAL}"]
    )
    await expect(advance.locator(".advance-closes")).to_contain_text("Advance poll: closes")
    vote_id = await advance.get_attribute("data-vote")
    assert await same_instant(chair.locator(f"#{vote_id}-closes time"), when)
    await expect(chair.locator("#tab-vote .tab-badge")).to_have_text("2")
    await expect(chair.locator("#ask-question > summary")).to_have_text(ADVANCE_TITLE)
    said = ana.locator("#announce-urgent")
    await expect(said).to_contain_text(f"Vote open: {SOCIAL}. Choose one of the options.")
    await expect(said).to_contain_text("An advance poll: it closes")

    # Ana's moment takes her to the meeting's ballot, then, once she has cast, to the advance poll's.
    moment = ana.locator("#moments")
    await expect(moment).to_contain_text("A vote is open: Where shall we meet in spring?")
    await moment.get_by_role("button", name="Go to your ballot").click()
    await expect(ana.locator("#ballot").get_by_label("Lisbon")).to_be_focused()
    await ana.locator("#ballot").get_by_label("Lisbon").check()
    await ana.locator("#vote-panel").get_by_role("button", name="Cast vote").click()
    await expect(ana.locator("#recorded")).to_contain_text("Your vote is recorded: Lisbon")
    await expect(moment).to_contain_text(f"A vote is open: {SOCIAL}")
    await expect(moment).to_contain_text("Advance poll: closes")
    await moment.get_by_role("button", name="Go to your ballot").click()
    mine = ana.locator(f"#{vote_id}-ballot")
    await expect(mine.get_by_label("Monday")).to_be_focused()
    await mine.get_by_label("Monday").check()
    await mine.get_by_role("button", name="Cast vote").click()
    await expect(ana.locator(f"#{vote_id}-recorded")).to_contain_text("Your vote is recorded: Monday")
    await expect(moment).to_have_count(0)
    assert await duplicate_ids(ana) == []

    # Ben, on his phone, hides both moments and casts in the advance poll from the Vote tab.
    for _ in range(2):
        await ben.locator("#moments").get_by_role("button", name="Hide").click()
    await expect(ben.locator("#moments")).to_have_count(0)
    await tab(ben, "vote")
    await ben.locator(f"#{vote_id}-ballot").get_by_label("Tuesday").check()
    await ben.locator(f"#{vote_id}-ballot").get_by_role("button", name="Cast vote").click()
    await expect(ben.locator(f"#{vote_id}-recorded")).to_contain_text("Your vote is recorded: Tuesday")
    assert await duplicate_ids(ben) == []
    assert await ben.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(ben)
    await picture(ben.locator("#panel-vote"), artifacts / "advance-phone.png")

    # The chair sees each poll's count and closes the meeting's; the advance poll stays open.
    await expect(chair.locator(f"#{vote_id}-tally")).to_contain_text("Monday 1, Tuesday 1, Thursday 0.")
    await expect(chair.locator("#tally")).to_contain_text("1 of 3 have voted. Lisbon 1, Online 0, Madrid 0.")
    assert await duplicate_ids(chair) == []
    await assert_accessible(chair)
    await picture(chair.locator("#panel-vote"), artifacts / "advance-chair.png")
    await chair.locator("#vote-panel").get_by_role("button", name="Close the vote").click()
    result = ana.locator("article.result").first
    await expect(result.locator("h3")).to_have_text("Where shall we meet in spring? — Chosen: Lisbon")
    await expect(chair.locator("section.vote.open")).to_have_count(1)
    await expect(advance.locator("h2")).to_have_text(f"Vote now: {SOCIAL}")
    await expect(advance.locator(".advance-closes")).to_contain_text("Advance poll: closes")
    await expect(advance.get_by_role("button", name="Close the vote")).to_be_visible()
    await expect(chair.locator("#no-vote")).to_have_count(0)
    await expect(chair.locator("#ask-question > summary")).to_have_text("Put a question")
    await expect(chair.locator("#tab-vote .tab-badge")).to_have_text("●")
    await expect(ben.locator(f"#{vote_id}-recorded")).to_contain_text("Your vote is recorded: Tuesday")
    assert await ben.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(ben)
    await assert_accessible(chair)
    await picture(chair.locator("#panel-vote"), artifacts / "advance-stays-open.png")

    # The hall screen shows the meeting's result, and the advance poll still open beside it.
    screen = await (await browser.new_context(viewport={"width": 1920, "height": 1080})).new_page()
    await screen.goto(f"{hub_server.url}/join/{hub_server.links[SECRETARY]}?view=projector")
    await expect(screen.locator("#projector-result")).to_contain_text("Chosen: Lisbon")
    shown = screen.locator("#projector-advance")
    await expect(shown.locator("h2")).to_have_text("Advance polls open")
    await expect(shown.locator("li")).to_contain_text(f"{SOCIAL} Advance poll: closes")
    await expect(shown.locator("li")).to_contain_text("have voted")
    await assert_accessible(screen)


async def test_a_posts_ballot_opened_in_advance(
    agm_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await open_room(browser, agm_server, CHAIR)
    ana = await open_room(browser, agm_server, ANA, 375)

    # Its item is not before the meeting yet: the ballot waits for it, unless opened in advance.
    box = await open_post(chair, "Women's officer")
    await expect(box.get_by_role("button", name="Open the ballot for Women's officer")).to_be_disabled()
    await expect(box.locator(".chair-controls .hint").first).to_have_text(
        "The ballot opens when its agenda item is taken up, or in advance with a closing time."
    )
    await box.locator("details.advance-ballot > summary").click()
    form = box.locator("details.advance-ballot form")
    submit = form.get_by_role("button", name="Open the advance ballot for Women's officer")
    await submit.click()
    await expect(form.locator(".poll-problem")).to_have_text("Give the advance poll's closing time.")
    when = await ahead(chair, 30)
    await form.get_by_label("Closes at (your time)").fill(when)
    await assert_accessible(chair)
    await picture(box, artifacts / "advance-ballot-form.png")
    await submit.click()
    await expect(box.locator("summary .badge")).to_have_text("Ballot open")
    closing = box.locator(".closes", has_text="Advance ballot: closes")
    await expect(closing).to_be_visible()
    assert await same_instant(closing.locator("time"), when)
    await tab(chair, "vote")
    await expect(chair.locator("section.vote.advance h2")).to_have_text("Vote now: Women's officer (1 seat)")

    # Ana ranks it on her phone, from the moment to the advance ballot.
    moment = ana.locator("#moments")
    await expect(moment).to_contain_text("Advance poll: closes")
    await moment.get_by_role("button", name="Go to your ballot").click()
    ballot = ana.locator("section.vote.advance .ballot")
    await expect(ballot.get_by_role("button", name=f"Add as preference 1: {NAMES[ANA]}")).to_be_focused()
    await ballot.get_by_role("button", name=f"Add as preference 1: {NAMES[RIVAL]}").click()
    await ballot.get_by_role("button", name="Cast vote").click()
    await expect(ana.locator("section.vote.advance .recorded")).to_contain_text(
        f"Your vote is recorded: 1. {NAMES[RIVAL]}"
    )
    assert await ana.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(ana)
    await picture(ana.locator("#panel-vote"), artifacts / "advance-ballot-phone.png")
