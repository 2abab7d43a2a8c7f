"""Vote storm: every member casts a ballot within one second, one in ten sends it twice (a retry after a
lost acknowledgement); how long from a ballot's cast until every client has seen a tally counting it?

The hub's path is the whole edge: validation, authorisation, the ballot script in Redis, the coalesced
`vote.tally` broadcast to the room, and the clients reading it. The baseline, in the same run, is the
same ballot script called directly over one pipelined Redis connection, one pipeline per 10 ms tick,
each ending with a read of the count: the floor the store sets.

    .venv/bin/python -m bench.votestorm --members 500 2000 3500

Every path must count exactly one ballot per member, however often it was sent.

In the same run each path then takes a ranked secret ballot, with the same retries (the servers with
the same clients): an election of 14 among 30 candidates, each member ranking a few of them, drawn as
`bench/count.py` draws an election's ballots. Its box knows voters by tags and keeps only a count per
distinct ranking. On the hub the chair then closes it, which counts the ballots by the single
transferable vote and sends everyone the result, and that is timed too. Prints a table for the show of
hands, one for the ranked ballot beside it and, last, one JSON line.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from importlib import resources
from statistics import mean
from typing import Any

import redis.asyncio as redis

from bench.count import ballots, names
from bench.harness import (
    SECRET,
    Clients,
    arguments,
    bare_served,
    cpu_seconds,
    generate,
    hub_served,
    note,
    redis_server,
    report,
    seed,
    table,
)
from bench.wire import LightClient
from hub.models import PollMethod
from hub.polls import SEPARATOR
from hub.service import MEMBER_BACKLOG
from hub.store import Store
from hub.tokens import BallotSeal

CHOICES = ("for", "against", "abstain")
# Ballots are spread evenly over this many seconds; every RETRY_EVERYth is sent a second time.
WINDOW = 1.0
RETRY_EVERY = 10
RETRY_AFTER = 0.05
TICK = 0.01
BARE_MEETING = "bare"
# A storm starts once the clients have had no tally for this long.
QUIET = 1.0
# The ranked secret ballot: seats among candidates, the members' rankings drawn from this seed.
CANDIDATES = 30
SEATS = 14
RANKING_SEED = 1


def rankings(count: int) -> list[list[str]]:
    """Each member's ranking of the poll's options, which the hub numbers o1, o2, ..."""
    return [[f"o{c + 1}" for c in ranking] for ranking in ballots(RANKING_SEED, CANDIDATES, count)]


def ranked_key(ranking: list[str]) -> str:
    """The ballot as the box counts it (hub/polls.py, `ballot_key`)."""
    return SEPARATOR[PollMethod.RANKED].join(ranking)


def tags(vote_id: str, members: list[str]) -> list[str]:
    """The voters as a secret ballot's box knows them (`BallotSeal`)."""
    seal = BallotSeal(SECRET)
    return [seal.tag(vote_id, member) for member in members]


