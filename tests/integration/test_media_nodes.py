"""A meeting's media runs on one node: two `hub serve` processes sharing Redis, with nginx in front
(deploy/nginx.conf as shipped, only its addresses moved). Members whose connections land on different
nodes meet in one relay and hear each other; a member who reaches the other node directly, past nginx,
joins the same relay; when the node that runs the media stops, or is killed, the media moves to a live
node and the members left join it there.

The members are aiortc peers answering the relay as the browser does (tests/integration/test_media.py).
nginx balances by the client's address, so each member connects from an address of its own on the
loopback network (127.0.N.1) chosen to land on the node the test wants."""

from __future__ import annotations

import asyncio
import re
import signal
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection

from hub.config import Settings
from hub.demo import DEMO_MEETING_ID, load_demo
from hub.runtime import open_hub
from hub.service import Hub
from signalling.media.passthrough import allow_loopback_candidates
from signalling.media.pins import node_of
from tests.conftest import HubProcess, free_port, hub_env, require
from tests.integration.test_media import CAMERA, FPS, Participant
from tests.integration.test_workers import both_serving, worker_of
from tests.media_sources import Pattern, Tone, eventually

pytestmark = pytest.mark.timeout(150)

NGINX = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
SECRET = "media-nodes-secret"
ANA, BEA, CY, DAN = "m001", "m002", "m003", "m004"


class Member(Participant):
    """A browser stand-in that may connect from an address of its own and join the media again."""

    def __init__(self, url: str, token: str, member_id: str, source: str | None = None) -> None:
        super().__init__(url, token, member_id)
        if source is not None:
            self.client.sio.eio.http_factory = lambda: aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(local_addr=(source, 0))
            )

    async def heard(self, *members: str, frames: int = 25) -> None:
        """Until this member has decoded `frames` frames of each member's microphone."""
        for member in members:
            await self.wait_frames(
                member, "microphone", self.frames(member, "microphone") + frames, timeout=10
            )

    async def media_again(self, mode: str = "audio") -> dict[str, Any]:
        """What the browser does on `media.ended` `moved`: a new peer connection, joined again; a
        `media.unavailable` refusal is tried again a second later, as the client does."""
        # The old relay's last offer may have been refused (the browser shows that and goes on).
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        await self.pc.close()
        # Closing an aiortc peer connection stops the tracks it sent; a browser keeps its devices.
        for track in self.sources.values():
            track.stop()
        self.sources = {"microphone": Tone(0.2), "camera": Pattern(CAMERA, FPS)}
        for sink in self.sinks.values():
            sink.task.cancel()
        self.sinks.clear()
        self.offers.clear()
        while not self._queue.empty():
            self._queue.get_nowait()
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self.pc.on("track", self._on_track)
        self._worker = asyncio.create_task(self._answer_offers())
        for _ in range(10):
            ack = await self.client.call("media.join", {"mode": mode})
            if ack["ok"] or ack["error"]["code"] != "media.unavailable":
                break
            await asyncio.sleep(1)
        assert ack["ok"], ack
        reply: dict[str, Any] = ack["data"]
        return reply


@dataclass
class Cluster:
    hub: Hub
    nodes: list[HubProcess]
    links: dict[str, str]
    proxy: str = ""
    members: list[Member] = field(default_factory=list)

    def name(self, node: int) -> str:
        return Settings(port=self.nodes[node].port).node

    async def pin(self) -> str | None:
        """The node the meeting's media is pinned to."""
        owner = await self.hub.store.media_node(DEMO_MEETING_ID)
        return None if owner is None else node_of(owner)

    async def node_of(self, member: Member) -> str:
        """The node holding the member's connection, from its session in the meeting."""
        sid = member.client.sio.get_sid()
        participant = (await self.hub.current(DEMO_MEETING_ID)).meeting.participants[member.member_id]
        return next(s.split("/")[0] for s in participant.sessions if s.endswith(f"/{sid}"))

    async def enter(self, member_id: str, node: int) -> Member:
        """A member in the meeting straight through the node."""
        member = Member(self.nodes[node].url, self.links[member_id], member_id)
        self.members.append(member)
        await member.enter()
        return member

    async def through_proxy(self, member_id: str, node: int) -> Member:
        """A member in the meeting through nginx, from the first address nginx sends to the node."""
        for n in range(1, 40):
            member = Member(self.proxy, self.links[member_id], member_id, source=f"127.0.{n}.1")
            self.members.append(member)
            await member.enter()
            if await self.node_of(member) == self.name(node):
                return member
            await member.client.ok("meeting.leave", {})
            await member.close()
        raise AssertionError(f"nginx sent no address to node {node}")


