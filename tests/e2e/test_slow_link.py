"""The join page on a poor connection: Chromium throttled to 50 KB/s each way with 400 ms of latency
opens a join link with an empty cache and can join the meeting in about 3 seconds (the target, see
USABLE_TARGET_MS); a second visit fetches none of the built client again."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from playwright.async_api import Browser, BrowserContext, Page, Route, expect

from signalling.assets import IMMUTABLE
from tests.conftest import RunningHub
from tests.e2e.conftest import wait_until

MEMBER = "m025"
# The target is 3 s (issue #13); the page is measured at 2.77-2.82 s on this machine (docs/performance.md,
# "The join page on a slow link"). A timed test near its target fails at random on a shared machine, so
# the time is recorded beside each run (test-artifacts/slow-link.json) and this test fails on what breaks
# the design outright: anything fetched uncompressed, uncached, or in series (one more round trip of
# 400 ms, or the views fetched after the first module, takes it past 3.5 s).
USABLE_TARGET_MS = 3000
USABLE_WITHIN_MS = 3500
# Chromium's own throttling (DevTools' "network conditions"), applied to every request of the page.
SLOW_LINK = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 50 * 1024,
    "uploadThroughput": 50 * 1024,
}

# The moment, in milliseconds from the start of the navigation, at which the join screen can be used:
# its button to join and the choice of how to take part are shown and enabled.
RECORD_USABLE = """
new MutationObserver((_, observer) => {
  const join = document.getElementById("media-join");
  const modes = [...document.querySelectorAll("#media-mode input")];
  if (join && !join.disabled && join.checkVisibility() && modes.length
      && modes.every((input) => !input.disabled && input.checkVisibility())) {
    window.__usableAt = performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true, attributes: true });
"""

# The rest of the room has followed the join screen: no tab is still loading.
ROOM_COMPLETE = "document.querySelector('#panel') && !document.querySelector('#panel .loading')"

# What the page loaded: transferSize is 0 for what came from the browser's cache without asking the
# server (a revalidation that ends in 304 still counts its headers).
RESOURCES = """
performance.getEntriesByType("resource").map((e) => ({
  url: new URL(e.name).pathname, transferred: e.transferSize, size: e.decodedBodySize,
  start: Math.round(e.startTime), end: Math.round(e.responseEnd),
}))
"""


async def slow_page(context: BrowserContext) -> Page:
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
    return page


async def open_join_link(page: Page, url: str) -> tuple[float, list[dict[str, Any]], list[dict[str, Any]]]:
    """Milliseconds from navigation start until the join screen is usable, what was loaded by then, and
    what was loaded once the rest of the room followed (web/src/room.tsx loadPanels)."""
    await page.goto(url, wait_until="commit")
    await wait_until(page, "window.__usableAt !== undefined", timeout=30_000)
    usable: float = await page.evaluate("window.__usableAt")
    first = await page.evaluate(RESOURCES)
    await wait_until(page, ROOM_COMPLETE, timeout=30_000)
    return usable, first, await page.evaluate(RESOURCES)


async def test_the_join_page_is_usable_in_about_3_seconds_on_a_slow_link(
    hub_server: RunningHub, browser: Browser, artifacts: Path
) -> None:
    url = f"{hub_server.url}/join/{hub_server.links[MEMBER]}"
    # A fresh context has an empty cache.
    context = await browser.new_context()
    await context.add_init_script(RECORD_USABLE)

    page = await slow_page(context)
    cached_for: dict[str, str | None] = {}
    page.on("response", lambda r: cached_for.setdefault(urlparse(r.url).path, r.headers.get("cache-control")))
    cold, first, loaded = await open_join_link(page, url)
    # A file preloaded and then used is listed twice, the second time from memory: the first counts.
    assets = list({r["url"]: r for r in reversed(loaded) if r["url"].startswith("/assets/")}.values())
    assert assets and all(r["transferred"] > 0 for r in assets), loaded
    # Sent compressed (those of a few KB, where the headers weigh as much as the body, aside), and marked
    # for the browser to keep.
    assert all(r["transferred"] < r["size"] / 2 for r in assets if r["size"] > 4096), loaded
    assert all(cached_for[r["url"]] == IMMUTABLE for r in assets), cached_for

    # The same link again, as a member does who comes back: the hashed assets come from the cache.
    warm, _, reloaded = await open_join_link(await slow_page(context), url)
    again = [r for r in reloaded if r["url"].startswith("/assets/")]
    assert {r["url"] for r in again} == {r["url"] for r in assets}, reloaded
    fetched = [r["url"] for r in again if r["transferred"] > 0]
    assert not fetched, f"fetched again on a warm cache: {fetched}"

    (artifacts / "slow-link.json").write_text(
        json.dumps(
            {"cold_ms": round(cold), "target_ms": USABLE_TARGET_MS, "warm_ms": round(warm), "cold": first},
            indent=2,
        )
    )
    await context.close()
    assert cold < USABLE_WITHIN_MS, f"usable after {cold:.0f} ms: {first}"


async def test_the_rest_of_the_room_is_fetched_again_when_it_fails_to_arrive(
    hub_server: RunningHub, browser: Browser
) -> None:
    """The panels come after the join screen (web/src/room.tsx loadPanels): when their chunk fails to
    arrive (a dropped mobile link), the page asks for it again."""
    context = await browser.new_context()
    page = await context.new_page()
    asked: list[str] = []

    async def drop_first(route: Route) -> None:
        asked.append(route.request.url)
        if len(asked) == 1:
            await route.abort("connectionreset")
        else:
            await route.continue_()

    await page.route(re.compile(r"/assets/panels-[^/]+\.js$"), drop_first)
    await page.goto(f"{hub_server.url}/join/{hub_server.links[MEMBER]}")
    await expect(page.locator("#media-join")).to_be_visible()
    await wait_until(page, ROOM_COMPLETE, timeout=15_000)
    assert len(asked) == 2, asked
    await page.locator("#tab-motions").click()
    await expect(page.locator("#panel-motions h2").first).to_be_visible()
    await context.close()
