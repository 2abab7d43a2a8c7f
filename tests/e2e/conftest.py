"""Headless Debian Chromium driven by Playwright; screenshots go to test-artifacts/."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, async_playwright, expect

from hub.config import Mail, Settings
from hub.runtime import open_hub
from tests.conftest import RunningHub, Sink, demo_hub, free_port

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
]


# Every page records what its Content-Security-Policy blocked, in `window.__cspViolations` and to the
# test through a binding (which also hears pages closed before the test ends).
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const v = `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`
    + ` on ${document.location.pathname}: ${(e.sample || '').slice(0, 80)}`;
  window.__cspViolations.push(v);
  if (window.__reportCspViolation) window.__reportCspViolation(v);
}, true);
"""


async def watch_csp(context: BrowserContext, violations: list[str]) -> None:
    await context.expose_binding("__reportCspViolation", lambda _source, v: violations.append(v))
    await context.add_init_script(RECORD_CSP_VIOLATIONS)


async def wait_until(page: Page, expression: str, timeout: float = 30_000) -> None:
    """`page.wait_for_function` without eval: Playwright's in-page poller runs a string predicate with
    eval, which the hub's Content-Security-Policy refuses. `page.evaluate` is not subject to it."""
    async with asyncio.timeout(timeout / 1000):
        while True:
            if await page.evaluate(expression):
                return
            await asyncio.sleep(0.05)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Chromium whose every context and page fails the test if the hub's CSP blocks anything."""
    if shutil.which(CHROMIUM) is None:
        pytest.fail("Debian's chromium is not installed; scripts/test installs it", pytrace=False)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        violations: list[str] = []
        new_context, new_page = browser.new_context, browser.new_page

        async def watched_context(**kwargs: Any) -> BrowserContext:
            context = await new_context(**kwargs)
            await watch_csp(context, violations)
            return context

        async def watched_page(**kwargs: Any) -> Page:
            page = await new_page(**kwargs)
            await watch_csp(page.context, violations)
            return page

        browser.new_context = watched_context  # type: ignore[method-assign]
        browser.new_page = watched_page  # type: ignore[method-assign]
        yield browser
        # A binding call may still be on its way: the open pages' own records settle it.
        for context in browser.contexts:
            for page in context.pages:
                violations.extend(await page.evaluate("window.__cspViolations || []"))
        await browser.close()
        assert not violations, f"Content-Security-Policy violations: {sorted(set(violations))}"


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
async def media_hub(redis_url: str, tmp_path: Path) -> AsyncIterator[RunningHub]:
    """The demo hub with the relay also gathering 127.0.0.1, so Chromium reaches it over loopback."""
    settings = Settings(
        port=free_port(), redis_url=redis_url, data_dir=tmp_path, secret="test-secret", ice_loopback=True
    )
    async with demo_hub(settings) as running:
        yield running


def mailing(redis_url: str, tmp_path: Path, smtp_port: int) -> Settings:
    """A hub's settings on a free port, sending its letters to the test's SMTP sink on `smtp_port`."""
    return Settings(
        port=free_port(),
        redis_url=redis_url,
        data_dir=tmp_path,
        secret="test-secret",
        mail=Mail(url=f"smtp://127.0.0.1:{smtp_port}", sender="Hub <hub@example.org>", rate="100/second"),
    )


@pytest.fixture
async def mailed_hub(
    redis_url: str, tmp_path: Path, smtp: tuple[Sink, int]
) -> AsyncIterator[tuple[RunningHub, Sink]]:
    """The demo hub sending its letters to the test's SMTP sink."""
    sink, port = smtp
    async with demo_hub(mailing(redis_url, tmp_path, port)) as running:
        yield running, sink


AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"


async def assert_accessible(page: Page) -> None:
    """axe-core on the page as it stands: no serious or critical violations of WCAG 2.1 A and AA."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>: the hub's Content-Security-Policy refuses inline scripts.
        await page.evaluate(AXE.read_text())
    found = await page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not serious, f"accessibility violations on {page.url}: {serious}"


async def tab(page: Page, name: str) -> None:
    """Shows one of the room's panel tabs (agenda, speakers, motions, vote, chat, people, console), as a
    member does by clicking it."""
    button = page.locator(f"#tab-{name}")
    if await button.get_attribute("aria-selected") != "true":
        await button.click()


async def unfold(page: Page, selector: str) -> None:
    """Opens a folded part of the page (a <details>: proposing a motion, the console's settings, the
    apologies form, the meeting's times and language), as a member does by clicking its summary."""
    details = page.locator(selector)
    if await details.get_attribute("open") is None:
        await details.locator("> summary").click()


async def picture(target: Page | Locator, path: Path) -> None:
    """A screenshot for the guides of the whole page, or of one part of it, taken with the whole page in
    the window: the toolbar (desktop) and the tab bar (phone) are fixed at the foot of the window, and
    would cover what lies under them in a picture of anything taller than the window."""
    page = target if isinstance(target, Page) else target.page
    size = page.viewport_size
    assert size is not None
    height = await page.evaluate("document.documentElement.scrollHeight")
    await page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    try:
        await target.screenshot(path=path)
    finally:
        await page.set_viewport_size(size)


async def open_home(browser: Browser, hub: RunningHub, member_id: str) -> Page:
    """`member_id`'s home page by a home link, on a phone, in a context set to their own time zone."""
    async with open_hub(hub.settings) as service:
        token = await service.issue_home_link(member_id, timedelta(days=1))
        member = await service.member(member_id)
    context = await browser.new_context(
        viewport={"width": 375, "height": 812}, locale="en-GB", timezone_id=member.time_zone
    )
    page = await context.new_page()
    await page.goto(f"{hub.url}/home/{token}")
    return page


async def open_room(browser: Browser, hub: RunningHub, member: str, width: int = 1280) -> Page:
    """`member`'s join link in a new browser context, at a desktop's width or (375) a phone's, once the
    room shows the demo meeting."""
    context = await browser.new_context(viewport={"width": width, "height": 800 if width > 600 else 667})
    page = await context.new_page()
    await page.goto(f"{hub.url}/join/{hub.links[member]}")
    await expect(page.locator("#title")).to_have_text("Annual General Meeting")
    return page
