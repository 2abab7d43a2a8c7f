"""What waiting for a replica costs: the store's writes under Sentinel with WAIT (every commit and ballot
acknowledged only once a replica has it) against the same writes on the same primary without it.

A primary, two replicas and three sentinels on this machine (started here, stopped at the end). Two
loads, each measured with `replicas=0` (the baseline: what a plain URL does) and `replicas=1` (what a
`redis+sentinel://` URL does), on the same Sentinel client:

- a ballot storm: COUNT ballots cast at once through `Store.cast` (batched: one WAIT per pipeline);
- serial commits: one meeting's commits one after another, as its lock makes them (one WAIT each).

    .venv/bin/python -m bench.replicated_writes --ballots 3500 --commits 500

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from hub.store import Store, connect
from tests.integration.sentinel_topology import Topology


def ms(seconds: float) -> float:
    return round(1000 * seconds, 2)


async def ballots(store: Store, vote: str, count: int) -> dict[str, Any]:
    voters = [f"v{n:05}" for n in range(count)]
    await store.open_box("bench", vote, False, True, dict.fromkeys(voters, 1))
    start = time.perf_counter()
    replies = await asyncio.gather(*(store.cast("bench", vote, v, "for") for v in voters))
    elapsed = time.perf_counter() - start
    assert all(code == "ok" for code, _ in replies)
    assert (await store.tally("bench", vote))[0] == count
    return {"storm_ms": ms(elapsed), "ballots_per_s": round(count / elapsed)}


async def commits(store: Store, meeting: str, count: int) -> dict[str, Any]:
    latencies = []
    for version in range(count):
        start = time.perf_counter()
        assert await store.commit(meeting, version, {"n": version}, {"version": version + 1}) == version + 1
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    return {"commit_p50_ms": ms(latencies[count // 2]), "commit_p99_ms": ms(latencies[int(count * 0.99)])}


async def main(count: int, serial: int) -> None:
    topology = Topology(Path(tempfile.mkdtemp(prefix="bench-sentinel-")))
    try:
        await topology.start()
        rows = []
        # A warm-up, then each twice, interleaved, so that neither runs only on a warm server.
        for run, replicas in enumerate((1, 0, 1, 0, 1)):
            store = Store(connect(topology.url, 64), replicas=replicas)
            row = {"replicas": replicas}
            row |= await ballots(store, f"v{run}", count)
            row |= await commits(store, f"m{run}", serial)
            if run:
                rows.append(row)
            await store.close()
    finally:
        topology.stop()
    print(f"{'WAIT for':>9} {'storm ms':>9} {'ballots/s':>10} {'commit p50':>11} {'commit p99':>11}")
    for row in rows:
        print(
            f"{row['replicas']:>9} {row['storm_ms']:>9} {row['ballots_per_s']:>10} "
            f"{row['commit_p50_ms']:>11} {row['commit_p99_ms']:>11}"
        )
    print(json.dumps({"ballots": count, "commits": serial, "rows": rows}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ballots", type=int, default=3500)
    parser.add_argument("--commits", type=int, default=500)
    options = parser.parse_args()
    asyncio.run(main(options.ballots, options.commits))
