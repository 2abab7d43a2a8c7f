"""`hub serve --workers 2`: two processes on one port sharing Redis. Members over WebSocket, long-polling
and polling upgraded to WebSocket see each other and one vote's tally, whichever worker holds them;
both workers serve; SIGTERM stops them all within the bound; a worker killed with SIGKILL has its
members swept and is replaced."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import subprocess
import warnings
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.cli import GRACEFUL_SHUTDOWN_SECONDS
from hub.config import Settings
from hub.models import Branch, Meeting, Member, Quorum, Role, StandingOrders
from hub.runtime import open_hub
from tests.client import MeetingClient, until
from tests.conftest import HUB, HubProcess, free_port, hub_env

SECRET = "workers-secret"
WEBSOCKET, POLLING, UPGRADING = 20, 5, 3


async def seat_tokens(redis_url: str, count: int) -> dict[str, str]:
    """A meeting with a chair and `count` members; join tokens by member id, the chair's first."""
    async with open_hub(Settings(redis_url=redis_url, secret=SECRET)) as service:
        roles = {"chair": Role.CHAIR} | {f"w{n:03}": Role.MEMBER for n in range(count)}
        for member_id in roles:
            await service.save_member(Member(id=member_id, name=f"Member {member_id}"))
        await service.save_branch(Branch(id="wb", name="Workers branch", roles=roles))
        await service.create_meeting(
            Meeting(
                id="wm",
                branch_id="wb",
                title="Workers",
                starts_at=datetime.now(UTC),
                time_zone="UTC",
                # About workers, not attendance: no quorum of members checked in to reach first.
                standing_orders=StandingOrders(quorum=Quorum(value=0)),
            )
        )
        return {m: await service.issue_link(m, "wm", timedelta(hours=1)) for m in roles}


@pytest.fixture
async def workers(redis_url: str, tmp_path: Path) -> AsyncIterator[tuple[HubProcess, dict[str, str]]]:
    tokens = await seat_tokens(redis_url, WEBSOCKET + POLLING + UPGRADING - 1)
    process = HubProcess(
        tmp_path,
        free_port(),
        "--redis-url",
        redis_url,
        "--workers",
        "2",
        "--connections-per-address",
        "1000",
        env=hub_env(HUB_SECRET=SECRET),
    )
    try:
        await process.start()
        await both_serving(process)
        yield process, tokens
    finally:
        assert process.process is not None
        if process.process.poll() is None:
            process.stop()


async def both_serving(process: HubProcess) -> None:
    """Until fresh connections have been answered by both workers (they start in their own time)."""
    answered = set()
    # Generous: a worker takes seconds to start on a busy machine.
    async with asyncio.timeout(60):
        while answered != {1, 2}:
            async with httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0)) as http:
                try:
                    response = await http.get(f"{process.url}/healthz")
                except httpx.TransportError:
                    continue
                if response.status_code == 200:
                    answered.add(response.json()["worker"])


def worker_pids(supervisor: int) -> dict[int, int]:
    """The supervisor's children by worker number (the last argument of their command line)."""
    pids = []
    for task in os.listdir(f"/proc/{supervisor}/task"):
        with open(f"/proc/{supervisor}/task/{task}/children") as children:
            pids += [int(p) for p in children.read().split()]
    found = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                found[int(cmdline.read().rstrip(b"\0").split(b"\0")[-1])] = pid
        except (FileNotFoundError, ValueError):
            pass  # Gone meanwhile, or not a worker.
    return found


async def leave(clients: list[MeetingClient]) -> None:
    """Disconnects every client. python-engineio's polling client can drop an aiohttp connection
    without closing it as it disconnects (with one process as with two): it is collected here, with
    its warning, rather than in whichever test runs next."""
    await asyncio.gather(*(c.disconnect() for c in clients))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def running(pid: int) -> bool:
    return os.path.exists(f"/proc/{pid}")


