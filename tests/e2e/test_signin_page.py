"""Signing in by email in the browser: ask for a link, open the emailed link, press the button, land on
one's home; sign out ends it. On a phone and a desktop, by keyboard, in either language, and with no
serious accessibility violations."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import oidc_provider_mock
import pytest
from playwright.async_api import Browser, expect

from hub.config import Oidc, Settings
from tests.client import until
from tests.conftest import RunningHub, Sink, demo_hub, free_port
from tests.e2e.conftest import assert_accessible


def emailed_link(sink: Sink, n: int) -> str:
    text = sink.messages[n].get_payload(decode=True).decode()  # type: ignore[union-attr]
    found = re.search(r"(http://\S+/signin/\S+)", text)
    assert found, text
    return found.group(1)


@pytest.mark.parametrize("width", [375, 1280])
async def test_a_member_signs_in_by_email_and_out_again(
    mailed_hub: tuple[RunningHub, Sink], browser: Browser, artifacts: Path, width: int
) -> None:
    hub, sink = mailed_hub
    context = await browser.new_context(viewport={"width": width, "height": 812}, locale="en-GB")
    page = await context.new_page()
    await page.goto(f"{hub.url}/")
    await page.get_by_role("link", name="Members can also sign in with their email address.").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await assert_accessible(page)
    # By keyboard: the address, then Enter.
    await page.get_by_label("Email address").fill("member002@example.org")
    await page.keyboard.press("Enter")
    await expect(page.locator("#signin-sent")).to_contain_text("member002@example.org")
    await page.screenshot(path=artifacts / f"signin-sent-{width}.png", full_page=True)
    await until(lambda: sink.messages)
    assert sink.messages[0]["Subject"] == "Your sign-in link"

    await page.goto(emailed_link(sink, 0))
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    await assert_accessible(page)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{hub.url}/home")
    await expect(page.get_by_text("Hello, Beatriz Bauer")).to_be_visible()
    await expect(page.locator(f"[data-meeting='{hub.meeting_id}']")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    await assert_accessible(page)
    await page.screenshot(path=artifacts / f"signin-home-{width}.png", full_page=True)

    # The same link again: spent.
    await page.goto(emailed_link(sink, 0))
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("main.signin [role=alert]")).to_contain_text("has been used or has expired")

    await page.goto(f"{hub.url}/home")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(f"{hub.url}/signin")
    await page.goto(f"{hub.url}/home")
    await expect(page).to_have_url(f"{hub.url}/signin")
    await context.close()


async def test_the_signin_page_speaks_spanish_and_says_why_it_refuses(
    mailed_hub: tuple[RunningHub, Sink], browser: Browser
) -> None:
    hub, _ = mailed_hub
    context = await browser.new_context(locale="es-ES")
    page = await context.new_page()
    await page.goto(f"{hub.url}/signin")
    await expect(page.get_by_role("heading", name="Entrar")).to_be_visible()
    for _ in range(4):
        await page.get_by_label("Correo electr\u00f3nico").fill("stranger@example.org")
        await page.get_by_role("button", name="Enviarme un enlace para entrar").click()
        sent_or_refused = page.locator("#signin-sent, main.signin [role=alert]")
        await expect(sent_or_refused).to_be_visible()
        if await page.locator("#signin-sent").count():
            await page.get_by_role("button", name="Usar otra direcci\u00f3n").click()
    await expect(page.locator("main.signin [role=alert]")).to_contain_text("demasiados enlaces")
    await context.close()


async def test_a_member_signs_in_with_the_partys_provider(
    redis_url: str, tmp_path: Path, browser: Browser
) -> None:
    """Through the provider's own page (oidc-provider-mock's form) and back to the member's home."""
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        issuer = f"http://localhost:{server.server_port}"
        claims = {"email": "member002@example.org", "email_verified": True}
        async with httpx.AsyncClient() as http:
            assert (await http.put(f"{issuer}/users/bea-7", json=claims)).status_code == 204
        port = free_port()
        settings = Settings(
            port=port,
            redis_url=redis_url,
            data_dir=tmp_path,
            secret="test-secret",
            oidc=Oidc(issuer=issuer, client_id="hub", client_secret="s3cret", name="Party ID"),
        )
        async with demo_hub(settings) as hub:
            page = await (await browser.new_context(viewport={"width": 375, "height": 812})).new_page()
            await page.goto(f"{hub.url}/signin")
            await page.get_by_role("link", name="Sign in with Party ID").click()
            await page.get_by_placeholder("sub").fill("bea-7")
            await page.get_by_role("button", name="Authorize").click()
            await expect(page).to_have_url(f"{hub.url}/home")
            await expect(page.get_by_text("Hello, Beatriz Bauer")).to_be_visible()
            # Cancelled at the provider: back on the sign-in page, told why.
            await page.goto(f"{hub.url}/signin")
            await page.get_by_role("link", name="Sign in with Party ID").click()
            await page.get_by_role("button", name="Deny").click()
            await expect(page.locator("main.signin [role=alert]")).to_contain_text("was cancelled")