def percentiles(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)

    def at(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": round(1000 * ordered[-1], 1)}


async def quiet(everyone: list[LightClient]) -> None:
    """Wait until no client has had a tally for QUIET seconds, so that a storm's last tallies, still
    on their way, are not taken for the next one's (the bare server's name no vote)."""
    last = [time.perf_counter()]
    for client in everyone:
        client.on("vote.tally", lambda _: last.__setitem__(0, time.perf_counter()), raw=True)
    while (wait := last[0] + QUIET - time.perf_counter()) > 0:
        await asyncio.sleep(wait)


async def storm(
    pid: int, count: int, everyone: list[LightClient], cast_one: Callable[[int], Awaitable[Any]]
) -> dict[str, Any]:
    """The storm itself, against server `pid` holding an open vote for `count` members: `cast_one(i)`
    sends member i's ballot and returns its ack's data (`cast`: ballots in the box once it was in)."""
    await quiet(everyone)
    # Per client, when it first saw each running total of ballots.
    seen: list[list[tuple[float, int]]] = [[] for _ in everyone]
    for index, client in enumerate(everyone):
        client.on(
            "vote.tally",
            lambda tally, mine=seen[index]: mine.append((time.perf_counter(), tally["cast"])),
        )
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


async def check_in(everyone: list[LightClient]) -> None:
    """Everyone checks in, as many at a time as the hub queues members' commands on one meeting before
    it answers `busy` (check-ins, unlike joins, take turns on the meeting's version)."""
    for start in range(0, len(everyone), MEMBER_BACKLOG):
        batch = everyone[start : start + MEMBER_BACKLOG]
        replies = await asyncio.gather(*(c.call("attendance.check_in", {}, 120, decode=False) for c in batch))
        assert all(r["ok"] for r in replies), replies


async def bench_hub(
    redis_url: str, workdir: str, count: int, ranked: list[list[str]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The show of hands on a motion, then the ranked secret ballot, with the same clients."""
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
        # Quorum counts those checked in: the chair opens the meeting and everyone checks in.
        sitting = await chair.call("meeting.set_status", {"status": "open"}, timeout=120)
        assert sitting["ok"], sitting
        note("hub: checking in")
        await check_in(clients.clients)
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
        ranked_result = await hub_ranked(pid, clients, ranked)
        await clients.close()
    return {**measured, "counted": sum(counts.values())}, ranked_result


async def hub_ranked(pid: int, clients: Clients, ranked: list[list[str]]) -> dict[str, Any]:
    """The chair asks for a ranked secret ballot, the members storm it, and the chair closes it: the
    close counts the ballots by STV before it answers, and `close_ms` is how long that took."""
    chair, members = clients.clients[0], clients.clients[1:]
    ask = {"question": "Council", "options": names(CANDIDATES), "method": "ranked", "choose": SEATS}
    asked = await chair.call("vote.ask", {**ask, "secrecy": "secret"}, timeout=120)
    assert asked["ok"], asked
    vote_id = asked["data"]["vote_id"]

    async def cast_one(i: int) -> Any:
        ack = await members[i].call("vote.cast", {"vote_id": vote_id, "choices": ranked[i]}, 120)
        # A retry is answered `already`, with the count: the box does not know its choice.
        assert ack["ok"], ack
        return ack["data"]

    note("hub: ranked storm")
    measured = await storm(pid, len(members), clients.clients, cast_one)
    # The result, with the count's every stage, goes to everyone in the `vote.closed` event.
    clients.marker = "vote.closed"
    for index, client in enumerate(clients.clients):
        clients.watch(index, client, "meeting.events", b"vote.closed")
    received = sum(c.received_bytes for c in clients.clients)
    start = time.perf_counter()
    closed = await chair.call("vote.close", {"vote_id": vote_id}, timeout=120)
    close_ms = round(1000 * (time.perf_counter() - start), 1)
    assert closed["ok"], closed
    async with asyncio.timeout(120):
        while len(clients.seen) < len(clients.clients):
            await asyncio.sleep(0.01)
    result_seen_ms = round(1000 * (max(clients.seen.values()) - start), 1)
    received = sum(c.received_bytes for c in clients.clients) - received
    result = closed["data"]["result"]
    assert len(result["chosen"]) == SEATS, result
    return {
        **measured,
        # The first preferences: one a ballot, since every ranking has one.
        "counted": sum(result["counts"].values()),
        "close_ms": close_ms,
        "result_seen_ms": result_seen_ms,
        "result_kb_each": round(received / len(clients.clients) / 1024, 1),
    }


async def bench_bare(
    redis_url: str, count: int, ranked: list[list[str]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same storms against a bare python-socketio server that only runs the ballot script through
    the hub's store, acks, and sends a tally at most every TALLY_INTERVAL (`bench/bare_server.py`): what
    this stack costs before any of the hub's own work. The ranked ballot goes into a secret box, each
    voter known by the tag the hub would give them."""
    store = Store.from_url(redis_url)
    await store.redis.flushall()
    members = [f"b{n:05}" for n in range(count)]
    await store.open_box(BARE_MEETING, "v1", False, True, dict.fromkeys(members, 1))
    voters = tags("v2", members)
    await store.open_box(BARE_MEETING, "v2", True, False, dict.fromkeys(voters, 1))
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

        async def cast_ranked(i: int) -> Any:
            ballot = {"vote_id": "v2", "member_id": voters[i], "choice": ranked_key(ranked[i])}
            ack = await clients.clients[i].call("vote", ballot, 120)
            # The bare server acks a secret ballot already in the box as not ok, with the count; only
            # the retried send twice, and the count at the end shows each counted once.
            assert ack["ok"] or i % RETRY_EVERY == 0, ack
            return ack

        note("bare: ranked storm")
        measured_ranked = await storm(pid, count, clients.clients, cast_ranked)
        await clients.close()
    counted, _ = await store.tally(BARE_MEETING, "v1")
    counted_ranked, _ = await store.tally(BARE_MEETING, "v2")
    await store.close()
    return {**measured, "counted": counted}, {**measured_ranked, "counted": counted_ranked}


async def bench_script(redis_url: str, count: int, ranked: list[list[str]] | None = None) -> dict[str, Any]:
    """The ballot script alone; with `ranked`, those rankings into a secret box, voters known by tags."""
    store = Store.from_url(redis_url)
    client = redis.Redis.from_url(redis_url)
    try:
        await store.redis.flushall()
        members = [f"b{n:05}" for n in range(count)]
        secret = ranked is not None
        voters = tags("v1", members) if secret else members
        papers = (
            [ranked_key(r) for r in ranked] if ranked is not None else [CHOICES[i % 3] for i in range(count)]
        )
        await store.open_box("bench", "v1", secret, not secret, dict.fromkeys(voters, 1))
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
                        await ballot(keys=keys, args=[voters[i], papers[i], ""], client=pipe)
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
                drawn = rankings(count)
                note(f"script: {count} ballots")
                baseline = await bench_script(redis_url, count)
                baseline_ranked = await bench_script(redis_url, count, drawn)
                bare, bare_ranked = await bench_bare(redis_url, count, drawn)
                measured, ranked = await bench_hub(redis_url, workdir, count, drawn)
                for path in (baseline, bare, measured, baseline_ranked, bare_ranked, ranked):
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
                        "ranked": {
                            "candidates": CANDIDATES,
                            "seats": SEATS,
                            "mean_ranked": round(mean(len(r) for r in drawn), 1),
                            "distinct": len({tuple(r) for r in drawn}),
                            "hub": ranked,
                            "bare_socketio": bare_ranked,
                            "lua_script": baseline_ranked,
                            "ratio_p99": round(ranked["p99_ms"] / max(baseline_ranked["p99_ms"], 0.1), 1),
                            "ratio_p99_bare": round(ranked["p99_ms"] / max(bare_ranked["p99_ms"], 0.1), 2),
                            # The ranked secret ballot against the show of hands, on the same hub.
                            "ratio_p99_hands": round(ranked["p99_ms"] / max(measured["p99_ms"], 0.1), 2),
                        },
                    }
                )
    return results


def hands_table(results: list[dict[str, Any]]) -> str:
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


def ranked_table(results: list[dict[str, Any]]) -> str:
    """The ranked secret ballot, the show of hands' hub beside it."""
    columns = [
        "members",
        "hands: hub p50, p99 (ms)",
        "ranked: hub p50, p99 (ms)",
        "bare p50, p99 (ms)",
        "script p50, p99 (ms)",
        "counted (hub, bare, script)",
        "server CPU (hub, bare)",
        "close (ms)",
        "result on every screen (ms)",
        "result (KB each)",
    ]
    rows = []
    for r in results:
        ranked = r["ranked"]
        hub, bare, script = ranked["hub"], ranked["bare_socketio"], ranked["lua_script"]
        rows.append(
            [
                r["members"],
                f"{r['hub']['p50_ms']}, {r['hub']['p99_ms']}",
                f"{hub['p50_ms']}, {hub['p99_ms']}",
                f"{bare['p50_ms']}, {bare['p99_ms']}",
                f"{script['p50_ms']}, {script['p99_ms']}",
                f"{hub['counted']}, {bare['counted']}, {script['counted']}",
                f"{hub['cpu_share']:.0%}, {bare['cpu_share']:.0%}",
                hub["close_ms"],
                hub["result_seen_ms"],
                hub["result_kb_each"],
            ]
        )
    return table(columns, rows)


def summary(results: list[dict[str, Any]]) -> str:
    return (
        f"{hands_table(results)}\n\nRanked secret ballot, {SEATS} of {CANDIDATES}:\n\n{ranked_table(results)}"
    )


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--members", type=int, nargs="+", default=[500, 2000, 3500])
    args = parser.parse_args()
    found = generate(main(args.members))
    report(found, summary)