def worker_of(client: MeetingClient) -> int:
    """The worker holding a client's session: its sid starts with the worker's number."""
    sid: str = client.sio.eio.sid
    return int(sid.split(".", 1)[0])


async def connect(client: MeetingClient, transports: list[str]) -> None:
    await client.sio.connect(client.url, auth={"token": client.token}, transports=transports, wait_timeout=10)


async def seat(process: HubProcess, tokens: dict[str, str]) -> list[MeetingClient]:
    """Everyone connected and joined: the chair and the first members over WebSocket, then members
    over long-polling only, then members that start on polling and upgrade."""
    clients = [MeetingClient(process.url, token) for token in tokens.values()]
    kinds = [["websocket"]] * WEBSOCKET + [["polling"]] * POLLING + [["polling", "websocket"]] * UPGRADING
    await asyncio.gather(*(connect(c, kind) for c, kind in zip(clients, kinds, strict=True)))
    await asyncio.gather(*(c.join(timeout=30) for c in clients))
    everyone = set(tokens)
    await settle(clients, lambda c: c.present() == everyone)
    return clients


async def settle(
    clients: list[MeetingClient], done: Callable[[MeetingClient], bool], timeout: float = 30
) -> None:
    """Until `done` holds for every client. Batches from two workers may arrive out of order: a client
    that saw a gap asks for what it missed, as the browser does."""

    async def one(client: MeetingClient) -> None:
        while not done(client):
            if client.gaps:
                async with client.sync_lock:
                    client.early = []
                    client.catch_up(await client.ok("meeting.sync", {"since": client.version}, timeout=30))
                    client.gaps = 0
                continue
            with contextlib.suppress(TimeoutError):
                await client.wait_until(lambda c: done(c) or c.gaps > 0, timeout=1)

    async with asyncio.timeout(timeout):
        await asyncio.gather(*(one(c) for c in clients))


async def test_two_workers_serve_one_meeting_over_websocket_and_polling(
    workers: tuple[HubProcess, dict[str, str]],
) -> None:
    process, tokens = workers
    assert process.process is not None
    assert set(worker_pids(process.process.pid)) == {1, 2}
    clients = await seat(process, tokens)
    chair, members = clients[0], clients[1:]
    # Both workers hold sessions, and each client's transport is the one it asked for.
    assert {worker_of(c) for c in clients} == {1, 2}
    assert {c.sio.transport() for c in clients[WEBSOCKET : WEBSOCKET + POLLING]} == {"polling"}
    assert {c.sio.transport() for c in clients[:WEBSOCKET]} == {"websocket"}
    await until(lambda: {c.sio.transport() for c in clients[WEBSOCKET + POLLING :]} == {"websocket"})
    tallies: dict[int, list[dict[str, Any]]] = {n: [] for n in range(len(clients))}
    for n, client in enumerate(clients):
        client.sio.on("vote.tally", tallies[n].append)
    await members[0].ok("motion.submit", {"title": "Two workers", "text": "We want more cores."}, timeout=30)
    await settle([chair], lambda c: bool(c.meeting and c.meeting["motions"]))
    motion_id = chair.meeting["motions"][0]["id"]  # type: ignore[index]
    await members[1].ok("motion.second", {"motion_id": motion_id}, timeout=30)
    subject = {"kind": "motion", "motion_id": motion_id}
    vote_id = (await chair.ok("vote.open", {"subject": subject}, timeout=30))["vote_id"]
    choices = ["for", "against", "abstain"]
    await asyncio.gather(
        *(
            m.ok("vote.cast", {"vote_id": vote_id, "choice": choices[n % 3]}, timeout=30)
            for n, m in enumerate(members)
        )
    )
    expected = {c: sum(1 for n in range(len(members)) if choices[n % 3] == c) for c in choices}

    def counted(n: int) -> bool:
        return any(t["vote_id"] == vote_id and t.get("counts") == expected for t in tallies[n])

    # Every client, on either worker and either transport, sees the whole tally live.
    await until(lambda: all(counted(n) for n in tallies), timeout=30)
    await chair.ok("vote.close", {"vote_id": vote_id}, timeout=30)

    def closed(c: MeetingClient) -> bool:
        return bool(c.meeting and c.meeting["votes"] and c.meeting["votes"][0]["status"] == "closed")

    await settle(clients, closed)
    assert all(c.meeting["votes"][0]["result"]["counts"] == expected for c in clients)  # type: ignore[index]
    assert all(c.meeting == chair.meeting for c in clients)
    await leave(clients)


