"""Raise-hand fan-out: one member asks to speak; how long until every other client has heard it?

Compares the hub's whole path (validate, authorise, rule, compare-and-set commit in Redis, batched
broadcast) with a bare python-socketio room emit and with the `websockets` library's own broadcast
(`bench/bare_websockets.py`, the floor), in the same run, against the same number of the same clients.

    .venv/bin/python -m bench.fanout --clients 500 2000 3500 --rounds 5

Prints a table and, last, one JSON line. Servers run as their own processes; the clients share this one.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bench.harness import (
    Clients,
    arguments,
    bare_served,
    cpu_seconds,
    free_port,
    generate,
    hub_served,
    note,
    redis_server,
    report,
    seed,
    served,
    table,
)


@asynccontextmanager
async def websockets_served() -> AsyncIterator[tuple[str, int]]:
    """The bare `websockets` broadcast server on a free port; yields its URL and process id."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    root = str(Path(__file__).resolve().parents[1])
    command = [sys.executable, "-m", "bench.bare_websockets", "--port", str(port)]
    async with served(command, f"{url}/", root) as process:
        yield url, process.pid


async def measure(
    pid: int, clients: Clients, act: Callable[[int], Awaitable[None]], rounds: int
) -> dict[str, float]:
    lasts: list[float] = []
    firsts: list[float] = []
    deliveries: list[float] = []
    # The server's CPU per delivery is steadier than wall time on a machine doing other work too.
    cpu = 0.0
    # The clients' own CPU (this process): at one core for the load generator, reading thousands of
    # frames is itself a floor under the last delivery.
    own = 0.0
    for r in range(rounds):
        clients.seen.clear()
        clients.marker = f"round-{r}"
        start, cpu_before, own_before = time.perf_counter(), cpu_seconds(pid), time.process_time()
        await act(r)
        async with asyncio.timeout(60):
            while len(clients.seen) < len(clients.clients):
                await asyncio.sleep(0.001)
        cpu += cpu_seconds(pid) - cpu_before
        own += time.process_time() - own_before
        times = [t - start for t in clients.seen.values()]
        lasts.append(max(times))
        firsts.append(min(times))
        deliveries += times
        await asyncio.sleep(0.2)
    deliveries.sort()
    return {
        "last_delivery_ms_median": round(1000 * statistics.median(lasts), 2),
        "first_delivery_ms_median": round(1000 * statistics.median(firsts), 2),
        "p50_ms": round(1000 * deliveries[len(deliveries) // 2], 2),
        "p99_ms": round(1000 * deliveries[int(len(deliveries) * 0.99) - 1], 2),
        "cpu_us_per_delivery": round(1e6 * cpu / len(deliveries), 1),
        "client_cpu_us_per_delivery": round(1e6 * own / len(deliveries), 1),
    }


async def bench_hub(url: str, pid: int, tokens: list[str], rounds: int) -> dict[str, float]:
    clients = Clients()
    note(f"hub: connecting {len(tokens)} clients")
    await clients.connect(url, [{"token": t} for t in tokens])
    for i, c in enumerate(clients.clients):
        clients.watch(i, c, "meeting.events", b"speaker.queued")
    note("hub: joining")
    await clients.call_all("meeting.join", {})
    note("hub: measuring")
    await asyncio.sleep(1)

    async def act(r: int) -> None:
        # Each round a different member asks; the marker is their name, set just before.
        speaker = clients.clients[r]
        clients.marker = f"Member b{r:05}"
        ack = await speaker.call("speaker.request", {}, timeout=60)
        assert ack["ok"], ack

    result = await measure(pid, clients, act, rounds)
    await clients.close()
    return result


async def bench_bare(url: str, pid: int, count: int, rounds: int, name: str = "bare") -> dict[str, float]:
    """A bare server's `hand` to its room: python-socketio's (bench/bare_server.py) or `websockets`'."""
    clients = Clients()
    note(f"{name}: connecting {count} clients")
    await clients.connect(url, [None] * count)
    for i, c in enumerate(clients.clients):
        clients.watch(i, c, "hand")
    await clients.call_all("join", {})

    async def act(r: int) -> None:
        await clients.clients[r].call("hand", clients.marker, timeout=60)

    result = await measure(pid, clients, act, rounds)
    await clients.close()
    return result


async def main(counts: list[int], rounds: int) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        async with redis_server(workdir) as redis_url:
            for count in counts:
                tokens = list((await seed(redis_url, count)).values())[1:]
                async with bare_served(redis_url) as (bare_url, bare_pid):
                    baseline = await bench_bare(bare_url, bare_pid, count, rounds)
                async with websockets_served() as (ws_url, ws_pid):
                    floor = await bench_bare(ws_url, ws_pid, count, rounds, "websockets")
                async with hub_served(redis_url, workdir) as (hub_url, pid):
                    measured = await bench_hub(hub_url, pid, tokens, rounds)
                results.append(
                    {
                        "benchmark": "raise_hand_fanout",
                        "clients": count,
                        "rounds": rounds,
                        "hub": measured,
                        "bare_emit": baseline,
                        "websockets_broadcast": floor,
                        "ratio_last_delivery": round(
                            measured["last_delivery_ms_median"] / baseline["last_delivery_ms_median"], 2
                        ),
                    }
                )
    return results


def summary(results: list[dict[str, Any]]) -> str:
    columns = ["clients", "hub last (ms)", "bare last (ms)", "ratio", "hub p99 (ms)", "bare p99 (ms)"]
    columns += ["ws last, p99 (ms)", "CPU per delivery (hub, bare, ws)"]
    columns += ["clients' CPU per delivery (hub, ws)"]
    rows = [
        [
            r["clients"],
            r["hub"]["last_delivery_ms_median"],
            r["bare_emit"]["last_delivery_ms_median"],
            f"{r['ratio_last_delivery']}x",
            r["hub"]["p99_ms"],
            r["bare_emit"]["p99_ms"],
            f"{r['websockets_broadcast']['last_delivery_ms_median']}, {r['websockets_broadcast']['p99_ms']}",
            ", ".join(
                f"{r[k]['cpu_us_per_delivery']} µs" for k in ("hub", "bare_emit", "websockets_broadcast")
            ),
            ", ".join(f"{r[k]['client_cpu_us_per_delivery']} µs" for k in ("hub", "websockets_broadcast")),
        ]
        for r in results
    ]
    return table(columns, rows)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[500, 2000, 3500])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    found = generate(main(args.clients, args.rounds))
    report(found, summary)
