"""Redis under Sentinel: a real primary, two replicas and three sentinels (`sentinel_topology.py`), the hub
as a process and in this one, both on a `redis+sentinel://` URL.

The primary is killed with SIGKILL while members vote. Every voter casts until a cast is acknowledged,
retrying `store.unavailable` as the browser does; afterwards every acknowledged ballot is counted exactly
once, every client holds what a fresh snapshot holds, and an event committed on one node after the
failover reaches members on the other through the new primary. A ballot that no replica confirms is never
acknowledged: it is refused as retryable until a replica has it."""

from __future__ import annotations

import asyncio
import random
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub.config import Limits, Settings
from tests.client import MeetingClient
from tests.conftest import HubProcess, free_port, hub_env, serving
from tests.integration.sentinel_topology import Topology
from tests.integration.test_faults import CHOICES, Vote, Voter, drop, seat_meeting, until

VOTERS = 50

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
async def topology(tmp_path: Path) -> AsyncIterator[Topology]:
    servers = Topology(tmp_path)
    try:
        await servers.start()
        yield servers
    finally:
        servers.stop()


def settings_for(topology: Topology, workdir: Path) -> Settings:
    return Settings(
        port=free_port(),
        redis_url=topology.url,
        data_dir=workdir,
        secret="test-secret",
        limits=Limits(events_rate="1000/second"),
    )


async def open_vote(settings: Settings, url: str) -> Vote:
    """VOTERS voters seated on the hub at `url`, the chair on the in-process node, a motion's vote open."""
    tokens = await seat_meeting(settings, VOTERS)
    chair = MeetingClient(f"http://127.0.0.1:{settings.port}", tokens["chair"])
    await chair.connect()
    await chair.join(timeout=30)
    voters = [Voter(f"v{n:04}", tokens[f"v{n:04}"], [url], CHOICES[n % 3]) for n in range(VOTERS)]
    await asyncio.gather(*(v.seat() for v in voters))
    await until(chair, lambda c: len(c.present()) == VOTERS + 1, 30)
    assert voters[0].client is not None and voters[1].client is not None
    await voters[0].client.ok("motion.submit", {"title": "Failover", "text": "Lose nothing."}, timeout=30)
    await until(chair, lambda c: bool(c.meeting and c.meeting["motions"]), 30)
    motion_id = chair.meeting["motions"][0]["id"]  # type: ignore[index]
    await voters[1].client.ok("motion.second", {"motion_id": motion_id}, timeout=30)
    subject = {"kind": "motion", "motion_id": motion_id}
    reply = await chair.ok("vote.open", {"subject": subject}, timeout=30)
    return Vote(chair, voters, str(reply["vote_id"]))


def hub_process(topology: Topology, workdir: Path) -> HubProcess:
    return HubProcess(
        workdir,
        free_port(),
        "--redis-url",
        topology.url,
        "--connections-per-address",
        "1000",
        env=hub_env(HUB_SECRET="test-secret"),
    )


async def test_the_primary_killed_during_a_vote_loses_no_acknowledged_ballot(
    topology: Topology, tmp_path: Path
) -> None:
    settings = settings_for(topology, tmp_path)
    node = hub_process(topology, tmp_path)
    try:
        async with serving(settings):
            await node.start()
            vote = await open_vote(settings, node.url)
            half = VOTERS // 2
            await asyncio.gather(*(v.vote(vote.vote_id, 0) for v in vote.voters[:half]))
            # The rest cast over two seconds; the primary dies with some of them in flight.
            casting = asyncio.gather(
                *(v.vote(vote.vote_id, random.uniform(0, 2)) for v in vote.voters[half:])
            )
            await asyncio.sleep(0.5)
            old = await topology.primary_port()
            topology.kill(old)
            assert sum(v.acked is not None for v in vote.voters) < VOTERS  # the vote goes on
            await casting
            assert await topology.primary_port() != old
            # The outage was met and answered as retryable, never as internal.
            assert any(v.refusals for v in vote.voters)

            await vote.check("hands")
            # The vote closed on the in-process node reached the members on the other through the new
            # primary's pub/sub, pushed, not fetched by a resync.
            pushed = [v.client for v in vote.voters if v.client is not None]
            await asyncio.gather(
                *(
                    c.wait_until(lambda c: any(e["type"] == "vote.closed" for e in c.events), 20)
                    for c in pushed
                )
            )
            await vote.close()
            node.stop()
    finally:
        if node.process is not None and node.process.poll() is None:
            node.stop(signal.SIGKILL)


async def test_a_ballot_no_replica_confirms_is_not_acknowledged(topology: Topology, tmp_path: Path) -> None:
    settings = settings_for(topology, tmp_path)
    async with serving(settings) as url:
        tokens = await seat_meeting(settings, 10)
        chair = MeetingClient(url, tokens["chair"])
        members = [MeetingClient(url, tokens[f"v{n:04}"]) for n in range(10)]
        voter, seconder = members[:2]
        for client in (chair, *members):
            await client.connect()
            await client.join()
        await voter.ok("motion.submit", {"title": "T", "text": "Text."})
        await chair.wait_until(lambda c: bool(c.meeting and c.meeting["motions"]))
        motion_id = chair.meeting["motions"][0]["id"]  # type: ignore[index]
        await seconder.ok("motion.second", {"motion_id": motion_id})
        opened = await chair.ok("vote.open", {"subject": {"kind": "motion", "motion_id": motion_id}})
        cast = {"vote_id": opened["vote_id"], "choice": "for"}

        # Both replicas hang: the primary applies the ballot, but no replica has it.
        for port in topology.replicas:
            topology.processes[port].send_signal(signal.SIGSTOP)
        try:
            refused = await voter.call("vote.cast", cast)
        finally:
            for port in topology.replicas:
                topology.processes[port].send_signal(signal.SIGCONT)
        assert refused["ok"] is False
        assert refused["error"]["code"] == "store.unavailable"
        # Retried once a replica is back, it is acknowledged, and counted once.
        async with asyncio.timeout(20):
            while not (ack := await voter.call("vote.cast", cast))["ok"]:
                assert ack["error"]["code"] == "store.unavailable", ack
                await asyncio.sleep(0.2)
        assert ack["data"]["cast"] == 1
        closed = await chair.ok("vote.close", {"vote_id": opened["vote_id"]})
        assert closed["result"]["counts"] == {"for": 1, "against": 0, "abstain": 0}
        await asyncio.gather(*(drop(c) for c in (chair, *members)))
