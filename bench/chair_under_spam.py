"""The chair under a flood: how long the chair's command waits for its ack in a big room, idle and
while members flood the meeting as fast as they can.

Each spammer sends `chat.send` (or, with `--flood hands`, raises and lowers a hand: ordinary business
under the general rate only) without waiting for acks, faster than the rate limits allow (the hub
refuses the excess as `rate_limited`, and members' commands beyond the meeting's backlog as `busy`);
the chair meanwhile closes and reopens the speaker list every 0.2 s. The idle figure is the same
chair, same room, before the flood, in the same run.

    .venv/bin/python -m bench.chair_under_spam --members 1000 --spammers 20 --seconds 10 [--flood hands]

Prints a table and, last, one JSON line. The hub runs as its own process; the crowd shares this one,
and the chair has a process of its own, so that the crowd's own load on the load generator (a thousand
clients reading every chat batch) does not count as the chair's wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from typing import Any

import uvloop

from bench.harness import (
    Clients,
    arguments,
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

# Each spammer tries this many messages a second: well over the hub's limit of 20.
SPAM_RATE = 50
CHAIR_INTERVAL = 0.2


async def chair_acks(chair: LightClient, seconds: float) -> list[float]:
    """The chair's commands for `seconds`, one every CHAIR_INTERVAL: each one's time to its ack."""
    latencies = []
    deadline = time.perf_counter() + seconds
    close = True
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        ack = await chair.call("speaker.close_list" if close else "speaker.reopen_list", {}, 60, False)
        latencies.append(time.perf_counter() - start)
        assert ack["ok"], ack
        close = not close
        await asyncio.sleep(max(0.0, CHAIR_INTERVAL - latencies[-1]))
    return latencies


def flood_event(kind: str, n: int, count: int) -> tuple[str, dict[str, Any]]:
    """The flood's next event: a chat message, or a hand raised and lowered (ordinary business, under
    the general rate only)."""
    if kind == "chat":
        return "chat.send", {"text": f"spam {n}.{count}"}
    return ("speaker.request" if count % 2 else "speaker.withdraw"), {}


async def spam(client: LightClient, n: int, kind: str, stop: asyncio.Event, sent: list[int]) -> None:
    """The flood as fast as SPAM_RATE, never waiting for an ack (the acks are read and dropped)."""
    pending: set[asyncio.Task[Any]] = set()
    count = 0
    while not stop.is_set():
        count += 1
        task = asyncio.create_task(client.call(*flood_event(kind, n, count), 60, False))
        pending.add(task)
        task.add_done_callback(pending.discard)
        sent[0] += 1
        await asyncio.sleep(1 / SPAM_RATE)
    for task in list(pending):
        with contextlib.suppress(Exception):
            await task


def stats(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "commands": len(ordered),
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "max_ms": round(1000 * ordered[-1], 1),
    }


async def chair_process(url: str, token: str, seconds: float) -> list[float]:
    """The chair's loop in a process of its own; its latencies come back as JSON on stdout."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.chair_under_spam",
        "--chair",
        url,
        token,
        str(seconds),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0, "the chair's process failed"
    latencies: list[float] = json.loads(out)
    return latencies


async def chair_alone(url: str, token: str, seconds: float) -> None:
    chair = LightClient()
    await chair.connect(url, {"token": token})
    assert (await chair.call("meeting.join", {}, 60, False))["ok"]
    latencies = await chair_acks(chair, seconds)
    await chair.disconnect()
    print(json.dumps(latencies))


async def main(members: int, spammers: int, seconds: float, kind: str) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as workdir:
        async with redis_server(workdir) as redis_url:
            tokens = await seed(redis_url, members)
            async with hub_served(redis_url, workdir) as (url, pid):
                clients = Clients()
                note(f"connecting {len(tokens)} clients")
                await clients.connect(url, [{"token": t} for t in tokens.values()])
                note("joining")
                await clients.call_all("meeting.join", {})
                crowd = clients.clients[1:]
                chair_token = tokens["chair"]
                await asyncio.sleep(1)
                note("idle")
                idle = stats(await chair_process(url, chair_token, seconds))
                note(f"{spammers} members flooding ({kind})")
                stop, sent = asyncio.Event(), [0]
                cpu_before, wall_before = cpu_seconds(pid), time.perf_counter()
                flood = [
                    asyncio.create_task(spam(c, n, kind, stop, sent)) for n, c in enumerate(crowd[:spammers])
                ]
                await asyncio.sleep(1)
                attacked = stats(await chair_process(url, chair_token, seconds))
                stop.set()
                await asyncio.gather(*flood)
                cpu, wall = cpu_seconds(pid) - cpu_before, time.perf_counter() - wall_before
                await clients.close()
    return [
        {
            "benchmark": "chair_under_spam",
            "members": members,
            "spammers": spammers,
            "flood": kind,
            "seconds": seconds,
            "events_tried": sent[0],
            "idle": idle,
            "under_spam": attacked,
            "server_cpu_share_under_spam": round(cpu / wall, 2),
        }
    ]


def summary(results: list[dict[str, Any]]) -> str:
    columns = ["members", "flood", "spammers", "chair p50 idle (ms)", "chair p95 idle (ms)"]
    columns += ["chair p50 under spam (ms)", "chair p95 under spam (ms)", "max (ms)", "server CPU"]
    rows = [
        [
            r["members"],
            r["flood"],
            r["spammers"],
            r["idle"]["p50_ms"],
            r["idle"]["p95_ms"],
            r["under_spam"]["p50_ms"],
            r["under_spam"]["p95_ms"],
            r["under_spam"]["max_ms"],
            f"{round(100 * r['server_cpu_share_under_spam'])} %",
        ]
        for r in results
    ]
    return table(columns, rows)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--chair"]:
        uvloop.run(chair_alone(sys.argv[2], sys.argv[3], float(sys.argv[4])))
        sys.exit(0)
    parser = arguments(__doc__)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--spammers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--flood", choices=["chat", "hands"], default="chat")
    args = parser.parse_args()
    found = generate(main(args.members, args.spammers, args.seconds, args.flood))
    report(found, summary)
