"""python-socketio's Redis manager, which carries every emit and disconnect between hub processes."""

from __future__ import annotations

import asyncio
import contextlib

import socketio

from hub.store import connect
from signalling.delivery import QueuedEmit


class RedisManager(socketio.AsyncRedisManager, QueuedEmit):  # type: ignore[misc]
    """The stock manager on a bounded, waiting pool: its own pool refuses the 101st publish in
    flight, and every disconnect publishes, so a crowd leaving at once lost messages."""

    def _redis_connect(self) -> None:
        self.redis = connect(self.redis_url, connections=32)
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self.connected = True

    async def close(self) -> None:
        """python-socketio leaves its Redis listener running and its connections open at shutdown."""
        listener = getattr(self, "thread", None)
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        if self.connected:
            await self.pubsub.aclose()
            await self.redis.aclose()
