"""The garbage collector set for a process that holds thousands of connections.

CPython's collector runs when allocations outnumber deallocations by a threshold, and walks every
object in the generations it collects. In a process holding thousands of connections that went
wrong twice (`docs/performance.md`, "The collector"):

- With the default thresholds (700, 10, 10) a join storm of 3,500 ran eleven full collections, each
  longer as the connections piled up (59 ms to 421 ms): 2.2 s of the storm's 7.3 s of CPU.
- With the youngest generation collected after 20,000 allocations, collections of 80-200 ms still
  fell inside vote storms, collecting nothing. Each message a connection reads leaves a fresh chain
  of waiting objects (the reader's coroutines, futures, a timer) that lives until the next message:
  in a storm every connection's chain is new, so the young generation held 50,000 to 170,000 live
  objects, and every survivor was walked again in the older generations. Reference counting frees
  them; the collector never does.

So the collector runs on the process's own schedule (`tending`): the youngest generation once a
second, but not while the event loop is running late (a storm), unless it has waited LONGEST_WAIT.
Whatever survives a collection is frozen out of later ones (`gc.freeze`): a collection walks only
what was made since the last. Reference counting still frees frozen objects; a cycle that dies after
being frozen (about 40 objects per closed connection) waits for a full collection of everything, run
every RECLAIM_SECONDS when the frozen objects have grown by a quarter, at a quiet moment too.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

log = logging.getLogger(__name__)

# How often the youngest generation is collected, and how late a tick may be before the loop counts
# as busy.
TICK = 1.0
LATE = 0.05
LONGEST_WAIT = 5.0
RECLAIM_SECONDS = 300.0
RECLAIM_GROWTH = 1.25

_settled = False


def settle() -> None:
    """Called once, just before the process starts serving; `tending` then runs the collector."""
    global _settled
    gc.collect()
    gc.freeze()
    gc.disable()
    if not _settled:
        gc.callbacks.append(_freeze_survivors)
        _settled = True


def _freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop":
        gc.freeze()


def reclaim() -> int:
    """A full collection of everything, frozen or not (what survives is frozen again); the number
    of objects it freed."""
    gc.unfreeze()
    return gc.collect()


async def _tend() -> None:
    loop = asyncio.get_running_loop()
    collected = reclaimed = loop.time()
    kept = gc.get_freeze_count()
    while True:
        asked = loop.time()
        await asyncio.sleep(TICK)
        now = loop.time()
        quiet = now - asked - TICK < LATE
        if now - reclaimed >= RECLAIM_SECONDS and quiet and gc.get_freeze_count() >= kept * RECLAIM_GROWTH:
            started = time.perf_counter()
            freed = reclaim()
            kept = gc.get_freeze_count()
            reclaimed = collected = loop.time()
            log.info(
                "full collection: %d freed in %.0f ms, %d kept",
                freed,
                1000 * (time.perf_counter() - started),
                kept,
            )
        elif quiet or now - collected >= LONGEST_WAIT:
            gc.collect(0)
            collected = loop.time()


@asynccontextmanager
async def tending() -> AsyncIterator[None]:
    """The collector's schedule while the block runs, in a process that has settled (elsewhere, as
    in tests that run the app in their own process, the collector keeps its own)."""
    if not _settled:
        yield
        return
    task = asyncio.create_task(_tend())
    try:
        yield
    finally:
        task.cancel()
