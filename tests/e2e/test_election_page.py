"""Elections as agenda items through the page: under the AGM's election item, members nominate
themselves and each other, second, accept with a statement and withdraw, on a desk and a 375 px phone;
the chair adds and removes a post, takes the item up and opens a post's ballot, which members rank in
the Vote tab; once the chair closes it, the post says who was elected and the Vote tab shows the count."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Locator, Page, expect

from hub.demo import DEMO_MEETING_ID, sample
from hub.runtime import open_hub
from tests.client import MeetingClient
from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, open_room, picture, tab, unfold
from tests.e2e.test_room_layout import TAB_STOPS, screens

# The chair; Ana at a desk, standing for women's officer; Sofia on a phone, standing for nothing yet.
CHAIR, ANA, SOFIA = "m001", "m002", "m003"
# Conference delegates' candidates in the demo, who rank over the protocol.
TAMSIN, TOMAS, WEI, KEIKO = "m004", "m009", "m022", "m033"
ITEM = "a8"
NAMES = {m["id"]: m["name"] for m in sample()["members"]}


async def send(page: Page, event: str, payload: str) -> object:
    return await page.evaluate(f"() => window.hub.connection.send('{event}', {payload})")


def post(page: Page, title: str) -> Locator:
    return page.locator(f'#agenda .elections[data-item="{ITEM}"] details.post', has_text=title)


async def open_post(page: Page, title: str) -> Locator:
    """The post's box, unfolded (a phone lists the posts folded) with its Elections section."""
    await tab(page, "agenda")
    await unfold(page, f'#agenda .elections[data-item="{ITEM}"]')
    box = post(page, title)
    if await box.get_attribute("open") is None:
        await box.locator("> summary").click()
    return box


def row(box: Locator, member: str) -> Locator:
    return box.locator(".nominations li", has_text=NAMES[member])


def nomination(client: MeetingClient, member: str, title: str) -> str:
    assert client.meeting is not None
    post_id = next(p["id"] for p in client.meeting["posts"] if p["title"] == title)
    return next(
        n["id"]
        for n in client.meeting["nominations"]
        if n["post_id"] == post_id and n["member_id"] == member and not n["withdrawn"]
    )


def open_vote(client: MeetingClient) -> str | None:
    assert client.meeting is not None
    return next((v["id"] for v in client.meeting["votes"] if v["status"] == "open"), None)


async def voters(hub: RunningHub) -> list[MeetingClient]:
    """Four delegates' candidates, present over the protocol (those without a printed link given one)."""
    async with open_hub(hub.settings) as running:
        for member in (TOMAS, WEI, KEIKO):
            hub.links[member] = await running.issue_link(member, DEMO_MEETING_ID, timedelta(hours=1))
    clients = []
    for member in (TAMSIN, TOMAS, WEI, KEIKO):
        client = MeetingClient(hub.url, hub.links[member])
        await client.connect()
        await client.join()
        await client.ok("attendance.check_in")
        clients.append(client)
    return clients


