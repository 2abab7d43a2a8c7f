"""python-socketio's Redis manager, which carries every emit and disconnect between hub processes."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import socketio

from hub.store import StoreClosed, connect
from signalling.delivery import QueuedEmit

# How long a replaced Redis client stays open for the calls still using it.
RETIRE_SECONDS = 30.0
_closing: set[asyncio.Task[None]] = set()


class RedisManager(socketio.AsyncRedisManager, QueuedEmit):  # type: ignore[misc]
    """The stock manager on a bounded, waiting pool: its own pool refuses the 101st publish in
    flight, and every disconnect publishes, so a crowd leaving at once lost messages.

    A `redis+sentinel://` URL (python-socketio's own form, read the same way by `hub.store`) gives a
    client of the current primary on the same kind of pool: after a failover the listener's connection
    fails, python-socketio connects again, and the new client asks the sentinels where the primary is.
    Emits published while the primary was away are lost; clients see the gap and resync."""

    _closed = False

    def _redis_connect(self) -> None:
        # A publish still running at shutdown fails on the closed client and would connect again,
        # to a client that nothing closes.
        if self._closed:
            raise StoreClosed("The Redis manager is closed.")
        # After a Redis error python-socketio connects again and drops the client it had, with its
        # connections open; they are closed once anything still using them is done, or at close.
        retired: tuple[Any, Any] = (getattr(self, "pubsub", None), getattr(self, "redis", None))
        if retired[1] is not None:
            self._retired = [*getattr(self, "_retired", []), retired]
            asyncio.get_running_loop().call_later(RETIRE_SECONDS, self._close_retired, retired)
        self.redis = connect(self.redis_url, connections=32)
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self.connected = True

    async def close(self) -> None:
        """python-socketio leaves its Redis listener running and its connections open at shutdown."""
        self._closed = True
        listener = getattr(self, "thread", None)
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        if self.connected:
            await self.pubsub.aclose()
            await self.redis.aclose()
        for pubsub, client in getattr(self, "_retired", []):
            await _close_both(pubsub, client)
        self._retired = []

    def _close_retired(self, retired: tuple[Any, Any]) -> None:
        if retired in getattr(self, "_retired", []):
            self._retired.remove(retired)
            pubsub, client = retired
            task = asyncio.ensure_future(_close_both(pubsub, client))
            _closing.add(task)
            task.add_done_callback(_closing.discard)


async def _close_both(pubsub: Any, client: Any) -> None:
    with contextlib.suppress(Exception):
        await pubsub.aclose()
        await client.aclose()
