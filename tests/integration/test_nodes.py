"""Heartbeats between hub processes on one Redis: a node killed with SIGKILL has its members swept by the
live nodes, once, and is forgotten; a node that stops cleanly leaves no heartbeat behind."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from hub.config import Limits, Settings
from hub.runtime import open_hub
from tests.client import MeetingClient, joined
from tests.conftest import NO_GRACE, HubProcess, RunningHub, demo_hub, free_port, hub_env, serving


def node_name(port: int) -> str:
    """What `hub serve --port PORT` on this machine calls itself."""
    return Settings(port=port).node


CHAIR = "m001"
AWAY = ["m002", "m007", "m025", "m031", "m040"]


def quick(settings: Settings) -> Settings:
    """A live node that looks for dead ones often; the dead node's own expiry (10 s) still bounds it."""
    return replace(settings, node_beat_seconds=0.2, node_expiry_seconds=1.0, node_scan_seconds=0.3)


@pytest.fixture
async def live(redis_url: str, tmp_path: Path) -> AsyncIterator[RunningHub]:
    settings = Settings(
        port=free_port(),
        redis_url=redis_url,
        data_dir=tmp_path,
        secret="test-secret",
        limits=Limits(grace_seconds=NO_GRACE),
    )
    async with demo_hub(quick(settings)) as running:
        yield running


@pytest.fixture
async def other_node(live: RunningHub, tmp_path: Path) -> AsyncIterator[HubProcess]:
    """`hub serve` on the same Redis, with the default heartbeat."""
    process = HubProcess(
        tmp_path,
        free_port(),
        "--redis-url",
        live.settings.redis_url or "",
        env=hub_env(HUB_SECRET=live.settings.secret or ""),
    )
    await process.start()
    yield process
    assert process.process is not None
    if process.process.poll() is None:
        process.stop(signal.SIGKILL)


async def seat_away(hub: RunningHub, url: str) -> list[MeetingClient]:
    clients = [MeetingClient(url, hub.links[m]) for m in AWAY]
    for client in clients:
        await client.connect()
        await client.join()
    return clients


async def test_a_killed_node_is_swept_by_the_live_ones_once(live: RunningHub, other_node: HubProcess) -> None:
    dead = other_node
    # A second live node, so that two sweep the dead one at the same time.
    async with serving(replace(live.settings, port=free_port())):
        chair = await joined(live, CHAIR)
        await seat_away(live, dead.url)
        await chair.wait_until(lambda c: c.present() == {CHAIR, *AWAY})
        async with open_hub(live.settings) as service:
            assert node_name(dead.port) in await service.store.nodes()

        dead.stop(signal.SIGKILL)
        # Its heartbeat lives 10 s; the live nodes look every 0.3 s.
        await chair.wait_until(lambda c: c.present() == {CHAIR}, timeout=20)

        async with open_hub(live.settings) as service:
            log = await service.store.event_log(live.meeting_id)
            swept = [e for e in log if e["type"] == "participants.swept"]
            # Swept, they waited out the grace period (none here) and went.
            assert [e["data"] for e in swept] == [
                {"member_ids": AWAY, "node": node_name(dead.port), "away": AWAY}
            ]
            for _ in range(50):
                if node_name(dead.port) not in await service.store.nodes():
                    break
                await asyncio.sleep(0.1)
            assert node_name(dead.port) not in await service.store.nodes()
            # The live nodes are still known and beating.
            assert live.settings.node in await service.store.nodes()
        await chair.disconnect()


async def test_a_node_that_stops_cleanly_leaves_no_heartbeat(
    live: RunningHub, other_node: HubProcess
) -> None:
    node = other_node
    name = node_name(node.port)
    async with open_hub(live.settings) as service:
        assert await service.store.node_alive(name)
        node.stop()
        assert not await service.store.node_alive(name)
        assert name not in await service.store.nodes()


async def test_a_node_that_stalled_past_its_expiry_brings_its_members_back(
    live: RunningHub, other_node: HubProcess
) -> None:
    """Paused longer than its heartbeat lives, a node is swept by the live ones while its members stay
    connected to it; when it runs again it finds its heartbeat lapsed and joins them again."""
    chair = await joined(live, CHAIR)
    away = await seat_away(live, other_node.url)
    await chair.wait_until(lambda c: c.present() == {CHAIR, *AWAY})
    assert other_node.process is not None
    other_node.process.send_signal(signal.SIGSTOP)
    try:
        await chair.wait_until(lambda c: c.present() == {CHAIR}, timeout=20)
    finally:
        other_node.process.send_signal(signal.SIGCONT)
    # Its next beat, within two seconds, finds the lapse.
    await chair.wait_until(lambda c: c.present() == {CHAIR, *AWAY}, timeout=10)
    assert all(client.sio.connected for client in away)
    for client in [chair, *away]:
        await client.disconnect()
