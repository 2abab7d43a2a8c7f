"""The hub's memory over a long livestream: the hub's resident set (and, apart, the programme worker's)
sampled every 10 s for `--minutes` with the livestream on at 360p, against the same meeting with it off
for as long, one after the other in the same run.

Each half starts afresh: a Redis of its own, the demo meeting loaded, `hub serve` as its own process (the
relay on loopback), and five aiortc participants in this process sending generated media (a camera and
a tone each): the chair, three speakers, a member. The chair opens the meeting and, with the livestream
on, starts it; then a speaker asks for the floor and is called every 20 s, in turn. The resident sets
come from /proc (`VmRSS`); the worker is the hub's child running `signalling.live.worker`. For each
process: start, end, peak, and the slope, least squares over the second half, in MB a minute.

    nice -n 10 .venv/bin/python -m bench.livememory --minutes 10

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.harness import SECRET, arguments, children, free_port, note, redis_server, report, served, table
from bench.livelatency import SPEAKERS, live_playlist, seated
from hub.config import Settings
from hub.demo import DEMO_MEETING_ID, load_demo
from hub.runtime import open_hub
from tests.integration.test_media import CHAIR, ROSA, Participant

QUALITY = "360p"
SAMPLE_SECONDS = 10
CALL_SECONDS = 20
ROOT = Path(__file__).resolve().parents[1]


def resident_mb(pid: int) -> float | None:
    """The process's resident set in MB, None once it has gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return None
    return None


def worker_of(hub: int) -> int | None:
    """The hub's programme worker, if it runs one."""
    for pid in children(hub):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if b"signalling.live.worker" in cmdline.read():
                    return pid
        except FileNotFoundError:
            continue
    return None


def slope(samples: list[tuple[float, float]]) -> float | None:
    """MB a minute, least squares over the second half of (seconds, MB) samples (None with too few)."""
    half = samples[len(samples) // 2 :]
    if len(half) < 2:
        return None
    mean_t = sum(t for t, _ in half) / len(half)
    mean_m = sum(m for _, m in half) / len(half)
    spread = sum((t - mean_t) ** 2 for t, _ in half)
    return 60 * sum((t - mean_t) * (m - mean_m) for t, m in half) / spread


def described(samples: list[tuple[float, float]]) -> dict[str, Any]:
    return {
        "start_mb": round(samples[0][1], 1),
        "end_mb": round(samples[-1][1], 1),
        "peak_mb": round(max(m for _, m in samples), 1),
        "slope_mb_per_minute": None if (found := slope(samples)) is None else round(found, 3),
        "samples": [[round(t), round(m, 1)] for t, m in samples],
    }


async def links_for(redis_url: str) -> dict[str, str]:
    """The demo meeting, and join links for the chair, the speakers and the member."""
    async with open_hub(Settings(redis_url=redis_url, secret=SECRET)) as hub:
        await load_demo(hub, timedelta(hours=1))
        return {
            m: await hub.issue_link(m, DEMO_MEETING_ID, timedelta(hours=1)) for m in (CHAIR, *SPEAKERS, ROSA)
        }


async def half(livestream: bool, minutes: float) -> dict[str, Any]:
    """One meeting on a fresh hub for `minutes`, its processes' resident sets sampled."""
    with tempfile.TemporaryDirectory() as directory:
        async with redis_server(directory) as redis_url:
            links = await links_for(redis_url)
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")} | {"HUB_SECRET": SECRET}
            command = [
                *(sys.executable, "-m", "hub", "serve", "--port", str(port), "--redis-url", redis_url),
                *("--data-dir", directory, "--ice-loopback", "--log-level", "warning"),
            ]
            # Its banner to stderr: stdout is the table and the JSON.
            async with served(command, f"{url}/healthz", str(ROOT), env, stdout=sys.stderr) as process:
                async with seated(url, links) as (chair, speakers, _):
                    if livestream:
                        await chair.client.ok("livestream.start", {"quality": QUALITY, "record": False})
                        async with httpx.AsyncClient(base_url=url) as http:
                            await live_playlist(http, links[CHAIR])
                    return await sampled(process.pid, chair, speakers, minutes)


async def sampled(
    hub: int, chair: Participant, speakers: list[Participant], minutes: float
) -> dict[str, Any]:
    """Every 10 s the resident sets, every 20 s the next speaker called, for `minutes`."""
    hub_samples: list[tuple[float, float]] = []
    worker_samples: list[tuple[float, float]] = []
    workers: set[int] = set()
    start = time.monotonic()
    for tick in range(int(minutes * 60 / SAMPLE_SECONDS) + 1):
        await asyncio.sleep(max(0.0, start + tick * SAMPLE_SECONDS - time.monotonic()))
        at = time.monotonic() - start
        hub_mb = resident_mb(hub)
        assert hub_mb is not None, "the hub has gone"
        hub_samples.append((at, hub_mb))
        worker = worker_of(hub)
        worker_mb = None if worker is None else resident_mb(worker)
        if worker is not None and worker_mb is not None:
            workers.add(worker)
            worker_samples.append((at, worker_mb))
        if tick % (CALL_SECONDS // SAMPLE_SECONDS) == 0:
            speaker = speakers[tick // (CALL_SECONDS // SAMPLE_SECONDS) % len(speakers)]
            await speaker.client.ok("speaker.request", {})
            await chair.client.ok("speaker.call", {})
        if tick % 6 == 0:
            held = f", worker {worker_mb:.0f} MB" if worker_mb else ""
            note(f"{at / 60:.0f} min: hub {hub_mb:.0f} MB{held}")
    return {
        "hub": described(hub_samples),
        "worker": described(worker_samples) if worker_samples else None,
        # More than one: the worker was restarted (a crash or a stall) during the run.
        "workers": len(workers),
    }


async def main(minutes: float) -> list[dict[str, Any]]:
    results = []
    for livestream in (False, True):
        note(f"the livestream {'on' if livestream else 'off'} for {minutes:g} minutes")
        measured = await half(livestream, minutes)
        results.append(
            {
                "benchmark": "livememory",
                "livestream": QUALITY if livestream else None,
                "minutes": minutes,
                "sample_seconds": SAMPLE_SECONDS,
                "call_seconds": CALL_SECONDS,
                **measured,
            }
        )
    return results


def per_minute(slope: float | None) -> str:
    return "-" if slope is None else f"{slope:+.2f} MB/min"


def summary(results: list[dict[str, Any]]) -> str:
    columns = ["livestream", "process", "start", "end", "peak", "slope (second half)"]
    rows = []
    for result in results:
        for name in ("hub", "worker"):
            found = result[name]
            if found is None:
                continue
            rows.append(
                [
                    result["livestream"] or "off",
                    name,
                    *(f"{found[k]:.1f} MB" for k in ("start_mb", "end_mb", "peak_mb")),
                    per_minute(found["slope_mb_per_minute"]),
                ]
            )
    return table(columns, rows)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--minutes", type=float, default=10)
    args = parser.parse_args()
    report(asyncio.run(main(args.minutes)), summary)
