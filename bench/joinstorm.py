"""Join storm: every member connects and joins at once (a hundred at a time in flight); how long until
all of them hold the meeting's state?

The hub's path is the whole edge: the join link checked at connect, then `meeting.join` (the rule, the
compare-and-set commit, the snapshot in the reply, the `participant.joined` broadcast to everyone
already in the room). The baseline, in the same run, is a bare python-socketio server whose connect
and join handlers do nothing but enter the room and ack (`bench/bare_server.py`).

    .venv/bin/python -m bench.joinstorm --members 500 2000

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from typing import Any

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


async def storm(pid: int, url: str, auths: list[dict[str, str] | None], join: str) -> dict[str, Any]:
    clients = Clients()
    cpu_before, start = cpu_seconds(pid), time.perf_counter()
    await clients.connect(url, auths)
    connected = time.perf_counter()
    await clients.call_all(join, {})
    joined = time.perf_counter()
    cpu = cpu_seconds(pid) - cpu_before
    await clients.close()
    return {
        "connect_s": round(connected - start, 2),
        "join_s": round(joined - connected, 2),
        "total_s": round(joined - start, 2),
        "cpu_share": round(cpu / (joined - start), 2),
    }


async def main(counts: list[int]) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        async with redis_server(workdir) as redis_url:
            for count in counts:
                tokens = list((await seed(redis_url, count)).values())[1:]
                note(f"bare: {count} members")
                async with bare_served(redis_url) as (bare_url, bare_pid):
                    baseline = await storm(bare_pid, bare_url, [None] * count, "join")
                note(f"hub: {count} members")
                async with hub_served(redis_url, workdir) as (url, pid):
                    measured = await storm(pid, url, [{"token": t} for t in tokens], "meeting.join")
                results.append(
                    {
                        "benchmark": "join_storm",
                        "members": count,
                        "hub": measured,
                        "bare_socketio": baseline,
                        "ratio": round(measured["total_s"] / baseline["total_s"], 2),
                    }
                )
    return results


def summary(results: list[dict[str, Any]]) -> str:
    columns = ["members", "hub: connect, join, total (s)", "bare: connect, join, total (s)", "ratio"]
    columns += ["server CPU (hub, bare)"]
    rows = [
        [
            r["members"],
            f"{r['hub']['connect_s']}, {r['hub']['join_s']}, {r['hub']['total_s']}",
            ", ".join(str(r["bare_socketio"][k]) for k in ("connect_s", "join_s", "total_s")),
            f"{r['ratio']}x",
            f"{r['hub']['cpu_share']:.0%}, {r['bare_socketio']['cpu_share']:.0%}",
        ]
        for r in results
    ]
    return table(columns, rows)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--members", type=int, nargs="+", default=[500, 2000])
    args = parser.parse_args()
    found = asyncio.run(main(args.members))
    report(found, summary)
