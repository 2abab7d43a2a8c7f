"""The store's compare-and-set commit against a real Redis, including two hubs racing on one meeting."""

from __future__ import annotations

import asyncio

from hub import meetings
from hub.models import Branch, Event, Role
from hub.service import Hub
from hub.store import Store
from hub.tokens import Links
from tests.unit.builders import actor, meeting


async def make_hub(redis_url: str) -> Hub:
    return Hub(Store.from_url(redis_url), Links("secret"), replay_limit=5)


async def test_commit_refuses_a_stale_version_and_appends_nothing(redis_url: str) -> None:
    store = Store.from_url(redis_url)
    assert await store.commit("m", 0, {"a": 1}, {"version": 1}) == 1
    assert await store.commit("m", 0, {"a": 2}, {"version": 1}) is None
    assert await store.load("m") == (1, {"a": 1})
    assert await store.event_log("m") == [{"version": 1}]
    await store.close()


async def test_events_since_returns_none_beyond_the_limit(redis_url: str) -> None:
    store = Store.from_url(redis_url)
    for v in range(10):
        assert await store.commit("m", v, {}, {"version": v + 1}) == v + 1
    assert [e["version"] for e in await store.events_since("m", 7, limit=5) or []] == [8, 9, 10]
    assert await store.events_since("m", 10, limit=5) == []
    assert await store.events_since("m", 2, limit=5) is None
    await store.close()


async def test_two_hubs_racing_on_one_meeting_lose_no_change(redis_url: str) -> None:
    """Two hubs (as in two processes), each with its own lock: only the Redis CAS keeps them honest."""
    hubs = [await make_hub(redis_url) for _ in range(2)]
    await hubs[0].save_branch(Branch(id="intl", name="Intl"))
    await hubs[0].create_meeting(meeting())

    async def join(i: int) -> Event | None:
        who = actor(f"m{i:03}", Role.MEMBER, f"s{i}")
        return await hubs[i % 2].execute("agm", who, lambda m, now: meetings.join(m, who, now))

    events = await asyncio.gather(*(join(i) for i in range(40)))
    version, final = await hubs[0].meeting("agm")
    assert version == 41
    assert sorted(e.version for e in events if e) == list(range(2, 42))
    assert len(final.participants) == 40
    assert len(await hubs[1].store.event_log("agm")) == 41
    for hub in hubs:
        await hub.store.close()