async def test_sigterm_stops_every_worker_within_the_bound(
    workers: tuple[HubProcess, dict[str, str]],
) -> None:
    process, tokens = workers
    assert process.process is not None
    pids = worker_pids(process.process.pid)
    clients = [MeetingClient(process.url, token) for token in list(tokens.values())[:6]]
    await asyncio.gather(
        *(connect(c, ["websocket"] if n % 2 else ["polling"]) for n, c in enumerate(clients))
    )
    await asyncio.gather(*(c.join(timeout=30) for c in clients))
    process.process.send_signal(signal.SIGTERM)
    await asyncio.to_thread(process.process.wait, GRACEFUL_SHUTDOWN_SECONDS + 5)
    assert process.process.returncode == 0
    for pid in pids.values():
        assert not running(pid)
    await leave(clients)


async def test_a_killed_worker_has_its_members_swept_and_is_replaced(
    workers: tuple[HubProcess, dict[str, str]],
) -> None:
    process, tokens = workers
    assert process.process is not None
    clients = [MeetingClient(process.url, token) for token in list(tokens.values())[:12]]
    await asyncio.gather(
        *(connect(c, ["websocket"] if n % 3 else ["polling"]) for n, c in enumerate(clients))
    )
    await asyncio.gather(*(c.join(timeout=30) for c in clients))
    member_of = {c.token: m for m, c in zip(tokens, clients, strict=False)}
    on = {w: [c for c in clients if worker_of(c) == w] for w in (1, 2)}
    assert on[1] and on[2], "twelve connections all reached one worker"
    # Over WebSocket, which stays on worker 1: a polling client's request may reach the worker killed
    # below and be lost with it (a browser then reconnects; this client would wait for a reply).
    watcher = next((c for c in on[1] if c.sio.transport() == "websocket"), None)
    assert watcher is not None, "no WebSocket connection reached worker 1"
    await settle([watcher], lambda c: c.present() == set(member_of.values()))

    old = worker_pids(process.process.pid)
    os.kill(old[2], signal.SIGKILL)
    # Worker 2, started again under its name, sweeps its previous life's sessions; had it not come back,
    # worker 1 would have swept them once its heartbeat (10 s) expired.
    survivors = {member_of[c.token] for c in on[1]}
    await settle([watcher], lambda c: c.present() == survivors, timeout=60)
    async with open_hub(Settings(redis_url=_redis_url(process), secret=SECRET)) as service:
        swept = [e for e in await service.store.event_log("wm") if e["type"] == "participants.swept"]
        assert [e["data"]["node"] for e in swept] == [Settings(port=process.port, worker=2).node]
        assert sorted(swept[0]["data"]["member_ids"]) == sorted(member_of[c.token] for c in on[2])

    # The supervisor starts worker 2 again, and it serves.
    supervisor = process.process.pid
    await until(lambda: worker_pids(supervisor).get(2, old[2]) != old[2], timeout=60)
    await both_serving(process)
    await leave(on[1])


def _redis_url(process: HubProcess) -> str:
    return process.args[process.args.index("--redis-url") + 1]


def test_workers_need_a_shared_store(tmp_path: Path) -> None:
    result = subprocess.run(
        [*HUB, "serve", "--workers", "2", "--port", str(free_port()), "--data-dir", str(tmp_path)],
        env=hub_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--workers above 1 needs --redis-url" in result.stderr
