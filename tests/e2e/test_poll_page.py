"""Questions put to the vote through the page: the chair puts a question with options, members mark it
(one of N, up to k of N, a ranking made by keyboard alone, by dragging with a mouse, and by touch on a
phone, buttons and drags alike), the chair closes it and everyone sees what was chosen, with a ranked
poll's count stage by stage."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from playwright.async_api import Browser, CDPSession, Locator, Page, expect

from hub import blt, stv
from tests.client import MeetingClient
from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, open_room, picture, tab, unfold

CHAIR, ANA, BEN = "m001", "m002", "m025"
# Four more members, who vote over the protocol so that the ranked count has several stages.
OTHERS = ("m003", "m004", "m005", "m006")
OPEN_VOTE = "window.hub.store.meeting.votes.find(v => v.status === 'open').id"


async def send(page: Page, event: str, payload: str) -> object:
    return await page.evaluate(f"() => window.hub.connection.send('{event}', {payload})")


async def sitting(browser: Browser, hub: RunningHub) -> tuple[Page, Page, Page]:
    """The chair and Ana at a desk, Ben on a phone, in an open meeting with a quorum of three."""
    chair = await open_room(browser, hub, CHAIR)
    ana = await open_room(browser, hub, ANA)
    ben = await open_room(browser, hub, BEN, 375)
    orders = "{...window.hub.store.meeting.standing_orders, quorum: {kind: 'number', value: 3}}"
    await send(chair, "meeting.set_standing_orders", f"{{standing_orders: {orders}}}")
    await send(chair, "meeting.set_status", "{status: 'open'}")
    for page in (ana, ben):
        await send(page, "attendance.check_in", "{}")
    await expect(chair.locator("#quorum")).to_contain_text("Quorate")
    return chair, ana, ben


async def ask(
    chair: Page, question: str, method: str, options: list[str], how_many: tuple[str, int] | None = None
) -> None:
    """The chair puts a question from the Vote tab's folded form."""
    await tab(chair, "vote")
    await unfold(chair, "#ask-question")
    form = chair.locator("#ask-form")
    await form.get_by_label("Question").fill(question)
    await form.get_by_label("How members vote").select_option(label=method)
    await form.get_by_label("Options (one per line)").fill("\n".join(options))
    if how_many:
        await form.get_by_label(how_many[0]).fill(str(how_many[1]))
    if method.startswith("Ranked"):
        await form.get_by_label("Secret ballot").check()
    await form.get_by_role("button", name="Put the question to the vote").click()
    await expect(chair.locator("#vote-h")).to_contain_text(question)


