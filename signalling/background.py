"""A process's own background task, started with the app and stopped with it: the mail sender, the
invitation rounds and the closing of advance polls. `run` loops until `stopping`, waiting with `pause`,
which a stop cuts short."""

from __future__ import annotations

import asyncio
import contextlib


class Background:
    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        """Let the work in hand finish, then stop."""
        self._stopping.set()
        if self._task is not None:
            await self._task

    async def pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def run(self) -> None:
        raise NotImplementedError
