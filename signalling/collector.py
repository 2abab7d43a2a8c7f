"""The garbage collector set for a process that holds thousands of connections.

A full collection walks every object the collector tracks. With CPython's default thresholds
(700, 10, 10) a hub taking a join storm of 3,500 members ran eleven full collections, each longer as
the connections piled up (59 ms to 421 ms): 2.2 s of the storm's 7.3 s of CPU (`docs/performance.md`,
"Join storm"). What the process holds when it starts serving (modules, the app) is frozen out of
every collection, and the youngest generation is collected after 20,000 allocations rather than 700,
so a full collection waits for millions of allocations rather than thousands; young cycles are still
collected as before, and a full collection still runs in time.
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 10, 10)


def settle() -> None:
    """Called once, just before the process starts serving."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