async def seated(redis_url: str) -> tuple[Hub, dict[str, str]]:
    """The demo meeting in the store, and join links for the members the tests seat."""
    async with open_hub(Settings(redis_url=redis_url, secret=SECRET)) as hub:
        await load_demo(hub, timedelta(hours=1))
        return hub, {
            m: await hub.issue_link(m, DEMO_MEETING_ID, timedelta(hours=1)) for m in (ANA, BEA, CY, DAN)
        }


@pytest.fixture
def loopback() -> Iterator[None]:
    """The test's own peers gather 127.0.0.1 too, as the nodes do (`--ice-loopback`)."""
    with allow_loopback_candidates():
        yield


@pytest.fixture
async def cluster(redis_url: str, tmp_path: Path, loopback: None) -> AsyncIterator[Cluster]:
    _, links = await seated(redis_url)
    async with open_hub(Settings(redis_url=redis_url, secret=SECRET)) as hub:
        nodes = [
            HubProcess(
                tmp_path,
                free_port(),
                "--redis-url",
                redis_url,
                "--ice-loopback",
                env=hub_env(HUB_SECRET=SECRET),
            )
            for _ in range(2)
        ]
        running = Cluster(hub, nodes, links)
        try:
            await asyncio.gather(*(node.start() for node in nodes))
            async with nginx(tmp_path, [node.port for node in nodes]) as proxy:
                running.proxy = proxy
                yield running
        finally:
            for member in running.members:
                await member.close()
            for node in nodes:
                if node.process is not None and node.process.poll() is None:
                    node.stop()


@asynccontextmanager
async def nginx(workdir: Path, ports: list[int]) -> AsyncIterator[str]:
    """deploy/nginx.conf in front of the nodes on `ports`, its addresses and paths moved here."""
    port = free_port()
    site = NGINX.read_text().replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = re.sub(r"    server 127\.0\.0\.1:800\d;\n", "", site)
    servers = "".join(f"    server 127.0.0.1:{p};\n" for p in ports)
    site = site.replace("ip_hash;\n", f"ip_hash;\n{servers}")
    site = site.replace("/var/log/nginx/", f"{workdir}/")
    (workdir / "site.conf").write_text(site)
    (workdir / "nginx.conf").write_text(
        f"daemon off;\npid {workdir}/nginx.pid;\nerror_log {workdir}/error.log;\n"
        f"events {{}}\nhttp {{\n  client_body_temp_path {workdir};\n  proxy_temp_path {workdir};\n"
        f"  access_log off;\n  include {workdir}/site.conf;\n}}\n"
    )
    process = await asyncio.create_subprocess_exec(require("nginx"), "-c", str(workdir / "nginx.conf"))
    try:
        async with aiohttp.ClientSession() as http, asyncio.timeout(10):
            while True:
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)


async def test_members_on_different_nodes_meet_in_one_relay(cluster: Cluster) -> None:
    ana = await cluster.through_proxy(ANA, 0)
    bea = await cluster.through_proxy(BEA, 1)
    # The first to start the meeting's media pins it to the node holding their connection.
    await ana.join_media("audio")
    assert await cluster.pin() == cluster.name(0)
    await bea.join_media("audio")
    await ana.heard(BEA)
    await bea.heard(ANA)
    # Past nginx, straight to the node that does not run the media: the same relay all the same.
    cy = await cluster.enter(CY, 1)
    await cy.join_media("audio")
    await cy.heard(ANA, BEA)
    await ana.heard(CY)
    await bea.heard(CY)
    assert await cluster.pin() == cluster.name(0)
    # Leaving through the other node ends the peer where it runs: the others' next offer drops her.
    await bea.client.ok("media.leave", {})
    await eventually(lambda: all(s["member_id"] != BEA for s in ana.streams.values()))
    await eventually(lambda: all(s["member_id"] != BEA for s in cy.streams.values()))
    await ana.heard(CY)
    # A dropped connection too; once the meeting's media has nobody left, the pin is let go at once.
    await cy.client.disconnect()
    await eventually(lambda: ana.streams == {})
    await ana.client.ok("media.leave", {})
    await pinned(cluster, None)
    assert ana.ended == [] and bea.ended == [] and cy.ended == []


