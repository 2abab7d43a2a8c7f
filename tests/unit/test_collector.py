"""The collector's schedule (signalling/collector.py), each case in a process of its own: settling turns
the automatic collector off for the whole process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """
import asyncio, gc, time, weakref
from signalling import collector

collector.TICK = 0.05
collector.LATE = 0.05
collector.LONGEST_WAIT = 0.5
collector.RECLAIM_SECONDS = 0.3

class Node:
    pass

def cycle(name, freed):
    a, b = Node(), Node()
    a.b, b.a = b, a
    weakref.finalize(a, freed.append, name)
    return a

def frozen(obj):
    return not any(o is obj for o in gc.get_objects())

async def until(check, seconds):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)
"""


def run(body: str) -> None:
    script = PRELUDE + textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def test_settling_turns_the_automatic_collector_off_and_tending_collects_young_cycles() -> None:
    run(
        """
        collector.settle()
        assert not gc.isenabled()
        freed = []

        async def main():
            async with collector.tending():
                dropped = cycle("young", freed)
                del dropped
                # Nothing but the schedule collects it: reference counting cannot.
                await until(lambda: "young" in freed, 5)

        asyncio.run(main())
        """
    )


def test_survivors_are_frozen_and_a_full_collection_frees_cycles_that_died_frozen() -> None:
    run(
        """
        collector.settle()
        freed = []

        async def main():
            async with collector.tending():
                # Enough live objects to grow the frozen ones by more than RECLAIM_GROWTH.
                kept = [cycle(n, freed) for n in range(gc.get_freeze_count() // 2)]
                await until(lambda: frozen(kept[0]), 5)
                kept.clear()
                assert not freed, "a frozen cycle is not freed by the young collections"
                await until(lambda: len(freed) > 1000, 10)

        asyncio.run(main())
        """
    )


def test_a_loop_that_is_always_late_is_still_collected_after_the_longest_wait() -> None:
    run(
        """
        collector.settle()
        freed = []

        async def busy(stop):
            while not stop.is_set():
                time.sleep(0.1)  # every tick comes late
                await asyncio.sleep(0)

        async def main():
            stop = asyncio.Event()
            async with collector.tending():
                hog = asyncio.create_task(busy(stop))
                dropped = cycle("late", freed)
                del dropped
                started = time.monotonic()
                await until(lambda: "late" in freed, 5)
                assert time.monotonic() - started >= collector.LONGEST_WAIT - collector.TICK
                stop.set()
                await hog

        asyncio.run(main())
        """
    )


def test_a_process_that_has_not_settled_keeps_the_automatic_collector() -> None:
    run(
        """
        async def main():
            async with collector.tending():
                assert gc.isenabled()
                assert not gc.callbacks

        asyncio.run(main())
        """
    )
