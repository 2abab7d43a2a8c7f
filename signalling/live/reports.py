"""What the livestream's child processes (the feed's worker, the push) say: one JSON object a line on
their standard output."""

from __future__ import annotations

import asyncio
import json
from typing import Any


async def next_report(stream: asyncio.StreamReader, seconds: float) -> dict[str, Any] | None:
    """The next report within `seconds` (else TimeoutError), or None once the process closed its output.
    A line that is not a JSON object (a library writing to standard output) is passed over."""
    async with asyncio.timeout(seconds):
        while True:
            line = await stream.readline()
            if not line:
                return None
            try:
                report = json.loads(line)
            except ValueError:
                continue
            if isinstance(report, dict):
                return report