async def test_one_of_and_up_to_questions(hub_server: RunningHub, browser: Browser, artifacts: Path) -> None:
    chair, ana, ben = await sitting(browser, hub_server)

    # Asked wrongly, the form says why in place before the hub has to.
    await tab(chair, "vote")
    await unfold(chair, "#ask-question")
    form = chair.locator("#ask-form")
    await form.get_by_label("Question").fill("Where shall we meet in spring?")
    await form.get_by_label("Options (one per line)").fill("Lisbon")
    await form.get_by_role("button", name="Put the question to the vote").click()
    await expect(chair.locator("#ask-problem")).to_have_text("Give at least two options, one per line.")
    await assert_accessible(chair)
    await picture(chair.locator("#panel-vote"), artifacts / "poll-ask-form.png")
    await ask(chair, "Where shall we meet in spring?", "One option", ["Lisbon", "Online", "Madrid"])

    # The moment names the options and takes Ana to her ballot, focus on its first option.
    moment = ana.locator("#moments")
    await expect(moment).to_contain_text("Choose one of these options:")
    await expect(moment.locator(".moment-options li")).to_have_text(["Lisbon", "Online", "Madrid"])
    await moment.get_by_role("button", name="Go to your ballot").click()
    await expect(ana.locator("#ballot").get_by_label("Lisbon")).to_be_focused()
    await expect(ana.locator("#announce-urgent")).to_contain_text(
        "Vote open: Where shall we meet in spring?. Choose one of the options."
    )
    await ana.get_by_role("button", name="Cast vote").click()
    await expect(ana.locator("#ballot-problem")).to_have_text("Choose an option first.")
    await ana.locator("#ballot").get_by_label("Lisbon").check()
    await ana.get_by_role("button", name="Cast vote").click()
    await expect(ana.locator("#recorded")).to_contain_text("Your vote is recorded: Lisbon")

    await ben.locator("#moments").get_by_role("button", name="Hide").click()
    await tab(ben, "vote")
    await ben.locator("#ballot").get_by_label("Online").check()
    await ben.get_by_role("button", name="Cast vote").click()
    await expect(ben.locator("#recorded")).to_contain_text("Your vote is recorded: Online")
    assert await ben.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(ben)
    await picture(ben.locator("#vote-panel"), artifacts / "poll-one-of-phone.png")

    # Level at the top: the chair's close offers a casting vote for each option tied, and no other.
    await expect(chair.locator("#tally")).to_contain_text("2 of 3 have voted. Lisbon 1, Online 1, Madrid 0.")
    await chair.get_by_role("button", name="Who voted how").click()
    await expect(chair.locator("#ballot-names")).to_contain_text("Beatriz Bauer: Lisbon")
    controls = chair.locator("#vote-panel .chair-controls")
    await expect(controls.get_by_role("button")).to_have_text(
        ["Close the vote", "Close: casting vote for Lisbon", "Close: casting vote for Online"]
    )
    await assert_accessible(chair)
    await picture(chair.locator("#panel-vote"), artifacts / "poll-one-of-chair.png")
    await controls.get_by_role("button", name="Close: casting vote for Lisbon").click()

    result = ben.locator("article.result").first
    await expect(result.locator("h3")).to_have_text("Where shall we meet in spring? — Chosen: Lisbon")
    await expect(result.locator(".bar-row.chosen")).to_have_count(1)
    await expect(result.locator(".bar-row.chosen")).to_contain_text("Lisbon ✓ Chosen")
    await expect(result).to_contain_text("The chair gave a casting vote for “Lisbon”.")
    await expect(ana.locator("#announce-urgent")).to_have_text(
        "Vote closed: Where shall we meet in spring?: Chosen: Lisbon."
    )
    await assert_accessible(ben)
    await picture(ben.locator("#results"), artifacts / "poll-one-of-result.png")

    # Up to two of four: a third mark is refused in place.
    await ask(
        chair,
        "Which projects shall we fund?",
        "Up to a number of options",
        ["Parks", "Schools", "Libraries", "Clinics"],
        ("How many options a member may choose", 2),
    )
    await tab(ana, "vote")
    ballot = ana.locator("#ballot")
    await expect(ballot.locator("legend")).to_have_text("Choose up to 2 options")
    await ballot.get_by_label("Parks").check()
    await ballot.get_by_label("Schools").check()
    await ballot.get_by_label("Libraries").click()
    await expect(ballot.get_by_label("Libraries")).not_to_be_checked()
    await expect(ana.locator("#ballot-problem")).to_have_text(
        "You may choose at most 2: remove a mark first."
    )
    await expect(ana.locator("#ballot-marked")).to_have_text("Chosen: 2 of at most 2.")
    await ana.get_by_role("button", name="Cast vote").click()
    await expect(ana.locator("#recorded")).to_contain_text("Your vote is recorded: Parks, Schools")
    await ben.locator("#moments").get_by_role("button", name="Hide").click()
    await ben.locator("#ballot").get_by_label("Parks").check()
    await ben.get_by_role("button", name="Cast vote").click()
    await expect(ben.locator("#recorded")).to_contain_text("Your vote is recorded: Parks")
    await expect(chair.locator("#tally")).to_contain_text(
        "Marks: Parks 2, Schools 1, Libraries 0, Clinics 0."
    )
    await assert_accessible(ana)
    await chair.locator("#vote-panel").get_by_role("button", name="Close the vote").click()

    result = ana.locator("article.result").first
    await expect(result.locator("h3")).to_have_text("Which projects shall we fund? — Chosen: Parks, Schools")
    await expect(result.locator(".bar-row.chosen")).to_have_count(2)
    await expect(result).to_contain_text("The 2 options with the most marks are chosen.")
    await assert_accessible(ana)
    await picture(ana.locator("#results"), artifacts / "poll-up-to-result.png")


async def focused(page: Page) -> str:
    """What a screen reader names the focused control: its label, else its text."""
    name = await page.evaluate(
        "() => document.activeElement?.getAttribute('aria-label')"
        " || document.activeElement?.textContent || ''"
    )
    return str(name).strip()


async def tab_to(page: Page, name: str, back: bool = False) -> None:
    """Tab (or Shift+Tab) until the control named `name` has focus, as a keyboard user does."""
    for _ in range(80):
        if await focused(page) == name:
            return
        await page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{name!r} is not reached by Tab; focus is on {await focused(page)!r}")