async def test_nominations_a_ballot_and_the_elected(
    agm_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    hub = agm_server
    chair = await open_room(browser, hub, CHAIR)
    ana = await open_room(browser, hub, ANA)
    sofia = await open_room(browser, hub, SOFIA, 375)
    orders = "{...window.hub.store.meeting.standing_orders, quorum: {kind: 'number', value: 3}}"
    await send(chair, "meeting.set_standing_orders", f"{{standing_orders: {orders}}}")
    await send(chair, "meeting.set_status", "{status: 'open'}")
    for page in (chair, ana, sofia):
        await send(page, "attendance.check_in", "{}")
    await expect(chair.locator("#quorum")).to_contain_text("Quorate")

    # Under its agenda item, folded until the item comes up: the posts, their rules and candidates.
    section = sofia.locator(f'#agenda .elections[data-item="{ITEM}"]')
    await expect(section.locator("h3")).to_have_text("Elections (4 posts)")
    delegates = await open_post(sofia, "Conference delegates")
    await expect(delegates.locator(".post-facts")).to_have_text("2 seats · At least 1 of 2 seats to women")
    await expect(delegates.locator("summary .badge")).to_have_text("Nominations open")
    await expect(delegates).to_contain_text("Nominations close when the ballot opens.")
    await expect(post(sofia, "Women's officer").locator(".post-facts")).to_have_text("1 seat · Women only")
    tamsin = row(delegates, TAMSIN)
    await expect(tamsin).to_contain_text("Accepted")
    await expect(tamsin).to_contain_text("Self-nominated")
    await expect(tamsin).to_contain_text("Balance group: woman")
    await expect(row(delegates, TOMAS)).to_contain_text("Balance group: other")

    # Sofia nominates herself for delegate, on her phone: standing at once.
    await delegates.get_by_role("button", name="Nominate myself").click()
    await expect(row(delegates, SOFIA)).to_contain_text("Self-nominated")
    await expect(row(delegates, SOFIA).locator(".badge")).to_have_text("Accepted")
    await expect(delegates.get_by_role("button", name="Nominate myself")).to_have_count(0)

    # Ana nominates Sofia for secretary from those present; Sofia is asked to accept.
    secretary = await open_post(ana, "Secretary")
    await unfold(ana, '#agenda details.post:has-text("Secretary") details.nominate-other')
    await secretary.get_by_label("Member").select_option(label=NAMES[SOFIA])
    await secretary.get_by_role("button", name="Nominate", exact=True).click()
    await expect(row(secretary, SOFIA)).to_contain_text(f"Nominated by {NAMES[ANA]}")
    await expect(row(secretary, SOFIA).locator(".badge")).to_have_text("Awaiting the nominee's acceptance")
    await assert_accessible(ana)
    await picture(
        ana.locator(f'#agenda .elections[data-item="{ITEM}"]'), artifacts / "election-nominations-desktop.png"
    )

    sofia_secretary = await open_post(sofia, "Secretary")
    invitation = sofia_secretary.locator(".your-nomination")
    await expect(invitation).to_contain_text(f"{NAMES[ANA]} nominated you for Secretary.")
    statement = "I have kept our branch's minutes for three years and would do the same for the constituency."
    await invitation.get_by_label("Your statement to the members (optional)").fill(statement)
    await invitation.get_by_role("button", name="Accept the nomination").click()
    await expect(row(sofia_secretary, SOFIA).locator(".badge")).to_have_text("Accepted")
    await expect(row(sofia_secretary, SOFIA)).to_contain_text(statement)
    await expect(sofia_secretary.locator(".your-nomination")).to_contain_text("You stand for Secretary.")
    assert await sofia.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(sofia)
    await picture(section, artifacts / "election-nominations-phone.png")

    # The chair seconds it (Ana, who nominated, and Sofia, nominated, are offered no Second).
    chair_secretary = await open_post(chair, "Secretary")
    await expect(row(secretary, SOFIA).get_by_role("button", name="Second")).to_have_count(0)
    await expect(row(sofia_secretary, SOFIA).get_by_role("button", name="Second")).to_have_count(0)
    await row(chair_secretary, SOFIA).get_by_role("button", name="Second").click()
    await expect(row(secretary, SOFIA)).to_contain_text(f"seconded by {NAMES[CHAIR]}")

    # Ana withdraws from women's officer, asked first; her name is struck and marked.
    womens = await open_post(ana, "Women's officer")
    await womens.get_by_role("button", name="Withdraw from Women's officer").click()
    await womens.get_by_role("button", name="Yes, withdraw").click()
    await expect(row(womens, ANA).locator("s")).to_have_text(NAMES[ANA])
    await expect(row(womens, ANA).locator(".badge")).to_have_text("Withdrawn")
    await expect(womens.locator(".your-nomination")).to_have_count(0)

    # The chair adds a post (refused in place when it reserves more seats than it has), then removes it.
    await tab(chair, "agenda")
    await unfold(chair, f'#agenda .elections[data-item="{ITEM}"]')
    await unfold(chair, f"#add-post-{ITEM}")
    form = chair.locator(f"#add-post-{ITEM} form")
    await form.get_by_label("Post", exact=True).fill("Treasurer")
    await form.get_by_label("Seats reserved for women (at least)").fill("2")
    await form.get_by_role("button", name="Add a post").click()
    await expect(form.locator(".poll-problem")).to_have_text(
        "A post cannot reserve more seats for women than it has."
    )
    await form.get_by_label("Seats reserved for women (at least)").fill("0")
    await form.get_by_label("Nominations close at").fill("2031-06-07T14:00")
    await form.get_by_role("button", name="Add a post").click()
    treasurer = post(chair, "Treasurer")
    await expect(treasurer.locator("summary .badge")).to_have_text("Nominations open")
    await expect(treasurer.locator(".closes time")).to_contain_text("2031")
    await expect(post(ana, "Treasurer")).to_have_count(1)
    # Nobody stands yet: the chair's button says why it cannot open the ballot.
    opener = treasurer.get_by_role("button", name="Open the ballot for Treasurer")
    await expect(opener).to_be_disabled()
    await expect(treasurer.locator(".chair-controls .hint")).to_have_text(
        "Candidates standing: 0; seats: 1. The ballot needs at least as many candidates as seats."
    )
    await assert_accessible(chair)
    await treasurer.get_by_role("button", name="Remove post: Treasurer").click()
    await treasurer.get_by_role("button", name="Yes, remove it").click()
    await expect(post(ana, "Treasurer")).to_have_count(0)

    # The chair takes the item up. A phone keeps its elections folded to a line, so that the Agenda tab
    # stays within two screens; one tap shows every post with its nominations.
    await chair.locator(f'#agenda [data-item="{ITEM}"]').get_by_role("button", name="Take up").click()
    newcomer = await open_room(browser, hub, "m005", 375)
    await newcomer.get_by_role("button", name="I'm here").click()
    # Checked in: the banner asking for it has gone (it would add to the length below).
    await expect(newcomer.get_by_role("button", name="I'm here")).to_have_count(0)
    await tab(newcomer, "agenda")
    await expect(newcomer.locator("#agenda li.current .elections h3")).to_have_text("Elections (4 posts)")
    assert await screens(newcomer) <= 2, f"the agenda is {await screens(newcomer):.2f} screens long"
    await assert_accessible(newcomer)
    await newcomer.locator("#agenda li.current .elections > summary").click()
    await expect(row(post(newcomer, "Conference delegates"), TOMAS)).to_be_visible()
    await assert_accessible(newcomer)
    # Each list of nominations is one tab stop, its Second buttons reached with the arrow keys.
    stops = await chair.evaluate(
        TAB_STOPS, f'#agenda .elections[data-item="{ITEM}"] details.post[data-post="post4"] .nominations'
    )
    assert stops == 1
    others = await voters(hub)
    chair_delegates = post(chair, "Conference delegates")
    await chair_delegates.get_by_role("button", name="Open the ballot for Conference delegates").click()
    await expect(chair_delegates.locator("summary .badge")).to_have_text("Ballot open")
    await expect(delegates.get_by_role("button", name="Nominate myself")).to_have_count(0)
    # Another ballot while this one is open: the hub refuses, and the notice says why.
    await chair_secretary.get_by_role("button", name="Open the ballot for Secretary").click()
    await expect(chair.locator("#notice")).to_contain_text("Another vote is open; close it first.")
    await chair.locator("#notice").get_by_role("button").click()

    # Sofia ranks on her phone, from the moment to her ballot.
    moment = sofia.locator("#moments")
    await expect(moment).to_contain_text("A vote is open: Conference delegates (2 seats)")
    await expect(moment).to_contain_text("Rank these candidates in order of preference:")
    await moment.get_by_role("button", name="Go to your ballot").click()
    ballot = sofia.locator("#ballot")
    await expect(ballot.locator("legend")).to_have_text(
        "Rank the candidates in order of preference (2 seats to fill)"
    )
    for n, member in enumerate((SOFIA, TAMSIN), start=1):
        await ballot.get_by_role("button", name=f"Add as preference {n}: {NAMES[member]}").click()
    await expect(sofia.locator("#ballot-summary")).to_have_text(
        f"Your ballot: 1. {NAMES[SOFIA]}, 2. {NAMES[TAMSIN]}"
    )
    assert await sofia.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(sofia)
    await picture(sofia.locator("#vote-panel"), artifacts / "election-ballot-phone.png")
    await sofia.get_by_role("button", name="Cast vote").click()
    await expect(sofia.locator("#recorded")).to_contain_text(
        f"Your vote is recorded: 1. {NAMES[SOFIA]}, 2. {NAMES[TAMSIN]}"
    )

    # The rest over the protocol: the options are the nominations.
    client = others[0]
    await client.wait_until(lambda c: open_vote(c) is not None)
    vote_id = open_vote(client)

    def ranking(*members: str) -> dict[str, Any]:
        return {
            "vote_id": vote_id,
            "choices": [nomination(client, m, "Conference delegates") for m in members],
        }

    ballots = {
        TAMSIN: ranking(TAMSIN, TOMAS),
        TOMAS: ranking(TOMAS, WEI),
        WEI: ranking(TOMAS, WEI),
        KEIKO: ranking(TOMAS, KEIKO),
    }
    await asyncio.gather(*(c.ok("vote.cast", ballots[m]) for c, m in zip(others, ballots, strict=True)))
    await send(chair, "vote.cast", f"{{vote_id: '{vote_id}', choices: {ranking(TOMAS, TAMSIN)['choices']}}}")
    await send(ana, "vote.cast", f"{{vote_id: '{vote_id}', choices: {ranking(TAMSIN, SOFIA)['choices']}}}")
    await send(newcomer, "vote.cast", f"{{vote_id: '{vote_id}', choices: {ranking(TOMAS)['choices']}}}")
    await tab(chair, "vote")
    await expect(chair.locator("#vote-h")).to_have_text("Vote now: Conference delegates (2 seats)")
    await expect(chair.locator("#tally")).to_contain_text("8 of 8 have voted.")
    await chair.locator("#vote-panel").get_by_role("button", name="Close the vote").click()

    # The post says who was elected, everywhere; the count is in the Vote tab with the ballots' file.
    elected = f"Elected: {NAMES[TOMAS]}, {NAMES[TAMSIN]}"
    for page in (chair, ana, sofia):
        await tab(page, "agenda")
        await expect(post(page, "Conference delegates").locator("summary .badge")).to_have_text(elected)
    winners = post(chair, "Conference delegates").locator(".nominations li", has_text="✓ Elected")
    await expect(winners.locator(".name")).to_have_text([NAMES[TAMSIN], NAMES[TOMAS]])
    result = chair.locator("article.result").first
    await tab(chair, "vote")
    await expect(result.locator("h3")).to_have_text(f"Conference delegates (2 seats) — {elected}")
    await expect(result.locator(".stv-count")).to_contain_text("Valid ballots: 8. Seats: 2.")
    await expect(result.locator(".count-elected li")).to_have_text([NAMES[TOMAS], NAMES[TAMSIN]])
    # The count states the balance rule, names each candidate's group and says why each was excluded:
    # with Tomas elected, the last seat is a woman's, so the men left are passed over.
    await expect(result.locator(".count-balance")).to_have_text(
        "Balance rule: at least 1 of 2 seats to women."
    )
    wei = result.locator(".count-table tbody tr", has_text=NAMES[WEI])
    await expect(wei.locator("th")).to_have_text(f"{NAMES[WEI]} (other)")
    await expect(wei.locator(".count-mark")).to_have_text("Excluded (passed over by the balance rule)")
    await expect(result.get_by_role("link", name="Download the anonymised ballots")).to_be_visible()
    await assert_accessible(chair)
    await picture(result.locator(".stv-count"), artifacts / "election-count.png")
    # The chair's console has it too: the latest result with its count and the ballots' file.
    await tab(chair, "console")
    await unfold(chair, "#result-fold")
    latest = chair.locator("#result-fold")
    await expect(latest.locator(".console-result")).to_have_text(
        f"Conference delegates (2 seats) — {elected}"
    )
    await expect(
        latest.locator(".count-table .count-mark", has_text="passed over by the balance rule")
    ).to_have_count(2)
    await expect(latest.get_by_role("link", name="Download the anonymised ballots")).to_be_visible()
    await assert_accessible(chair)
    await picture(latest, artifacts / "election-console.png")
    await tab(chair, "agenda")
    await assert_accessible(chair)
    await picture(post(chair, "Conference delegates"), artifacts / "election-elected.png")
    # On the phone: the post's button leads to the count.
    sofia_delegates = post(sofia, "Conference delegates")
    await sofia_delegates.get_by_role("button", name="See the count in the Vote tab").click()
    await expect(sofia.locator("#results .stv-count")).to_be_visible()
    assert await sofia.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(sofia)
    await picture(sofia.locator("#results .stv-count"), artifacts / "election-count-phone.png")
    await tab(sofia, "agenda")
    await assert_accessible(sofia)
    for c in others:
        await c.disconnect()
