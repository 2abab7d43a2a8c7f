"""The queue of commands on one meeting: one at a time, officers' commands before members' ones.

In a room of a thousand, twenty members flooding the chat put hundreds of commands a second in the
meeting's queue; in plain arrival order the chair's "next speaker" would wait behind all of them. Here it
waits at most for the command in progress."""

from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType


class PriorityLock:
    """An asyncio lock with two lines of waiters, urgent first, each first come first served. The lock
    passes straight to the next waiter on release, so a newcomer never jumps the lines."""

    def __init__(self) -> None:
        self._held = False
        self._lines: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = (deque(), deque())

    def locked(self) -> bool:
        return self._held

    def waiting(self, urgent: bool | None = None) -> int:
        """How many wait: in the urgent line, the other, or (None) both."""
        lines = self._lines if urgent is None else (self._lines[0 if urgent else 1],)
        return sum(1 for line in lines for turn in line if not turn.done())

    async def acquire(self, urgent: bool = False) -> None:
        if not self._held:
            self._held = True
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._lines[0 if urgent else 1].append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            # Handed the lock just as it was cancelled: pass it on.
            if turn.done() and not turn.cancelled():
                self.release()
            raise

    def release(self) -> None:
        if not self._held:
            raise RuntimeError("release of an unheld PriorityLock")
        for line in self._lines:
            while line:
                turn = line.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self._held = False

    def hold(self, urgent: bool) -> _Holding:
        """`async with lock.hold(urgent):` the lock for one command."""
        return _Holding(self, urgent)


class _Holding:
    def __init__(self, lock: PriorityLock, urgent: bool) -> None:
        self.lock, self.urgent = lock, urgent

    async def __aenter__(self) -> None:
        await self.lock.acquire(self.urgent)

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.lock.release()
