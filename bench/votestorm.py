"""Vote storm: every member casts a ballot within one second, one in ten sends it twice (a retry after a
lost acknowledgement); how long from a ballot's cast until every client has seen a tally counting it?

The hub's path is the whole edge: validation, authorisation, the ballot script in Redis, the coalesced
`vote.tally` broadcast to the room, and the clients reading it. The baseline, in the same run, is the
same ballot script called directly over one pipelined Redis connection, one pipeline per 10 ms tick,
each ending with a read of the count: the floor the store sets.

    .venv/bin/python -m bench.votestorm --members 500 2000 3500

Both paths must count exactly one ballot per member, however often it was sent. Prints a table and,
last, one JSON line.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

import redis.asyncio as redis
import uvloop

from bench.harness import (
    Clients,
    arguments,
    bare_served,
    cpu_seconds,
    hub_served,
    note,
    redis_server,
    report,
    seed,
    table,
)
from bench.wire import LightClient
from hub.store import Store

CHOICES = ("for", "against", "abstain")
# Ballots are spread evenly over this many seconds; every RETRY_EVERYth is sent a second time.
WINDOW = 1.0
RETRY_EVERY = 10
RETRY_AFTER = 0.05
TICK = 0.01
BARE_MEETING = "bare"


def percentiles(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)

    def at(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": round(1000 * ordered[-1], 1)}


async def storm(
    pid: int, count: int, everyone: list[LightClient], cast_one: Callable[[int], Awaitable[Any]]
) -> dict[str, Any]:
    """The storm itself, against server `pid` holding an open vote for `count` members: `cast_one(i)`
    sends member i's ballot and returns its ack's data (`cast`: ballots in the box once it was in)."""
    # Per client, when it first saw each running total of ballots.
    seen: list[list[tuple[float, int]]] = [[] for _ in everyone]
    for index, client in enumerate(everyone):
        client.on(
            "vote.tally",
            lambda tally, mine=seen[index]: mine.append((time.perf_counter(), tally["cast"])),
        )
    await asyncio.sleep(1)
    cpu_before, wall_before, own_before = cpu_seconds(pid), time.perf_counter(), time.process_time()
    sent: dict[int, float] = {}
    totals: dict[int, int] = {}

    async def cast(i: int, delay: float) -> None:
        await asyncio.sleep(delay)
        sent.setdefault(i, time.perf_counter())
        ack = await cast_one(i)
        totals[i] = min(totals.get(i, ack["cast"]), ack["cast"])

    casts = [cast(i, WINDOW * i / count) for i in range(count)]
    retries = [cast(i, WINDOW * i / count + RETRY_AFTER) for i in range(0, count, RETRY_EVERY)]
    await asyncio.gather(*casts, *retries)
    async with asyncio.timeout(120):
        while any(not s or s[-1][1] < count for s in seen):
            await asyncio.sleep(0.01)
    # How busy the server was from the first ballot until every client had the final count.
    wall = time.perf_counter() - wall_before
    server_cpu = (cpu_seconds(pid) - cpu_before) / wall
    # The load generator's own share of its core: near 1, it and not the server sets the latencies.
    client_cpu = (time.process_time() - own_before) / wall

    def seen_by_all(total: int) -> float:
        return max(next(t for t, cast in s if cast >= total) for s in seen)

    latencies = [seen_by_all(totals[i]) - sent[i] for i in range(count)]
    return {
        **percentiles(latencies),
        "tallies_seen": len(seen[0]),
        "cpu_share": round(server_cpu, 2),
        "client_cpu_share": round(client_cpu, 2),
    }


async def bench_hub(redis_url: str, workdir: str, count: int) -> dict[str, Any]:
    tokens = await seed(redis_url, count)
    async with hub_served(redis_url, workdir) as (url, pid):
        clients = Clients()
        note(f"hub: connecting {count + 1} clients")
        await clients.connect(url, [{"token": t} for t in tokens.values()])
        chair, members = clients.clients[0], clients.clients[1:]
        motions: list[str] = []
        chair.on(
            "meeting.events",
            lambda batch: motions.extend(
                e["data"]["motion_id"] for e in batch if e["type"] == "motion.submitted"
            ),
            b"motion.submitted",
        )
        note("hub: joining")
        await clients.call_all("meeting.join", {})
        submitted = await members[0].call(
            "motion.submit", {"title": "Storm", "text": "That we vote."}, timeout=120
        )
        assert submitted["ok"], submitted
        async with asyncio.timeout(120):
            while not motions:
                await asyncio.sleep(0.01)
        seconded = await members[1].call("motion.second", {"motion_id": motions[0]}, timeout=120)
        assert seconded["ok"], seconded
        subject = {"kind": "motion", "motion_id": motions[0]}
        opened = await chair.call("vote.open", {"subject": subject}, timeout=120)
        assert opened["ok"], opened
        vote_id = opened["data"]["vote_id"]

        async def cast_one(i: int) -> Any:
            ack = await members[i].call("vote.cast", {"vote_id": vote_id, "choice": CHOICES[i % 3]}, 120)
            assert ack["ok"], ack
            return ack["data"]

        note("hub: storm")
        measured = await storm(pid, count, clients.clients, cast_one)
        closed = await chair.call("vote.close", {"vote_id": vote_id}, timeout=120)
        assert closed["ok"], closed
        counts = closed["data"]["result"]["counts"]
        await clients.close()
    return {**measured, "counted": sum(counts.values())}


async def bench_bare(redis_url: str, count: int) -> dict[str, Any]:
    """The same storm against a bare python-socketio server that only runs the ballot script through
    the hub's store, acks, and sends a tally at most every TALLY_INTERVAL (`bench/bare_server.py`): what
    this stack costs before any of the hub's own work."""
    store = Store.from_url(redis_url)
    await store.redis.flushall()
    members = [f"b{n:05}" for n in range(count)]
    await store.open_box(BARE_MEETING, "v1", False, True, dict.fromkeys(members, 1))
    async with bare_served(redis_url) as (url, pid):
        clients = Clients()
        note(f"bare: connecting {count} clients")
        await clients.connect(url, [None] * count)
        await clients.call_all("join", {})

        async def cast_one(i: int) -> Any:
            ballot = {"vote_id": "v1", "member_id": members[i], "choice": CHOICES[i % 3]}
            ack = await clients.clients[i].call("vote", ballot, 120)
            assert ack["ok"], ack
            return ack

        note("bare: storm")
        measured = await storm(pid, count, clients.clients, cast_one)
        await clients.close()
    counted, _ = await store.tally(BARE_MEETING, "v1")
    await store.close()
    return {**measured, "counted": counted}


