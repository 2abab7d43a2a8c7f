"""The store's compare-and-set commit against a real Redis, including two hubs racing on one meeting."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
import socketio

from hub import meetings
from hub.errors import HubError
from hub.meetings import Actor, Change
from hub.models import Branch, Event, Meeting, Role
from hub.service import MEMBER_BACKLOG, BoundRule, Hub
from hub.store import Committed, Store, StoreClosed
from hub.tokens import Links
from signalling.pubsub import RedisManager
from tests.unit.builders import actor, meeting


async def make_hub(redis_url: str) -> Hub:
    return Hub(Store.from_url(redis_url), Links("secret"), replay_limit=5)


async def test_commit_refuses_a_stale_version_and_appends_nothing(redis_url: str) -> None:
    store = Store.from_url(redis_url)
    assert await store.commit("m", 0, {"a": 1}, {"version": 1}) == Committed(version=1, prior=0)
    assert await store.commit("m", 0, {"a": 2}, {"version": 1}) is None
    loaded = await store.load("m")
    assert loaded is not None and (loaded.version, loaded.doc, loaded.entries) == (1, {"a": 1}, {})
    assert await store.event_log("m") == [{"version": 1}]
    await store.close()


async def test_events_since_returns_none_beyond_the_limit(redis_url: str) -> None:
    store = Store.from_url(redis_url)
    for v in range(10):
        assert await store.commit("m", v, {}, {"version": v + 1}) == Committed(v + 1, v)
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


async def test_ballots_cast_together_share_pipelines_and_each_gets_its_own_answer(redis_url: str) -> None:
    store = Store.from_url(redis_url)
    members = [f"m{n}" for n in range(200)]
    await store.open_box("m", "v1", False, False, dict.fromkeys(members, 1))
    pipelines = 0
    execute = store.redis.pipeline

    def counting(*args: object, **kwargs: object) -> object:
        nonlocal pipelines
        pipelines += 1
        return execute(*args, **kwargs)

    store.redis.pipeline = counting  # type: ignore[method-assign]
    replies = await asyncio.gather(
        *(store.cast("m", "v1", m, "for") for m in members),
        store.cast("m", "v1", "stranger", "for"),
        store.cast("m", "v9", "m1", "for"),
    )
    assert pipelines < 10
    assert sorted(r[1] for r in replies[:200]) == list(range(1, 201))
    assert replies[200] == ("vote.not_eligible", 0)
    assert replies[201] == ("vote.not_found", 0)
    assert await store.tally("m", "v1") == (200, {"for": 200})
    await store.close()


async def test_a_ballot_is_counted_after_redis_forgot_the_script(redis_url: str) -> None:
    store = Store.from_url(redis_url)
    await store.open_box("m", "v1", False, False, {"a": 1, "b": 1})
    assert (await store.cast("m", "v1", "a", "for"))[0] == "ok"
    await store.redis.script_flush()
    assert await store.cast("m", "v1", "b", "against") == ("ok", 2)
    assert await store.cast("m", "v1", "b", "for") == ("vote.already_voted", 0)
    await store.close()


async def test_a_branch_is_parsed_once_and_an_edit_is_seen_at_once(redis_url: str) -> None:
    hub = await make_hub(redis_url)
    await hub.save_branch(Branch(id="b1", name="Lisbon", roles={"m1": Role.MEMBER}))
    first = await hub.branch("b1")
    assert await hub.branch("b1") is first
    await hub.save_branch(Branch(id="b1", name="Lisbon", roles={"m1": Role.SECRETARY}))
    assert (await hub.branch("b1")).roles == {"m1": Role.SECRETARY}
    await hub.store.close()


async def test_a_cancelled_batch_never_leaves_a_caller_waiting(redis_url: str) -> None:
    store = Store.from_url(redis_url)
    await store.open_box("m", "v1", False, False, {"a": 1, "b": 1, "c": 1})
    # Cancelled before it ran: its caller is told, not left waiting.
    first = asyncio.create_task(store.cast("m", "v1", "a", "for"))
    await asyncio.sleep(0)
    assert store._cast._flusher is not None
    store._cast._flusher.cancel()
    with pytest.raises(ConnectionError):
        await asyncio.wait_for(first, 5)
    # Cancelled while Redis has the batch: its caller has an answer, whichever it is.
    second = asyncio.create_task(store.cast("m", "v1", "b", "for"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert store._cast._flusher is not None
    store._cast._flusher.cancel()
    try:
        assert await asyncio.wait_for(second, 5) == ("ok", 1)
    except ConnectionError:
        pass
    code, cast = await asyncio.wait_for(store.cast("m", "v1", "c", "for"), 5)
    assert code == "ok" and cast >= 1
    await store.close()


async def test_a_closed_store_opens_no_connection_for_work_still_running(redis_url: str) -> None:
    """Work that outlives shutdown is refused, not lent a new connection that nothing would close."""
    store = Store.from_url(f"{redis_url}?client_name=late")
    watcher = Store.from_url(redis_url)

    async def open_connections() -> int:
        return sum(c["name"] == "late" for c in await watcher.redis.client_list())

    await store.ping()
    # Held by a call when the store closes, and given back after.
    held = await store.redis.connection_pool.get_connection()
    assert await open_connections() == 1
    await store.close()
    await store.redis.connection_pool.release(held)
    assert not held.is_connected
    with pytest.raises(StoreClosed):
        await store.ping()
    with pytest.raises(StoreClosed):
        await store.cast("m", "v1", "a", "for")
    assert await open_connections() == 0
    await watcher.close()


async def test_officers_go_first_and_a_members_flood_is_turned_away_not_queued(redis_url: str) -> None:
    """While a command runs, members' commands queue up to the backlog and the rest are refused at
    once; the chair's command, sent last, is applied next."""
    hub = await make_hub(redis_url)
    await hub.save_branch(Branch(id="intl", name="Intl"))
    await hub.create_meeting(meeting())
    order: list[str] = []

    def joining(who: Actor) -> BoundRule:
        def rule(m: Meeting, now: datetime) -> Change | None:
            order.append(who.member_id)
            return meetings.join(m, who, now)

        return rule

    finish = asyncio.Event()

    async def first() -> None:
        # A command that holds the meeting's turn until `finish` (as one waiting for its store would).
        async with hub._locks["agm"].hold(True):
            await finish.wait()

    holder = asyncio.create_task(first())
    await asyncio.sleep(0.1)
    members = [actor(f"m{i:03}", Role.MEMBER, f"s{i}") for i in range(2, 2 + MEMBER_BACKLOG + 4)]
    queued = [asyncio.create_task(hub.execute("agm", who, joining(who), shed=True)) for who in members]
    await asyncio.sleep(0.1)
    refused = [t for t in queued if t.done()]
    assert len(refused) == 4
    for task in refused:
        with pytest.raises(HubError) as error:
            task.result()
        assert error.value.code == "busy"
    secretary = actor("m007", Role.SECRETARY, "s7")
    officer = asyncio.create_task(hub.execute("agm", secretary, joining(secretary), shed=True))
    finish.set()
    await asyncio.gather(holder, officer, *(t for t in queued if t not in refused))
    assert order[0] == "m007"
    # A rule that changes nothing on this process's copy runs again on the latest version (Hub.execute).
    assert list(dict.fromkeys(order[1:])) == [m.member_id for m in members[:MEMBER_BACKLOG]]
    await hub.store.close()


