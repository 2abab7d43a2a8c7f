"""`hub serve --workers N`: the CPU each worker spends per join and per delivery, for N = 1 and 2 on the
same storms. If a worker's cost per join and per delivery does not grow with N, throughput grows with
the cores given to the workers; a 2-core machine (one core for the hub, one for the load) cannot show
that directly, so every worker here shares the hub's one core and the figure is CPU, not wall time.

Each run seeds a meeting, starts `hub serve --workers N` (the supervisor and its workers pinned to the
first core), connects every member over WebSocket (the kernel spreads the connections over the workers)
and has all join at once; then a member asks to speak, `--rounds` times, and every member must see it
(one `meeting.events` to the whole room, published through Redis to every worker). CPU comes from /proc
for each worker; joins and deliveries per worker from the sessions the store records (`NODE/SID`).

    .venv/bin/python -m bench.workers --workers 1 2 --members 500 2000

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from typing import Any

import httpx

from bench.harness import (
    SECRET,
    Clients,
    arguments,
    children,
    cpu_seconds,
    generate,
    hub_served,
    note,
    redis_server,
    report,
    seed,
    table,
)
from hub.config import Settings
from hub.runtime import open_hub


async def all_serving(url: str, workers: int) -> None:
    """Until fresh connections have been answered by every worker (each starts in its own time)."""
    if workers == 1:
        return
    answered: set[int] = set()
    async with asyncio.timeout(120):
        while len(answered) < workers:
            async with httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0)) as http:
                try:
                    reply = await http.get(f"{url}/healthz")
                except httpx.TransportError:
                    continue
                if reply.status_code == 200:
                    answered.add(reply.json()["worker"])


async def sessions_per_node(redis_url: str) -> Counter[str]:
    async with open_hub(Settings(redis_url=redis_url, secret=SECRET)) as hub:
        _, meeting = await hub.meeting("bench")
    return Counter(s.split("/", 1)[0] for p in meeting.participants.values() for s in p.sessions)


def cpu(pids: list[int]) -> list[float]:
    return [cpu_seconds(pid) for pid in pids]


async def run(redis_url: str, workdir: str, workers: int, count: int, rounds: int) -> dict[str, Any]:
    tokens = list((await seed(redis_url, count)).values())[1:]
    async with hub_served(redis_url, workdir, workers) as (url, pid):
        await all_serving(url, workers)
        pids = children(pid) if workers > 1 else [pid]
        clients = Clients()
        note(f"{workers} worker(s): {count} members connect and join")
        before, start = cpu(pids), time.perf_counter()
        await clients.connect(url, [{"token": t} for t in tokens])
        await clients.call_all("meeting.join", {})
        joined_s = time.perf_counter() - start
        join_cpu = [after - b for after, b in zip(cpu(pids), before, strict=True)]
        held = [n for _, n in sorted((await sessions_per_node(redis_url)).items())]
        for i, c in enumerate(clients.clients):
            clients.watch(i, c, "meeting.events", b"speaker.queued")
        await asyncio.sleep(1)
        note(f"{workers} worker(s): {rounds} events to {count} members")
        fanout_cpu = [0.0] * len(pids)
        for r in range(rounds):
            clients.seen.clear()
            clients.marker = f"Member b{r:05}"
            before = cpu(pids)
            ack = await clients.clients[r].call("speaker.request", {}, timeout=60)
            assert ack["ok"], ack
            async with asyncio.timeout(60):
                while len(clients.seen) < len(clients.clients):
                    await asyncio.sleep(0.001)
            fanout_cpu = [f + after - b for f, after, b in zip(fanout_cpu, cpu(pids), before, strict=True)]
            await asyncio.sleep(0.2)
        await clients.close()
    return {
        "workers": workers,
        "members": count,
        "sessions_per_worker": held,
        "join_s": round(joined_s, 2),
        "join_cpu_s_per_worker": [round(c, 2) for c in join_cpu],
        "cpu_ms_per_join": round(1000 * sum(join_cpu) / count, 2),
        "cpu_us_per_delivery": round(1e6 * sum(fanout_cpu) / (rounds * count), 1),
        "fanout_cpu_s_per_worker": [round(c, 3) for c in fanout_cpu],
    }


async def main(workers: list[int], counts: list[int], rounds: int) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        async with redis_server(workdir) as redis_url:
            for count in counts:
                for n in workers:
                    results.append(await run(redis_url, workdir, n, count, rounds))
    return results


def summary(results: list[dict[str, Any]]) -> str:
    columns = [
        "members",
        "workers",
        "sessions per worker",
        "join storm s",
        "CPU ms per join (all workers)",
        "join CPU s per worker",
        "CPU µs per delivery (all workers)",
        "fan-out CPU s per worker",
    ]
    rows = [
        [
            r["members"],
            r["workers"],
            " / ".join(map(str, r["sessions_per_worker"])),
            r["join_s"],
            r["cpu_ms_per_join"],
            " / ".join(map(str, r["join_cpu_s_per_worker"])),
            r["cpu_us_per_delivery"],
            " / ".join(map(str, r["fanout_cpu_s_per_worker"])),
        ]
        for r in results
    ]
    return table(columns, rows)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--members", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    report(generate(main(args.workers, args.members, args.rounds)), summary)
