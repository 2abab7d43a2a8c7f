"""Audio and video through TURN: a hub set to relay-only (`ice_relay_only`) with a coturn run from
deploy/turnserver.conf, sharing its secret. Chromium gathers only relayed candidates, with credentials
the hub made for each member, and the media reaches the other member through coturn to the relay's own
address."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from hub.config import IceServer, Settings
from hub.turn import CREDENTIAL_SECONDS
from tests.conftest import RunningHub, demo_hub, free_port
from tests.coturn import Coturn, coturn
from tests.e2e.conftest import wait_until

pytestmark = pytest.mark.timeout(90)

CHAIR, BEA = "m001", "m002"

# The browser's peer connection as it stands: its configuration, every local candidate it gathered,
# the candidates of the pair in use with its byte counts, and what it decoded and received.
ROUTE = """
async () => {
  const pc = window.hub.media.pc;
  const config = pc.getConfiguration();
  const stats = [...(await pc.getStats()).values()];
  const byId = Object.fromEntries(stats.map((s) => [s.id, s]));
  const transport = stats.find((s) => s.type === "transport" && s.selectedCandidatePairId);
  const pair = transport ? byId[transport.selectedCandidatePairId] : null;
  const inbound = stats.filter((s) => s.type === "inbound-rtp");
  return {
    policy: config.iceTransportPolicy,
    servers: config.iceServers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential })),
    gathered: stats.filter((s) => s.type === "local-candidate").map((s) => s.candidateType),
    local: pair ? byId[pair.localCandidateId].candidateType : null,
    remote: pair ? byId[pair.remoteCandidateId].candidateType : null,
    relayed: pair ? byId[pair.localCandidateId].address + ":" + byId[pair.localCandidateId].port : null,
    sent: pair ? pair.bytesSent : 0,
    received: pair ? pair.bytesReceived : 0,
    frames: inbound.filter((s) => s.kind === "video").reduce((n, s) => n + (s.framesDecoded || 0), 0),
    audio: inbound.filter((s) => s.kind === "audio").reduce((n, s) => n + (s.packetsReceived || 0), 0),
  };
}
"""


@pytest.fixture
async def turn(tmp_path: Path) -> AsyncIterator[Coturn]:
    async with coturn(tmp_path / "turn") as server:
        yield server


@pytest.fixture
async def relayed_hub(redis_url: str, tmp_path: Path, turn: Coturn) -> AsyncIterator[RunningHub]:
    """The demo hub whose browsers reach the relay only through `turn`. The relay gathers 127.0.0.1,
    the address coturn relays to (as a deployment's TURN server reaches its hub)."""
    settings = Settings(
        port=free_port(),
        redis_url=redis_url,
        data_dir=tmp_path,
        secret="test-secret",
        ice_servers=(IceServer(turn.urls, secret=turn.secret),),
        ice_relay_only=True,
        ice_loopback=True,
    )
    async with demo_hub(settings) as running:
        yield running


async def join(browser: Browser, hub: RunningHub, member: str) -> Page:
    page = await browser.new_page()
    await page.goto(f"{hub.url}/join/{hub.links[member]}")
    await expect(page.locator("#title")).to_have_text("Annual General Meeting")
    await page.get_by_label("Camera and microphone").check()
    await page.get_by_role("button", name="Join audio and video").click()
    await wait_until(page, "window.hub.media.pc && window.hub.media.pc.connectionState === 'connected'")
    return page


async def route(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate(ROUTE)
    return result


async def flows(page: Page) -> dict[str, Any]:
    """The route once the other member's video is decoded and their audio arrives over it, and the
    bytes on the relayed pair keep rising."""
    async with asyncio.timeout(20):
        while True:
            first = await route(page)
            if first["frames"] >= 10 and first["audio"] >= 20:
                break
            await asyncio.sleep(0.2)
    await asyncio.sleep(1)
    later = await route(page)
    assert later["relayed"] == first["relayed"], "the route changed"
    assert later["frames"] > first["frames"] and later["audio"] > first["audio"]
    assert later["sent"] > first["sent"] and later["received"] > first["received"]
    return later


async def test_media_goes_through_turn_when_browsers_are_restricted_to_relayed_candidates(
    relayed_hub: RunningHub, turn: Coturn, browser: Browser
) -> None:
    joined_at = time.time()
    chair = await join(browser, relayed_hub, CHAIR)
    bea = await join(browser, relayed_hub, BEA)

    for page, member in ((chair, CHAIR), (bea, BEA)):
        seen = await flows(page)
        assert seen["policy"] == "relay"
        # Only relayed candidates: the browser's own addresses are never offered.
        assert seen["gathered"] and set(seen["gathered"]) == {"relay"}
        # From a relayed address on coturn to the relay's own (host) address: the relay needs no TURN.
        assert (seen["local"], seen["remote"]) == ("relay", "host")
        assert seen["relayed"].startswith("127.0.0.1:")
        # Credentials of the member's own from the shared secret, valid for a day; never the secret.
        [server] = seen["servers"]
        assert server["urls"] == list(turn.urls)
        expiry, _, user = server["username"].partition(":")
        assert user == member
        assert abs(int(expiry) - (joined_at + CREDENTIAL_SECONDS)) < 60
        assert server["credential"] and turn.secret not in server["credential"]

    # coturn granted each member an allocation under their own name.
    assert {CHAIR, BEA} <= set(turn.allocations())
    assert "check_stun_auth" not in turn.log.read_text()
