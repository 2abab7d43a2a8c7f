"""Opening a hub: the store (a Redis URL, or the embedded default in the data directory) and the service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from hub.config import Settings
from hub.embedded import EmbeddedRedis
from hub.service import Hub
from hub.store import Store
from hub.tokens import Links


@asynccontextmanager
async def open_hub(settings: Settings) -> AsyncIterator[Hub]:
    embedded = None if settings.redis_url else EmbeddedRedis(settings.data_dir)
    if embedded is not None:
        await embedded.start()
    store = Store.from_url(settings.redis_url or embedded.url)  # type: ignore[union-attr]
    try:
        await store.ping()
        yield Hub(
            store,
            Links(settings.signing_secret()),
            replay_limit=settings.limits.replay_events,
            crowd_above=settings.limits.crowd_above,
            grace=timedelta(seconds=settings.limits.grace_seconds),
        )
    finally:
        await store.close()
        if embedded is not None:
            await embedded.stop()
