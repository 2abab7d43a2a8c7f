"""The moderated chat through the page: a member writes, the chair hides a message and closes the chat,
and the hub refuses a member who writes to a closed chat even without the page's help."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from tests.conftest import RunningHub
from tests.e2e.conftest import assert_accessible, picture, tab
from tests.e2e.test_procedure_page import open_as

CHAIR, ANA, OMAR = "m001", "m002", "m025"


async def test_a_member_chats_and_the_chair_moderates(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    chair = await open_as(browser, hub_server, CHAIR)
    ana = await open_as(browser, hub_server, ANA)
    # Ana opens the chat from the toolbar, the chair from its tab.
    await ana.locator("#toolbar").get_by_role("button", name="Chat").click()
    await expect(ana.locator("#tab-chat")).to_have_attribute("aria-selected", "true")
    await tab(chair, "chat")
    await ana.get_by_role("textbox", name="Message").fill("Hello from Lima!")
    await ana.get_by_role("button", name="Send", exact=True).click()
    await expect(ana.get_by_role("textbox", name="Message")).to_have_value("")
    message = chair.locator("#chat-log li").last
    await expect(message).to_contain_text("Beatriz Bauer")
    await expect(message).to_contain_text("Hello from Lima!")
    # Screen readers hear it politely, except the one who wrote it.
    heard = chair.locator("#announce-polite")
    await expect(heard).to_have_text("Beatriz Bauer in the chat: Hello from Lima!")
    await expect(ana.locator("#chat-log li").last).to_contain_text("Hello from Lima!")
    await expect(ana.locator("#announce-polite")).not_to_contain_text("Hello from Lima!")
    await ana.get_by_role("textbox", name="Message").fill("Something out of order")
    await ana.get_by_role("button", name="Send", exact=True).click()
    await expect(chair.locator("#chat-log li")).to_have_count(2)
    await assert_accessible(chair)
    # Someone who arrives now sees the chat so far, but hears none of it read out.
    omar = await open_as(browser, hub_server, OMAR)
    await tab(omar, "chat")
    await expect(omar.locator("#chat-log li")).to_have_count(2)
    await expect(omar.locator("#announce-polite")).to_have_text("")
    await picture(chair.locator(".chat"), artifacts / "chair-chat.png")

    await chair.get_by_role("button", name="Hide the message from Beatriz Bauer").last.click()
    hidden = ana.locator("#chat-log li").last
    await expect(hidden).to_contain_text("Message hidden by Eleni Adeyemi")
    await expect(hidden).not_to_contain_text("Something out of order")
    # Members have no moderation controls.
    await expect(ana.get_by_role("button", name="Close the chat")).to_have_count(0)

    await chair.get_by_role("button", name="Close the chat").click()
    await expect(ana.locator("#chat-closed")).to_have_text("The chair has closed the chat.")
    await expect(ana.get_by_role("textbox", name="Message")).to_have_count(0)
    refused = await ana.evaluate(
        "() => window.hub.connection.send('chat.send', {text: 'Let me in'}).then(() => 'sent', e => e.code)"
    )
    assert refused == "chat.closed"
    await expect(chair.locator("#chat-log li")).to_have_count(2)
    await chair.get_by_role("button", name="Reopen the chat").click()
    await expect(ana.get_by_role("textbox", name="Message")).to_be_visible()
