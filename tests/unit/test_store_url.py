"""The store's Redis URLs: a `redis+sentinel://` URL is read as python-socketio reads it, so the state and
the Socket.IO manager follow the same primary; a plain URL keeps its bounded, waiting pool."""

from __future__ import annotations

import pytest
from redis.asyncio.connection import BlockingConnectionPool
from redis.asyncio.sentinel import SentinelConnectionPool
from socketio.redis_manager import parse_redis_sentinel_url

from hub.store import SentinelTarget, Store, connect, parse_sentinel_url

SAME_AS_SOCKETIO = [
    "redis+sentinel://10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379/0/hub",
    "redis+sentinel://:secret@s1:26379,s2:26380/2/hub",
    "redis+sentinel://user:secret@s1:26379/0/hub",
    "redis+sentinel://s1:26379//hub",
]


@pytest.mark.parametrize("url", SAME_AS_SOCKETIO)
def test_a_sentinel_url_reads_as_python_socketio_reads_it(url: str) -> None:
    sentinels, service, kwargs = parse_redis_sentinel_url(url)
    assert parse_sentinel_url(url) == SentinelTarget(
        sentinels, service, kwargs.get("db", 0), kwargs.get("username"), kwargs.get("password")
    )


def test_a_sentinel_url_in_full() -> None:
    assert parse_sentinel_url("redis+sentinel://:p%40ss@a:1,b:2,c:3/1/hub") == SentinelTarget(
        [("a", 1), ("b", 2), ("c", 3)], "hub", 1, None, "p@ss"
    )


@pytest.mark.parametrize(
    "url",
    [
        "redis+sentinel://a:26379/0",  # no service: python-socketio would use its channel's name
        "redis+sentinel://a:26379",
        "redis+sentinel://a/0/hub",  # no port
        "redis+sentinel://a:26379/0/hub?ssl=true",  # python-socketio would ignore it silently
        "redis://a:6379/0",
    ],
)
def test_a_bad_sentinel_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        parse_sentinel_url(url)


async def test_a_sentinel_url_gives_a_waiting_pool_that_follows_the_primary() -> None:
    client = connect("redis+sentinel://a:26379,b:26379,c:26379/3/hub", connections=7)
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool)
    assert isinstance(pool, BlockingConnectionPool)
    assert (pool.max_connections, pool.service_name, pool.connection_kwargs["db"]) == (7, "hub", 3)
    assert len(pool.sentinel_manager.sentinels) == 3
    await client.aclose()


async def test_only_a_sentinel_store_waits_for_a_replica() -> None:
    plain = Store.from_url("redis://127.0.0.1:6379/0")
    sentinel = Store.from_url("redis+sentinel://a:26379/0/hub")
    assert isinstance(plain.redis.connection_pool, BlockingConnectionPool)
    assert not isinstance(plain.redis.connection_pool, SentinelConnectionPool)
    assert (plain.replicas, sentinel.replicas) == (0, 1)
    await plain.close()
    await sentinel.close()