async def test_media_moves_to_a_live_node_when_its_node_stops_or_dies(cluster: Cluster) -> None:
    ana = await cluster.enter(ANA, 0)
    bea = await cluster.enter(BEA, 1)
    await ana.join_media("audio")
    await bea.join_media("audio")
    await bea.heard(ANA)
    assert await cluster.pin() == cluster.name(0)

    # A clean stop: the node lets go of the meeting and tells the others' browsers at once.
    cluster.nodes[0].stop()
    await eventually(lambda: bea.ended == ["moved"], timeout=10)
    await bea.media_again()
    assert await cluster.pin() == cluster.name(1)
    await cluster.nodes[0].start()
    cy = await cluster.enter(CY, 0)
    await cy.join_media("audio")
    await cy.heard(BEA)
    await bea.heard(CY)

    # Killed: its pin lapses within its time to live, and the node that held Cy's connection tells
    # his browser, which joins the media again, where it can run now.
    cluster.nodes[1].stop(signal.SIGKILL)
    await eventually(lambda: cy.ended == ["moved"], timeout=20)
    await cy.media_again()
    assert await cluster.pin() == cluster.name(0)
    dan = await cluster.enter(DAN, 0)
    await dan.join_media("audio")
    await dan.heard(CY)
    await cy.heard(DAN)


async def test_a_livestream_goes_on_at_a_live_node_when_its_node_dies(cluster: Cluster) -> None:
    """The node running the feed is killed: once its pin lapses, the node left claims the meeting's media
    and runs the feed, continuing the playlist (the nodes share their data directory here) behind a
    discontinuity; viewers asking that node get the playlist growing again."""
    ana = await cluster.enter(ANA, 0)
    bea = await cluster.enter(BEA, 1)
    await ana.join_media("audio")
    await bea.join_media("audio")
    assert await cluster.pin() == cluster.name(0)
    await ana.client.ok("livestream.start", {"quality": "360p", "record": False})
    path = f"/live/{DEMO_MEETING_ID}/index.m3u8"

    async def segments() -> list[str]:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{cluster.nodes[1].url}{path}", params={"token": cluster.links[BEA]}) as got:
                text = await got.text() if got.status == 200 else ""
        return [line for line in text.splitlines() if line.endswith(".ts")]

    async with asyncio.timeout(30):
        while len(before := await segments()) < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.2)

    cluster.nodes[0].stop(signal.SIGKILL)
    await pinned(cluster, cluster.name(1), timeout=30)
    async with asyncio.timeout(30):
        # The node left writes segments after the last the dead node wrote.
        while not (after := await segments()) or int(after[-1][-8:-3]) <= int(before[-1][-8:-3]) + 2:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
    # And her media follows it there.
    await bea.media_again()


async def pinned(cluster: Cluster, expected: str | None, timeout: float = 5) -> None:
    """Until the meeting's media is pinned to `expected` (None: to no node)."""
    async with asyncio.timeout(timeout):
        while True:
            if await cluster.pin() == expected:
                return
            await asyncio.sleep(0.05)


async def test_members_on_two_workers_of_one_node_meet_in_one_relay(
    redis_url: str, tmp_path: Path, loopback: None
) -> None:
    """`hub serve --workers 2`: each worker is a node, so the media of a connection on the other worker
    runs where the meeting's pin is, as between machines."""
    _, links = await seated(redis_url)
    process = HubProcess(
        tmp_path,
        free_port(),
        "--redis-url",
        redis_url,
        "--workers",
        "2",
        "--ice-loopback",
        env=hub_env(HUB_SECRET=SECRET),
    )
    members: list[Member] = []

    async def on_worker(member_id: str, worker: int) -> Member:
        # The kernel picks the worker per TCP connection: connect until it is the one wanted.
        for _ in range(40):
            member = Member(process.url, links[member_id], member_id)
            members.append(member)
            await member.enter()
            if worker_of(member.client) == worker:
                return member
            await member.client.ok("meeting.leave", {})
            await member.close()
        raise AssertionError(f"no connection reached worker {worker}")

    try:
        await process.start()
        await both_serving(process)
        ana = await on_worker(ANA, 1)
        bea = await on_worker(BEA, 2)
        await ana.join_media("audio")
        async with open_hub(Settings(redis_url=redis_url, secret=SECRET)) as hub:
            owner = await hub.store.media_node(DEMO_MEETING_ID)
        assert owner is not None and node_of(owner) == f"{Settings(port=process.port).node}-w1"
        await bea.join_media("audio")
        await ana.heard(BEA)
        await bea.heard(ANA)
    finally:
        for member in members:
            await member.close()
        if process.process is not None and process.process.poll() is None:
            process.stop()
