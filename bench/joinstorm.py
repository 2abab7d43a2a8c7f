"""Join storm: every member connects and joins at once (a hundred at a time in flight); how long until
all of them hold the meeting's state?

The hub's path is the whole edge: the join link checked at connect, then `meeting.join` (the rule, the
commit of one participant entry, the snapshot in the reply: past `--crowd-above`, the crowd view, and
coalesced counts to the room instead of a `participant.joined` to everyone). The baseline, in the same
run, is a bare python-socketio server whose connect and join handlers do nothing but enter the room and
ack (`bench/bare_server.py`). Each side also reports the bytes each joiner received over the storm.

    .venv/bin/python -m bench.joinstorm --members 500 2000 3500

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
    generate,
    hub_served,
    note,
    redis_server,
    report,
    seed,
    table,
)

SETTLE_SECONDS = 2.0


async def storm(pid: int, url: str, auths: list[dict[str, str] | None], join: str) -> dict[str, Any]:
    clients = Clients()
    cpu_before, start = cpu_seconds(pid), time.perf_counter()
    await clients.connect(url, auths)
    connected = time.perf_counter()
    await clients.call_all(join, {})
    joined = time.perf_counter()
    cpu = cpu_seconds(pid) - cpu_before
    # What each joiner received, once the broadcasts the storm caused have settled.
    await asyncio.sleep(SETTLE_SECONDS)
    received = sorted(c.received_bytes for c in clients.clients)
    await clients.close()
    return {
        "connect_s": round(connected - start, 2),
        "join_s": round(joined - connected, 2),
        "total_s": round(joined - start, 2),
        "cpu_share": round(cpu / (joined - start), 2),
        "kb_per_joiner_mean": round(sum(received) / len(received) / 1000, 1),
        "kb_per_joiner_max": round(received[-1] / 1000, 1),
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
    columns += ["server CPU (hub, bare)", "KB each joiner received: hub mean, max (bare mean)"]
    rows = [
        [
            r["members"],
            f"{r['hub']['connect_s']}, {r['hub']['join_s']}, {r['hub']['total_s']}",
            ", ".join(str(r["bare_socketio"][k]) for k in ("connect_s", "join_s", "total_s")),
            f"{r['ratio']}x",
            f"{r['hub']['cpu_share']:.0%}, {r['bare_socketio']['cpu_share']:.0%}",
            f"{r['hub']['kb_per_joiner_mean']}, {r['hub']['kb_per_joiner_max']} "
            f"({r['bare_socketio']['kb_per_joiner_mean']})",
        ]
        for r in results
    ]
    return table(columns, rows)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--members", type=int, nargs="+", default=[500, 2000, 3500])
    args = parser.parse_args()
    found = generate(main(args.members))
    report(found, summary)
