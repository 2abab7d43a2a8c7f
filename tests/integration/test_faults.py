"""Faults on real processes and a real Redis: a hub killed with SIGKILL during a vote, Redis restarted during
one, one of two hubs killed; a store outage answered as retryable; the health check when Redis hangs; a clean
stop with a client that ignores the close frame.

In every vote scenario each of the 200 voters casts until a cast is acknowledged, through whatever hub is up,
reconnecting as a browser would. Then: every acknowledged ballot is counted exactly once, every client that
is still connected holds the same version and meeting as a fresh snapshot, and the members present are
exactly those with a live connection (a dead hub's are swept)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.cli import GRACEFUL_SHUTDOWN_SECONDS
from hub.config import Limits, Settings
from hub.models import Branch, Meeting, Member, Quorum, Role, StandingOrders
from hub.runtime import open_hub
from tests.client import MeetingClient
from tests.conftest import HubProcess, RedisServer, free_port, hub_env, serving
from tests.integration.test_votes import HOW

VOTERS = int(os.environ.get("FAULT_VOTERS", 200))
CHOICES = ["for", "against", "abstain"]
# A dead hub's members are gone within its heartbeat's expiry (10 s) and a look by a live node.
SWEEP_BOUND = 15


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[RedisServer]:
    """Keeps every acknowledged write (append-only, fsync always) across a kill and a restart."""
    server = RedisServer(tmp_path, "--save", "", "--appendonly", "yes", "--appendfsync", "always")
    await server.start()
    yield server
    server.stop()


def settings_for(store: RedisServer, workdir: Path) -> Settings:
    """The in-process node that holds the chair: it looks for dead nodes often."""
    return Settings(
        port=free_port(),
        redis_url=store.url,
        data_dir=workdir,
        secret="test-secret",
        limits=Limits(events_rate="1000/second"),
        node_beat_seconds=0.5,
        node_expiry_seconds=2.0,
        node_scan_seconds=0.5,
    )


@pytest.fixture
def hubs(store: RedisServer, tmp_path: Path) -> Iterator[Callable[[], HubProcess]]:
    """`hub serve` processes on the store, killed at the end whatever happened."""
    made: list[HubProcess] = []

    def make() -> HubProcess:
        env = hub_env(HUB_SECRET="test-secret")
        made.append(HubProcess(tmp_path, free_port(), "--redis-url", store.url, env=env))
        return made[-1]

    yield make
    for process in made:
        if process.process is not None and process.process.poll() is None:
            process.stop(signal.SIGKILL)


async def seat_meeting(settings: Settings, count: int) -> dict[str, str]:
    """A branch with a chair and `count` voters, a meeting, and join tokens by member id."""
    async with open_hub(settings) as service:
        roles = {"chair": Role.CHAIR} | {f"v{n:04}": Role.MEMBER for n in range(count)}
        for member_id in roles:
            await service.save_member(Member(id=member_id, name=f"Voter {member_id}"))
        await service.save_branch(Branch(id="big", name="Big branch", roles=roles))
        await service.create_meeting(
            Meeting(
                id="vote",
                branch_id="big",
                title="Vote",
                starts_at=datetime.now(UTC),
                time_zone="UTC",
                # About failures, not attendance: no quorum of members checked in to reach first.
                standing_orders=StandingOrders(quorum=Quorum(value=0)),
            )
        )
        return {m: await service.issue_link(m, "vote", timedelta(hours=1)) for m in roles}


async def patiently(client: MeetingClient, event: str, payload: dict[str, Any]) -> Any:
    """`event` until it is not refused as `store.unavailable`, as the browser client does."""
    async with asyncio.timeout(60):
        while True:
            ack = await client.call(event, payload, timeout=60)
            if ack["ok"]:
                return ack["data"]
            assert ack["error"]["code"] == "store.unavailable", ack
            await asyncio.sleep(ack["error"]["details"]["retry_after"])


@dataclass
class Voter:
    member_id: str
    token: str
    urls: list[str]  # the hub it uses, then the ones it falls back on, as behind a load balancer
    choice: str
    # Reconnects when its hub dies; one that does not is gone, like a closed laptop.
    stays: bool = True
    client: MeetingClient | None = None
    acked: str | None = None
    refusals: list[str] = field(default_factory=list)

    @property
    def connected(self) -> bool:
        return self.client is not None and self.client.sio.connected

    async def seat(self) -> None:
        """Connect and join, trying the hubs in turn while one or the store is down."""
        async with asyncio.timeout(90):
            for attempt in range(10_000):
                client = MeetingClient(self.urls[attempt % len(self.urls)], self.token)
                try:
                    await client.connect()
                    client.early = []
                    client.catch_up(await patiently(client, "meeting.join", {}))
                except Exception:
                    await drop(client)
                    await asyncio.sleep(0.3)
                    continue
                self.client = client
                return

    async def vote(self, vote_id: str, delay: float) -> None:
        await asyncio.sleep(delay)
        async with asyncio.timeout(120):
            while self.acked is None:
                if not self.connected:
                    await self.seat()
                assert self.client is not None
                cast = {"vote_id": vote_id, "choice": self.choice}
                try:
                    ack = await self.client.call("vote.cast", cast, timeout=20)
                except Exception:
                    # No answer: the hub died with the cast in flight. Counted or not, the retry settles it.
                    await drop(self.client)
                    continue
                if ack["ok"]:
                    self.acked = self.choice
                else:
                    self.refusals.append(ack["error"]["code"])
                    assert ack["error"]["code"] == "store.unavailable", ack
                    await asyncio.sleep(ack["error"]["details"]["retry_after"])

    async def return_after_fault(self) -> None:
        if self.stays and not self.connected:
            await self.seat()


async def drop(client: MeetingClient) -> None:
    try:
        await client.disconnect()
    except Exception:
        pass


async def resync(client: MeetingClient) -> None:
    """What the browser does on a gap: ask for what it missed."""
    async with client.sync_lock:
        client.early = []
        client.catch_up(await patiently(client, "meeting.sync", {"since": client.version}))
        client.gaps = 0


async def until(client: MeetingClient, predicate: Callable[[MeetingClient], bool], timeout: float) -> None:
    """Wait for `predicate`, resyncing now and then: events from a hub that died may never come."""
    async with asyncio.timeout(timeout):
        while not predicate(client):
            try:
                await client.wait_until(predicate, timeout=1)
            except TimeoutError:
                await resync(client)


@dataclass
class Vote:
    chair: MeetingClient
    voters: list[Voter]
    vote_id: str

    async def cast_through(self, fault: Callable[[], Any]) -> None:
        """Every voter casts, spread over three seconds; `fault` strikes a second in. Those who do not
        stay cast first, so their ballots are in before their hub dies."""
        leavers = [v for v in self.voters if not v.stays]
        await asyncio.gather(*(v.vote(self.vote_id, 0) for v in leavers))
        rest = [v.vote(self.vote_id, random.uniform(0, 3)) for v in self.voters if v.stays]
        casting = asyncio.gather(*rest)
        await asyncio.sleep(1)
        await fault()
        await casting
        await asyncio.gather(*(v.return_after_fault() for v in self.voters))

    async def check(self, method: str) -> None:
        acked = {v.member_id: v.acked for v in self.voters}
        assert all(acked.values())
        if method != "secret":
            ballots = await patiently(self.chair, "vote.ballots", {"vote_id": self.vote_id})
            assert {b["member_id"]: b["choice"] for b in ballots["ballots"]} == acked
        closed = await patiently(self.chair, "vote.close", {"vote_id": self.vote_id})
        expected = {c: sum(1 for a in acked.values() if a == c) for c in CHOICES}
        assert closed["result"]["counts"] == expected

        # Ghosts swept: present are exactly the members with a live connection.
        alive = {"chair"} | {v.member_id for v in self.voters if v.connected}
        try:
            await until(self.chair, lambda c: c.present() == alive, SWEEP_BOUND + 5)
        except TimeoutError:
            ghosts, missing = self.chair.present() - alive, alive - self.chair.present()
            raise AssertionError(f"ghosts {sorted(ghosts)}, missing {sorted(missing)}") from None

        # Every client still connected holds what a fresh snapshot holds.
        fresh = MeetingClient(self.chair.url, self.chair.token)
        await fresh.connect()
        await fresh.join(timeout=60)
        clients = [self.chair, *(v.client for v in self.voters if v.connected and v.client)]
        await asyncio.gather(*(until(c, lambda c: c.version >= fresh.version, 60) for c in clients))
        await resync(fresh)
        for client in clients:
            assert (client.version, client.meeting) == (fresh.version, fresh.meeting)
        await drop(fresh)

    async def close(self) -> None:
        await asyncio.gather(drop(self.chair), *(drop(v.client) for v in self.voters if v.client))


async def open_vote(
    settings: Settings, url_for: Callable[[int], list[str]], method: str, leavers: int
) -> Vote:
    """VOTERS voters seated on the hubs `url_for(n)` names, the chair on the in-process node, and a vote
    open. The first `leavers` voters do not come back when their hub dies."""
    tokens = await seat_meeting(settings, VOTERS)
    chair = MeetingClient(f"http://127.0.0.1:{settings.port}", tokens["chair"])
    await chair.connect()
    await chair.join(timeout=60)
    voters = [
        Voter(f"v{n:04}", tokens[f"v{n:04}"], url_for(n), CHOICES[n % 3], stays=n >= leavers)
        for n in range(VOTERS)
    ]
    for start in range(0, VOTERS, 50):
        await asyncio.gather(*(v.seat() for v in voters[start : start + 50]))
    await until(chair, lambda c: len(c.present()) == VOTERS + 1, 60)
    submit = {"title": "Votes for life", "text": "We want votes for life."}
    assert voters[0].client is not None and voters[1].client is not None
    await voters[0].client.ok("motion.submit", submit, timeout=60)
    await until(chair, lambda c: bool(c.meeting and c.meeting["motions"]), 60)
    motion_id = chair.meeting["motions"][0]["id"]  # type: ignore[index]
    await voters[1].client.ok("motion.second", {"motion_id": motion_id}, timeout=60)
    subject = {"kind": "motion", "motion_id": motion_id}
    reply = await chair.ok("vote.open", {"subject": subject, **HOW[method]}, timeout=60)
    return Vote(chair, voters, str(reply["vote_id"]))


async def test_a_hub_killed_during_a_vote_and_restarted(
    store: RedisServer, tmp_path: Path, hubs: Callable[[], HubProcess]
) -> None:
    settings = settings_for(store, tmp_path)
    node = hubs()
    async with serving(settings):
        await node.start()
        vote = await open_vote(settings, lambda n: [node.url], "hands", leavers=10)

        async def fault() -> None:
            node.stop(signal.SIGKILL)
            await asyncio.sleep(1)
            await node.start()  # same name: it sweeps its previous life as it starts

        await vote.cast_through(fault)
        await vote.check("hands")
        await vote.close()
        node.stop()


async def test_redis_restarted_during_a_secret_ballot(
    store: RedisServer, tmp_path: Path, hubs: Callable[[], HubProcess]
) -> None:
    settings = settings_for(store, tmp_path)
    node = hubs()
    async with serving(settings):
        await node.start()
        vote = await open_vote(settings, lambda n: [node.url], "secret", leavers=0)

        async def fault() -> None:
            store.kill()
            await asyncio.sleep(1.5)
            await store.start()

        await vote.cast_through(fault)
        # The outage was met and answered as retryable, never as internal.
        assert any(v.refusals for v in vote.voters)
        await vote.check("secret")
        await vote.close()
        node.stop()


async def test_one_of_two_hubs_killed_during_a_vote(
    store: RedisServer, tmp_path: Path, hubs: Callable[[], HubProcess]
) -> None:
    settings = settings_for(store, tmp_path)
    doomed, spare = hubs(), hubs()
    async with serving(settings):
        await doomed.start()
        await spare.start()
        # Half on each; the doomed hub's voters fall back on the spare, but for ten who do not return.
        vote = await open_vote(
            settings, lambda n: [doomed.url, spare.url] if n % 2 == 0 else [spare.url], "hands", leavers=20
        )

        async def fault() -> None:
            doomed.stop(signal.SIGKILL)

        await vote.cast_through(fault)
        assert not any(v.connected for v in vote.voters[:20:2])
        await vote.check("hands")
        await vote.close()
        spare.stop()


async def test_a_cast_while_redis_is_down_is_refused_as_retryable(store: RedisServer, tmp_path: Path) -> None:
    settings = settings_for(store, tmp_path)
    async with serving(settings):
        url = f"http://127.0.0.1:{settings.port}"
        tokens = await seat_meeting(settings, 10)
        chair = MeetingClient(url, tokens["chair"])
        voters = [MeetingClient(url, tokens[f"v{n:04}"]) for n in range(10)]
        for client in [chair, *voters]:
            await client.connect()
            await client.join()
        await voters[0].ok("motion.submit", {"title": "T", "text": "Text."})
        await chair.wait_until(lambda c: bool(c.meeting and c.meeting["motions"]))
        motion_id = chair.meeting["motions"][0]["id"]  # type: ignore[index]
        await voters[1].ok("motion.second", {"motion_id": motion_id})
        opened = await chair.ok("vote.open", {"subject": {"kind": "motion", "motion_id": motion_id}})
        cast = {"vote_id": opened["vote_id"], "choice": "for"}

        store.kill()
        refused = await voters[2].call("vote.cast", cast)
        assert refused["ok"] is False
        assert refused["error"]["code"] == "store.unavailable"
        assert refused["error"]["details"] == {"retry_after": 1}
        await store.start()
        assert (await patiently(voters[2], "vote.cast", cast))["cast"] == 1
        closed = await patiently(chair, "vote.close", {"vote_id": opened["vote_id"]})
        assert closed["result"]["counts"] == {"for": 1, "against": 0, "abstain": 0}
        await asyncio.gather(*(drop(c) for c in [chair, *voters]))


async def test_health_answers_503_when_redis_hangs_or_is_down(store: RedisServer, tmp_path: Path) -> None:
    settings = settings_for(store, tmp_path)
    async with serving(settings) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
        up = await http.get("/healthz")
        assert (up.status_code, up.json()) == (200, {"ok": True})
        assert store.process is not None
        store.process.send_signal(signal.SIGSTOP)  # hangs: accepts nothing, answers nothing
        try:
            hung = await http.get("/healthz")
            assert (hung.status_code, hung.json()) == (503, {"ok": False})
        finally:
            store.process.send_signal(signal.SIGCONT)
        store.kill()
        down = await http.get("/healthz")
        assert (down.status_code, down.json()) == (503, {"ok": False})
        await store.start()
        for _ in range(100):
            if (await http.get("/healthz")).status_code == 200:
                break
            await asyncio.sleep(0.1)
        assert (await http.get("/healthz")).status_code == 200


async def test_a_clean_stop_does_not_wait_for_a_client_that_ignores_the_close(
    hubs: Callable[[], HubProcess],
) -> None:
    node = hubs()
    await node.start()
    # A raw WebSocket that completes the handshakes and then reads nothing, so never answers a close.
    reader, writer = await asyncio.open_connection("127.0.0.1", node.port)
    writer.write(
        b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
        + f"Host: 127.0.0.1:{node.port}\r\n".encode()
        + b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
        + b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101")
    assert b'"sid"' in await reader.read(512)  # Engine.IO's open packet
    # And a long-poll left waiting: uvicorn waits for it to answer, which takes up to the 25-second
    # ping interval (python-socketio's own shutdown runs only after the server has stopped).
    http = httpx.AsyncClient(base_url=node.url, timeout=60)
    opened = (await http.get("/socket.io/", params={"EIO": "4", "transport": "polling"})).text
    query = {"EIO": "4", "transport": "polling", "sid": json.loads(opened[1:])["sid"]}
    poll = asyncio.create_task(http.get("/socket.io/", params=query))
    await asyncio.sleep(0.5)
    assert node.process is not None
    node.process.send_signal(signal.SIGTERM)
    await asyncio.to_thread(node.process.wait, GRACEFUL_SHUTDOWN_SECONDS + 5)
    writer.close()
    with contextlib.suppress(httpx.HTTPError):
        await poll
    await http.aclose()