async def bench_script(redis_url: str, count: int) -> dict[str, Any]:
    store = Store.from_url(redis_url)
    client = redis.Redis.from_url(redis_url)
    try:
        await store.redis.flushall()
        members = [f"b{n:05}" for n in range(count)]
        await store.open_box("bench", "v1", False, True, dict.fromkeys(members, 1))
        keys = store._box("bench", "v1")
        ballot = client.register_script(resources.files("hub").joinpath("lua/cast.lua").read_text())
        # (due time, member index), the retries among them, in the order they fall due.
        schedule = sorted(
            [(WINDOW * i / count, i) for i in range(count)]
            + [(WINDOW * i / count + RETRY_AFTER, i) for i in range(0, count, RETRY_EVERY)]
        )
        sent: dict[int, float] = {}
        latencies: dict[int, float] = {}
        start = time.perf_counter()
        position = 0
        while position < len(schedule):
            now = time.perf_counter() - start
            due = []
            while position < len(schedule) and schedule[position][0] <= now:
                due.append(schedule[position][1])
                position += 1
            if due:
                async with client.pipeline(transaction=False) as pipe:
                    for i in due:
                        sent.setdefault(i, start + now)
                        await ballot(keys=keys, args=[members[i], CHOICES[i % 3], ""], client=pipe)
                    pipe.hget(keys[0], "cast")
                    await pipe.execute()
                done = time.perf_counter()
                for i in due:
                    latencies.setdefault(i, done - sent[i])
            await asyncio.sleep(TICK)
        counted = int(await client.hget(keys[0], "cast") or 0)
    finally:
        await client.aclose()
        await store.close()
    return {**percentiles(list(latencies.values())), "counted": counted}


async def main(counts: list[int]) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        async with redis_server(workdir) as redis_url:
            for count in counts:
                note(f"script: {count} ballots")
                baseline = await bench_script(redis_url, count)
                bare = await bench_bare(redis_url, count)
                measured = await bench_hub(redis_url, workdir, count)
                for path in (baseline, bare, measured):
                    assert path["counted"] == count, f"{path['counted']} ballots counted for {count} members"
                results.append(
                    {
                        "benchmark": "vote_storm",
                        "members": count,
                        "retries": len(range(0, count, RETRY_EVERY)),
                        "hub": measured,
                        "bare_socketio": bare,
                        "lua_script": baseline,
                        "ratio_p99": round(measured["p99_ms"] / max(baseline["p99_ms"], 0.1), 1),
                        "ratio_p99_bare": round(measured["p99_ms"] / max(bare["p99_ms"], 0.1), 2),
                    }
                )
    return results


def summary(results: list[dict[str, Any]]) -> str:
    columns = ["members", "hub p50, p99 (ms)", "bare p50, p99 (ms)", "script p50, p99 (ms)"]
    rows = [
        [
            r["members"],
            f"{r['hub']['p50_ms']}, {r['hub']['p99_ms']}",
            f"{r['bare_socketio']['p50_ms']}, {r['bare_socketio']['p99_ms']}",
            f"{r['lua_script']['p50_ms']}, {r['lua_script']['p99_ms']}",
            f"{r['hub']['counted']}, {r['bare_socketio']['counted']}, {r['lua_script']['counted']}",
            f"{r['hub']['cpu_share']:.0%}, {r['bare_socketio']['cpu_share']:.0%}",
        ]
        for r in results
    ]
    return table([*columns, "counted (hub, bare, script)", "server CPU (hub, bare)"], rows)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--members", type=int, nargs="+", default=[500, 2000, 3500])
    args = parser.parse_args()
    found = uvloop.run(main(args.members))
    report(found, summary)
