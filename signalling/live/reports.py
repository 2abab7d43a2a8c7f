"""The livestream's child processes (the feed's worker, the push) as the hub starts and hears them: a
Python module run with its spec as one JSON line on standard input (never on the command line, which
every user of the machine can read), answering with one JSON object a line on standard output."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any


async def spawn(
    module: str, spec: dict[str, Any], pass_fds: Sequence[int] = ()
) -> asyncio.subprocess.Process:
    """`python -m module`, given its spec."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        pass_fds=pass_fds,
    )
    assert process.stdin is not None
    process.stdin.write(json.dumps(spec).encode() + b"\n")
    process.stdin.close()
    return process


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