async def test_a_version_lost_in_a_failover_is_not_served_from_the_cache(redis_url: str) -> None:
    """A write acknowledged by a primary that dies before its replica has it is gone after the failover;
    a process that had read it must follow Redis, not serve the lost version to its next joiner."""
    hub = await make_hub(redis_url)
    await hub.save_branch(Branch(id="intl", name="Intl"))
    await hub.create_meeting(meeting())
    first, lost, later = actor("m001", session="s1"), actor("m002", session="s2"), actor("m003", session="s3")
    await hub.execute("agm", first, lambda m, now: meetings.join(m, first, now))
    keys = [f"hub:{{m:agm}}:{part}" for part in ("state", "participants", "events")]
    saved = {key: await hub.store.redis.dump(key) for key in keys}
    await hub.execute("agm", lost, lambda m, now: meetings.join(m, lost, now))
    assert (await hub.snapshot("agm"))["version"] == 3
    # The failover: Redis as it was at version 2.
    for key, value in saved.items():
        await hub.store.redis.restore(key, 0, value, replace=True)
    event = await hub.execute("agm", later, lambda m, now: meetings.join(m, later, now))
    assert event is not None and event.version == 3
    fresh = await make_hub(redis_url)
    expected = await fresh.snapshot("agm")
    assert set(expected["meeting"]["participants"]) == {"m001", "m003"}
    assert await hub.snapshot("agm", at_least=3) == expected
    for h in (hub, fresh):
        await h.store.close()


async def test_the_redis_manager_closed_publishes_on_no_new_connection(redis_url: str) -> None:
    """python-socketio connects again when a publish fails; once closed, an emit still running at
    shutdown must not leave it a client that nothing closes."""
    manager = RedisManager(f"{redis_url}?client_name=late-pubsub")
    socketio.AsyncServer(client_manager=manager)
    watcher = Store.from_url(redis_url)

    async def open_connections() -> int:
        return sum(c["name"] == "late-pubsub" for c in await watcher.redis.client_list())

    await manager.emit("meeting.changed", {"version": 1}, namespace="/", room="meeting:m")
    assert await open_connections() == 1
    await manager.close()
    await manager.emit("meeting.changed", {"version": 2}, namespace="/", room="meeting:m")
    assert await open_connections() == 0
    await watcher.close()