async def centre(target: Locator) -> tuple[float, float]:
    box = await target.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


async def height_at(row: Locator, fraction: float) -> float:
    """How far down the window a point `fraction` of the way down `row` is."""
    box = await row.bounding_box()
    assert box is not None
    return box["y"] + box["height"] * fraction


async def mouse_drag(page: Page, grip: Locator, row: Locator, fraction: float) -> None:
    """Drags `grip` with the mouse to a point `fraction` of the way down `row`, in a few moves."""
    x, y = await centre(grip)
    await page.mouse.move(x, y)
    await page.mouse.down()
    await page.mouse.move(x, await height_at(row, fraction), steps=6)
    await page.mouse.up()


async def finger(session: CDPSession, kind: str, x: float = 0, y: float = 0) -> None:
    """One finger on a phone's screen, through the browser's own touch input: the page gets the touch
    pointer events a finger makes, not events made up in the page."""
    points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
    await session.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


async def touch_drag(session: CDPSession, grip: Locator, row: Locator, fraction: float) -> float:
    """Puts a finger on `grip` and slides it to a point `fraction` of the way down `row`, not lifting it;
    says where along the window the finger is."""
    x, y = await centre(grip)
    await finger(session, "touchStart", x, y)
    to = await height_at(row, fraction)
    for step in range(1, 7):
        await finger(session, "touchMove", x, y + (to - y) * step / 6)
    return x


