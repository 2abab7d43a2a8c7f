"""Motion, amendment and vote through the page: submit, second, amend, put, vote, result."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, picture, tab, unfold
from tests.e2e.test_procedure_page import open_as

CHAIR, ANA, BEN = "m001", "m002", "m025"


async def test_motion_with_amendment_and_votes(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await open_as(browser, hub_server, CHAIR)
    ana = await open_as(browser, hub_server, ANA)
    # Ben takes part from a phone.
    ben = await open_as(browser, hub_server, BEN, width=375)
    # Three people in the room, checked in once the chair opens the meeting: the chair sets a quorum of
    # three in the standing orders panel.
    await expect(ben.locator("#quorum")).to_contain_text("Not quorate")
    await tab(chair, "console")
    await chair.get_by_role("button", name="Open the meeting").click()
    for page in (ana, ben):
        await page.get_by_role("button", name="I'm here").click()
    await expect(chair.locator("#quorum")).to_contain_text("3 present")
    await expect(ana.locator("#settings")).to_have_count(0)
    # The chair's settings are folded in the console.
    await unfold(chair, "#settings-fold")
    settings = chair.locator("#standing-orders")
    await expect(settings.get_by_label("Speech length (seconds)", exact=True)).to_have_value("180")
    await settings.get_by_label("Quorum counted as").select_option("number")
    await settings.get_by_label("Quorum", exact=True).fill("3")
    await settings.get_by_label("Amendments need a seconder").check()
    await settings.get_by_role("button", name="Save standing orders").click()
    await expect(ben.locator("#quorum")).to_contain_text("Quorate: 3 present, 3 needed")
    await expect(chair.locator("#quorum")).to_contain_text("Quorate")
    await assert_accessible(chair)
    await picture(chair.locator("#settings"), artifacts / "chair-settings.png")
    # A fraction above one is stopped by the form before it reaches the hub.
    await settings.get_by_label("Quorum counted as").select_option("fraction")
    await settings.get_by_label("Quorum", exact=True).fill("1.5")
    await settings.get_by_role("button", name="Save standing orders").click()
    assert not await settings.get_by_label("Quorum", exact=True).evaluate("input => input.validity.valid")
    await expect(ben.locator("#quorum")).to_contain_text("3 needed")
    await settings.get_by_label("Quorum counted as").select_option("number")
    await settings.get_by_label("Quorum", exact=True).fill("3")
    await tab(chair, "agenda")
    await chair.locator('#agenda [data-item="a5"]').get_by_role("button", name="Take up").click()

    for page in (chair, ana, ben):
        await tab(page, "motions")
    await unfold(ana, "#propose-motion")
    await ana.get_by_label("Title").fill("Votes for life")
    await ana.get_by_label("Text").fill("This meeting resolves to campaign for votes for life.")
    await ana.get_by_role("button", name="Submit motion").click()
    motion = ben.locator("article.motion").first
    await expect(motion).to_contain_text("Awaiting a seconder")
    await motion.get_by_role("button", name="Second").click()
    await expect(chair.locator("article.motion").first).to_contain_text("seconded by Omar Young")

    await unfold(ben, "#motions details.amend")
    form = ben.locator("form.amend-form")
    await form.get_by_label("Amendment").select_option("insert")
    await form.get_by_label("Words in the motion").fill("campaign")
    # Typed without a space: the words join as a reader expects.
    await form.get_by_label("New words").fill("loudly")
    await form.get_by_role("button", name="Move amendment").click()
    amendment = ana.locator("[data-amendment]").first
    await expect(amendment).to_contain_text("Awaiting a seconder")
    # Everyone sees the motion as it would read if the amendment were carried.
    await expect(amendment.locator(".would-read q")).to_have_text(
        "This meeting resolves to campaign loudly for votes for life."
    )
    await amendment.get_by_role("button", name="Second").click()

    await tab(chair, "console")
    await expect(chair.locator("#next-steps")).to_contain_text(
        "Put the amendment by Omar Young to “Votes for life” to the vote"
    )
    await tab(chair, "motions")
    # The chair cannot put the motion before its amendment.
    await (
        chair.locator("article.motion")
        .first.locator("p.controls")
        .get_by_role("button", name="Vote: show of hands")
        .click()
    )
    await expect(chair.locator("#notice")).to_have_attribute("data-code", "motion.amendments_pending")
    await chair.locator("[data-amendment]").first.get_by_role("button", name="Vote: show of hands").click()
    await expect(ana.locator("#announce-urgent")).to_contain_text("Vote open: Amendment")
    await vote(ana, "For")
    await vote(ben, "For")
    await vote(chair, "Against")
    await expect(chair.locator("#tally")).to_contain_text("3 of 3 have voted. For 2, against 1")
    await chair.get_by_role("button", name="Who voted how").click()
    await expect(chair.locator("#ballot-names")).to_contain_text("Omar Young: for")
    await expect(ana.get_by_role("button", name="Who voted how")).to_have_count(0)
    await assert_accessible(chair)
    # The refusal from before, dealt with: the guide's picture shows the vote alone.
    await chair.locator("#notice").get_by_role("button", name="Dismiss").click()
    await picture(chair, artifacts / "chair-vote-open.png")
    await chair.get_by_role("button", name="Close the vote").click()
    # Once voting has begun the standing orders are fixed, and the panel says so.
    await tab(chair, "console")
    await expect(chair.locator("#standing-orders-fixed")).to_contain_text("fixed now that voting has begun")
    await expect(settings.get_by_role("button", name="Save standing orders")).to_be_disabled()
    await tab(ana, "motions")
    await expect(ana.locator(".motion-text").first).to_have_text(
        "This meeting resolves to campaign loudly for votes for life."
    )

    await tab(chair, "motions")
    await chair.locator("article.motion").first.get_by_role("button", name="Secret ballot").click()
    await vote(ana, "For")
    await expect(ana.locator("#recorded")).to_contain_text("Receipt")
    await vote(ben, "Against")
    receipt = await ben.locator("#recorded code").text_content()
    assert receipt is not None and len(receipt) == 19
    # Four groups of four, of characters that cannot be misread, and a button that copies them.
    assert all(len(g) == 4 and set(g) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for g in receipt.split("-"))
    await ben.context.grant_permissions(["clipboard-read", "clipboard-write"])
    await ben.get_by_role("button", name="Copy the receipt").click()
    await expect(ben.locator("#recorded [role=status]")).to_have_text("Copied.")
    assert await ben.evaluate("navigator.clipboard.readText()") == receipt
    # From another device (no session of this vote), a press changes nothing: the hub answers with the
    # same receipt and no choice, and the page says the ballot was already in.
    other = await open_as(browser, hub_server, BEN)
    await tab(other, "vote")
    await other.locator("#vote-panel").get_by_role("button", name="For", exact=True).click()
    await expect(other.locator("#recorded")).to_contain_text("Your ballot was already in the ballot box")
    await expect(other.locator("#recorded code")).to_have_text(receipt)
    await expect(other.locator("#recorded")).not_to_contain_text("for")
    await other.close()
    # A member checks with the receipt that the secret ballot is in the box; the hub never says as what.
    await ben.locator("#vote-panel").get_by_role("button", name="Check my ballot was counted").click()
    await expect(ben.locator("#vote-panel .verified")).to_have_text(
        "Counted: your ballot is in the ballot box"
    )
    # On a phone the vote panel fits the screen: nothing to scroll sideways.
    assert await ben.evaluate("document.documentElement.scrollWidth") <= 375
    await assert_accessible(ben)
    await picture(ben.locator("#vote-panel"), artifacts / "member-vote-phone.png")
    await tab(chair, "vote")
    await chair.get_by_role("button", name="Close: casting vote for").click()
    result = ben.locator("article.result").first
    await expect(result).to_contain_text("Carried")
    await expect(result).to_contain_text("casting vote for")
    await assert_accessible(ben)
    await picture(ben.locator("#results"), artifacts / "member-result.png")
    await tab(ben, "motions")
    await expect(ben.locator("article.motion").first).to_contain_text("Carried")

    # The receipt stays for the session: after the result, and after reloading the page, Ana checks hers.
    await ana.reload()
    await expect(ana.locator("#results .receipt")).to_contain_text("Your receipt for this secret ballot")
    await ana.locator("#results").get_by_role("button", name="Check my ballot was counted").click()
    await expect(ana.locator("#results .verified")).to_have_text("Counted: your ballot is in the ballot box")
    await assert_accessible(ana)
    # The chair cast no secret ballot, so holds no receipt to check.
    await expect(chair.get_by_role("button", name="Check my ballot was counted")).to_have_count(0)

    # In Spanish the page words the hub's questions and rules itself, from the votes' subjects.
    await unfold(ana, "#about")
    await ana.get_by_label("Language").select_option("es")
    results = ana.locator("#results")
    await expect(results).to_contain_text("Enmienda a «Votes for life» presentada por Omar Young: Aprobada")
    await expect(results).to_contain_text("Mayoría simple de los votos emitidos")
    await expect(results).to_contain_text("Empate: decide el voto de calidad de la presidencia.")
    await expect(results).not_to_contain_text("Simple majority")


async def vote(page: Page, choice: str) -> None:
    await tab(page, "vote")
    await page.locator("#vote-panel").get_by_role("button", name=choice, exact=True).click()
    await expect(page.locator("#recorded")).to_contain_text(choice.lower())