async def test_ranked_secret_question_by_keyboard_and_phone(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair, ana, ben = await sitting(browser, hub_server)
    others = []
    for member in OTHERS:
        client = MeetingClient(hub_server.url, hub_server.links[member])
        await client.connect()
        await client.join()
        await client.ok("attendance.check_in")
        others.append(client)
    await expect(chair.locator("#quorum")).to_contain_text("7 present")
    await ask(
        chair,
        "Elect two members to the committee",
        "Ranked (STV)",
        ["Carmen", "Diego", "Elena", "Farid"],
        ("How many seats to fill", 2),
    )

    # Ana ranks by keyboard alone: Tab to the sheet's button, Enter and Space to add, move and cast.
    await expect(ana.locator("#moments")).to_contain_text(
        "Rank these options in order of preference (2 seats):"
    )
    await tab_to(ana, "Go to your ballot")
    await ana.keyboard.press("Enter")
    await expect(ana.get_by_role("button", name="Add as preference 1: Carmen")).to_be_focused()
    await ana.keyboard.press("Tab")
    await ana.keyboard.press("Enter")
    said = ana.locator("#ranking-said")
    await expect(said).to_have_text("Diego added as preference 1. Your ranking: 1. Diego.")
    # Focus stays where the added option was, now on the next one.
    await expect(ana.get_by_role("button", name="Add as preference 2: Elena")).to_be_focused()
    await ana.keyboard.press("Shift+Tab")
    await ana.keyboard.press("Space")
    await expect(said).to_have_text("Carmen added as preference 2. Your ranking: 1. Diego, 2. Carmen.")
    await tab_to(ana, "Move up: Carmen", back=True)
    await ana.keyboard.press("Enter")
    await expect(said).to_have_text("Carmen moved to preference 1. Your ranking: 1. Carmen, 2. Diego.")
    # At the top, focus moves to the button that still moves it.
    await expect(ana.get_by_role("button", name="Move down: Carmen")).to_be_focused()
    await ana.keyboard.press("Space")
    await expect(said).to_have_text("Carmen moved to preference 2. Your ranking: 1. Diego, 2. Carmen.")
    await expect(ana.locator("#ballot .ranking li")).to_have_count(2)
    await expect(ana.locator("#ballot-summary")).to_have_text("Your ballot: 1. Diego, 2. Carmen")
    await assert_accessible(ana)
    await picture(ana.locator("#vote-panel"), artifacts / "poll-ranked-desk.png")

    # With a mouse: Carmen dragged by her grip above Diego, then Farid dragged in from those not ranked
    # to between them; a line marks where the row dragged would land.
    rows = ana.locator("#ballot .ranking li")
    summary = ana.locator("#ballot-summary")
    carmen = ana.get_by_role("button", name="Drag to reorder: Carmen")
    await carmen.scroll_into_view_if_needed()
    x, y = await centre(carmen)
    await ana.mouse.move(x, y)
    await ana.mouse.down()
    await ana.mouse.move(x, await height_at(rows.nth(0), 0.25), steps=6)
    await expect(rows.nth(1)).to_have_class(re.compile(r"\bdragging\b"))
    await expect(rows.nth(0)).to_have_class(re.compile(r"\bdrop-before\b"))
    await ana.mouse.up()
    await expect(said).to_have_text("Carmen moved to preference 1. Your ranking: 1. Carmen, 2. Diego.")
    await expect(summary).to_have_text("Your ballot: 1. Carmen, 2. Diego")
    await expect(carmen).to_be_focused()
    farid = ana.locator("#ballot .unranked li", has_text="Farid").locator(".drag-handle")
    await mouse_drag(ana, farid, rows.nth(1), 0.1)
    await expect(said).to_have_text(
        "Farid added as preference 2. Your ranking: 1. Carmen, 2. Farid, 3. Diego."
    )
    await expect(rows.locator(".ranked-label")).to_have_text(["Carmen", "Farid", "Diego"])
    await expect(summary).to_have_text("Your ballot: 1. Carmen, 2. Farid, 3. Diego")
    # Back as she had it: Farid removed, and Carmen moved down by the arrow key while her grip has focus.
    await ana.get_by_role("button", name="Remove: Farid").click()
    # The list drawn again without Farid before Carmen's grip takes focus (a key pressed sooner is lost).
    await expect(said).to_have_text("Farid removed. Your ranking: 1. Carmen, 2. Diego.")
    await carmen.focus()
    await expect(carmen).to_be_focused()
    await ana.keyboard.press("ArrowDown")
    await expect(said).to_have_text("Carmen moved to preference 2. Your ranking: 1. Diego, 2. Carmen.")
    await expect(carmen).to_be_focused()
    await expect(summary).to_have_text("Your ballot: 1. Diego, 2. Carmen")
    await assert_accessible(ana)
    await tab_to(ana, "Cast vote")
    await ana.keyboard.press("Enter")
    recorded = ana.locator("#recorded")
    await expect(recorded).to_contain_text("Your vote is recorded: 1. Diego, 2. Carmen")
    receipt = await recorded.locator("code").text_content()
    assert receipt is not None and len(receipt) == 19
    # A secret ballot cannot change: the ranking is gone, the record and the receipt stay.
    await expect(ana.locator("#ballot")).to_have_count(0)

    # Ben ranks by touch on his phone: adds three, moves one up, removes one and adds it back.
    await ben.locator("#moments").get_by_role("button", name="Go to your ballot").click()
    await expect(ben.locator("#moments")).to_have_count(0)
    for n, name in enumerate(("Elena", "Diego", "Carmen"), start=1):
        await ben.get_by_role("button", name=f"Add as preference {n}: {name}").click()
    await ben.get_by_role("button", name="Move up: Carmen").click()
    await ben.get_by_role("button", name="Remove: Diego").click()
    await expect(ben.locator("#ballot-summary")).to_have_text("Your ballot: 1. Elena, 2. Carmen")
    await ben.get_by_role("button", name="Add as preference 3: Diego").click()
    await expect(ben.locator("#ballot .ranking li .ranked-label")).to_have_text(["Elena", "Carmen", "Diego"])
    await expect(ben.locator("#ballot-summary")).to_have_text("Your ballot: 1. Elena, 2. Carmen, 3. Diego")

    # And by dragging with a finger: Diego's grip to the top, where a line shows he will land, then back
    # to the foot. Only the grip takes the drag; the page does not scroll under it.
    rows = ben.locator("#ballot .ranking li")
    diego = ben.get_by_role("button", name="Drag to reorder: Diego")
    await diego.scroll_into_view_if_needed()
    scrolled = await ben.evaluate("window.scrollY")
    session = await ben.context.new_cdp_session(ben)
    x = await touch_drag(session, diego, rows.nth(0), 0.25)
    await expect(rows.nth(2)).to_have_class(re.compile(r"\bdragging\b"))
    await expect(rows.nth(0)).to_have_class(re.compile(r"\bdrop-before\b"))
    assert await ben.evaluate("window.scrollY") == scrolled
    await picture(ben.locator("#vote-panel"), artifacts / "poll-ranked-drag.png")
    await finger(session, "touchMove", x, await height_at(rows.nth(0), 0.25))
    await finger(session, "touchEnd")
    heard = ben.locator("#ranking-said")
    await expect(heard).to_have_text(
        "Diego moved to preference 1. Your ranking: 1. Diego, 2. Elena, 3. Carmen."
    )
    await expect(ben.locator("#ballot-summary")).to_have_text("Your ballot: 1. Diego, 2. Elena, 3. Carmen")
    # As above: the drag under way (Diego's row marked) before the finger's last move and its lift.
    x = await touch_drag(session, diego, rows.nth(2), 0.9)
    await expect(rows.nth(0)).to_have_class(re.compile(r"\bdragging\b"))
    await finger(session, "touchMove", x, await height_at(rows.nth(2), 0.9))
    await finger(session, "touchEnd")
    await expect(heard).to_have_text(
        "Diego moved to preference 3. Your ranking: 1. Elena, 2. Carmen, 3. Diego."
    )
    await expect(ben.locator("#ballot .ranking li .ranked-label")).to_have_text(["Elena", "Carmen", "Diego"])
    assert await ben.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(ben)
    await picture(ben.locator("#vote-panel"), artifacts / "poll-ranked-phone.png")
    await ben.get_by_role("button", name="Cast vote").click()
    await expect(ben.locator("#recorded")).to_contain_text(
        "Your vote is recorded: 1. Elena, 2. Carmen, 3. Diego"
    )
    assert len(await ben.locator("#recorded code").text_content() or "") == 19

    # The chair and the others (options o1 Carmen, o2 Diego, o3 Elena, o4 Farid).
    await send(chair, "vote.cast", f"{{vote_id: {OPEN_VOTE}, choices: ['o1']}}")
    vote_id = await chair.evaluate(OPEN_VOTE)
    for client, ranking in zip(others, (["o2", "o3"], ["o2", "o3"], ["o2"], ["o4", "o3"]), strict=True):
        await client.ok("vote.cast", {"vote_id": vote_id, "choices": ranking})
    # A secret ballot shows how many have voted, not how.
    await expect(chair.locator("#tally")).to_have_text("7 of 7 have voted.")
    await chair.locator("#vote-panel").get_by_role("button", name="Close the vote").click()

    result = chair.locator("article.result").first
    await expect(result.locator("h3")).to_have_text(
        "Elect two members to the committee — Elected: Diego, Elena"
    )
    count = result.locator(".stv-count")
    await expect(count).to_contain_text("Valid ballots: 7. Seats: 2. Quota: 3 votes.")
    table = count.get_by_role("table", name="Each candidate's votes at the end of each stage")
    await expect(table).to_be_visible()
    await expect(table.locator("thead th")).to_have_text(
        [
            "Candidate",
            "Stage 1: first preferences",
            "Stage 2: surplus of Diego",
            "Stage 3: exclusion of Farid",
            "Stage 4: exclusion of Carmen",
        ]
    )
    # Each candidate elected or excluded, and why.
    await expect(table.locator("tbody tr", has_text="Diego").locator("td")).to_have_text(
        ["4 ✓ Elected (reached the quota)", "3", "3", "3"]
    )
    await expect(table.locator("tbody tr", has_text="Elena").locator("td")).to_have_text(
        ["1", "1.5", "2.5", "2.5 ✓ Elected (as many left as seats)"]
    )
    await expect(table.locator("tbody tr", has_text="Farid").locator("td").nth(2)).to_have_text(
        "0 Excluded (fewest votes)"
    )
    await expect(count.locator(".count-elected li")).to_have_text(["Diego", "Elena"])
    await expect(result).to_contain_text("single transferable vote")
    # The anonymised ballots download as a BLT file, and the hub's own recount of it elects the same.
    async with chair.expect_download() as download:
        await result.get_by_role("link", name="Download the anonymised ballots").click()
    saved = await (await download.value).path()
    recount = stv.count(blt.parse(await asyncio.to_thread(Path(saved).read_text)))
    assert recount.elected == ["Diego", "Elena"] and recount.valid == 7
    await assert_accessible(chair)
    await picture(chair.locator("#results"), artifacts / "poll-ranked-count.png")

    # On the phone the table scrolls in its own box; the page does not.
    await expect(ben.locator("article.result .count-scroll")).to_be_visible()
    assert await ben.evaluate("document.documentElement.scrollWidth") <= 375
    await expect(ben.locator("#results .receipt")).to_contain_text("Your receipt for this secret ballot")
    await assert_accessible(ben)
    await picture(ben.locator("#results"), artifacts / "poll-ranked-count-phone.png")
    for client in others:
        await client.disconnect()
