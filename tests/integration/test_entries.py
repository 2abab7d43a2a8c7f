"""Participants as entries of their own, on real Redis: three processes joining and leaving one meeting at
once lose and double nothing, a process's copy brought up to date from the entries written since equals
a fresh load, catch-up works across deltas, and a store written by the previous release is upgraded."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path
from typing import Any

import jsonpatch
import msgpack
import redis.asyncio as redis

from hub import attendance, lifecycle, meetings
from hub.commands import AttendanceCheckIn, MeetingSetStatus
from hub.models import DERIVED, Branch, Event, Meeting, MeetingStatus, Presence, Role
from hub.service import Hub
from hub.store import Store
from hub.tokens import Links
from tests.unit.builders import actor, meeting

ROOT = Path(__file__).resolve().parents[2]
# Each process joins its own members, and half of them leave again, all at once.
CROWD = textwrap.dedent(
    """
    import asyncio, sys
    from hub import meetings
    from hub.service import Hub
    from hub.store import Store
    from hub.tokens import Links
    from tests.unit.builders import actor

    async def main(url, first, count):
        hub = Hub(Store.from_url(url), Links("secret"))
        people = [actor(f"m{n:04}", session=f"p{first}/s{n}") for n in range(first, first + count)]

        async def visit(who, leaves):
            await hub.execute("agm", who, lambda m, now: meetings.join(m, who, now))
            if leaves:
                await hub.execute("agm", who, lambda m, now: meetings.leave(m, who, now))

        await asyncio.gather(*(visit(who, n % 2 == 0) for n, who in enumerate(people)))
        await hub.store.close()

    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
    """
)


async def _hub(redis_url: str) -> Hub:
    return Hub(Store.from_url(redis_url), Links("secret"), replay_limit=1000)


async def test_three_processes_joining_and_leaving_at_once_lose_and_double_nothing(redis_url: str) -> None:
    watcher = await _hub(redis_url)
    await watcher.save_branch(Branch(id="intl", name="Intl"))
    await watcher.create_meeting(meeting())
    await watcher.current("agm")  # a copy that must follow both processes through their entries
    crowds = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", CROWD, redis_url, f"{first}", "150", cwd=ROOT
        )
        for first in (0, 1000, 2000)
    ]
    assert [await p.wait() for p in crowds] == [0, 0, 0]

    version, followed = await watcher.meeting("agm")
    fresh = await _hub(redis_url)
    assert (await fresh.meeting("agm")) == (version, followed)
    # 450 joins and 225 leaves, each one event.
    assert version == 1 + 450 + 225
    assert len(followed.participants) == 450
    assert sum(not p.present for p in followed.participants.values()) == 225
    assert all(len(p.sessions) == (1 if p.present else 0) for p in followed.participants.values())
    assert followed.presence == Presence.of(followed.participants)
    # Present, but none checked in (they never check in here): the quorum counts none.
    assert followed.presence.present == 225 and followed.quorum.present == 0
    # Replaying the log's patches from the start gives the same public view.
    view: dict[str, object] = {}
    for event in await fresh.store.event_log("agm"):
        view = jsonpatch.apply_patch(view, event["patch"])
    assert view == followed.public_view()
    for hub in (watcher, fresh):
        await hub.store.close()


async def test_a_join_writes_one_entry_and_catch_up_replays_deltas(redis_url: str) -> None:
    hub = await _hub(redis_url)
    await hub.save_branch(Branch(id="intl", name="Intl"))
    await hub.create_meeting(meeting())
    for n in range(50):
        who = actor(f"m{n:03}", session=f"s{n}")
        await hub.execute("agm", who, lambda m, now, who=who: meetings.join(m, who, now))
    held = await hub.snapshot("agm")
    chair = actor("m900", Role.CHAIR, "s900")
    await hub.execute("agm", chair, lambda m, now: meetings.join(m, chair, now))
    last = actor("m003", session="s3")
    event = await hub.execute("agm", last, lambda m, now: meetings.leave(m, last, now))
    assert event is not None
    # The leave's patch names the one entry and the counts it changed, not the room.
    assert {op["path"] for op in event.patch} == {
        "/presence/present",
        "/participants/m003/present",
        "/participants/m003/last_seen_at",
    }
    stream = await hub.store.redis.xrange("hub:{m:agm}:events", min=f"{event.version}-0")
    assert stream[0][1][b"p"] == b"m003"
    caught = await hub.catch_up("agm", held["version"])
    assert [e["type"] for e in caught["events"]] == ["participant.joined", "participant.left"]
    view = held["meeting"]
    for e in caught["events"]:
        view = jsonpatch.apply_patch(view, e["patch"])
    assert view == (await hub.snapshot("agm"))["meeting"]
    await hub.store.close()


async def _stream_fields(hub: Hub, version: int) -> dict[bytes, bytes]:
    entries = await hub.store.redis.xrange("hub:{m:agm}:events", min=f"{version}-0", max=f"{version}-0")
    return dict(entries[0][1])


async def test_joins_commute_in_a_big_room_and_are_computed_again_when_they_do_not(redis_url: str) -> None:
    """Two processes' joins in a big room land whatever the version (commute.lua), so neither waits on
    the other's; a commit of any other kind since, another write to the same entry, or the quorum
    turning fall back to the compare-and-set, computed again on the latest version."""
    one, two = (Hub(Store.from_url(redis_url), Links("secret"), crowd_above=3) for _ in range(2))
    await one.save_branch(Branch(id="intl", name="Intl"))
    await one.create_meeting(meeting())
    for n in range(4):
        who = actor(f"m{n:03}", session=f"s{n}")
        await one.execute("agm", who, lambda m, now, who=who: meetings.join(m, who, now))
    await two.current("agm")

    async def join(hub: Hub, member_id: str, session: str) -> Event:
        who = actor(member_id, session=session)
        event = await hub.execute("agm", who, lambda m, now: meetings.join(m, who, now))
        assert event is not None
        return event

    # `two` joins on a copy a version behind: it commutes, and names the version it landed on.
    first = await join(one, "m100", "a")
    second = await join(two, "m101", "b")
    assert (first.version, second.version) == (6, 7)
    assert b"n" in await _stream_fields(two, 7)
    assert {op["path"] for op in second.patch} >= {"/presence", "/quorum/present"}
    assert second.patch[-2]["value"]["joined"] == 6
    # Its copy missed `one`'s join: it is read again, not taken for version 7.
    assert (await two.meeting("agm"))[1].participants.keys() >= {"m100", "m101"}

    # Another kind of commit (the chair opens the meeting) between: computed again, compare-and-set.
    chair = actor("m900", Role.CHAIR, "c")
    await one.execute("agm", chair, lambda m, now: meetings.join(m, chair, now))
    opened = MeetingSetStatus(status=MeetingStatus.OPEN)
    await one.execute("agm", chair, lambda m, now: lifecycle.set_status(m, opened, chair, now))
    # On `two`'s copy of the meeting, still scheduled, m102 could not check in: computed again.
    await join(one, "m102", "c2")
    m102 = actor("m102", session="c2")
    checked = await two.execute(
        "agm", m102, lambda m, now: attendance.check_in(m, AttendanceCheckIn(), m102, now)
    )
    assert checked is not None and checked.type == "attendance.checked_in"
    # The same member's entry written by the other process since: computed again.
    await join(one, "m103", "d1")
    await join(two, "m104", "e")
    await join(two, "m103", "d2")
    fresh = Hub(Store.from_url(redis_url), Links("secret"), crowd_above=3)
    _, stored = await fresh.meeting("agm")
    assert stored.participants["m102"].attended
    assert stored.participants["m103"].sessions == ["d1", "d2"]
    assert stored.presence == Presence.of(stored.participants)
    assert (await two.meeting("agm")) == (await fresh.meeting("agm"))
    for hub in (one, two, fresh):
        await hub.store.close()


async def test_a_commute_lands_only_while_what_it_was_computed_from_holds(redis_url: str) -> None:
    store = Store.from_url(redis_url)
    counts = {"present": 4, "voting": 4, "attended": 0, "waiting": 0, "joined": 4}
    assert await store.commit("c", 0, {}, {"version": 1}, {"a": {"n": 1}}, tags=("", "core"), counts=counts)
    one = {"present": 1, "voting": 1, "attended": 0, "waiting": 0, "joined": 1}

    def commute(core: str, entry: str, before: dict[str, int] | None, met: bool) -> Any:
        written = {entry: (before, {"n": 2})}
        return store.commute("c", core, "t", {"version": 0, "patch": []}, written, one, (5, met))

    assert await commute("other", "b", None, False) is None  # another kind of commit since
    assert await commute("core", "a", None, False) is None  # the entry is not as it was found
    assert await commute("core", "b", None, False) is None  # the quorum would be met after it
    assert await commute("core", "b", None, True) is None  # the quorum was not met before it
    counts["voting"] = 5
    assert await store.commit("c", 1, {}, {"version": 2}, tags=("core", "core2"), counts=counts)
    landed = await commute("core2", "a", {"n": 1}, True)
    assert landed is not None and (landed.version, landed.previous) == (3, "core2")
    assert landed.counts == {"present": 5, "voting": 6, "attended": 0, "waiting": 0, "joined": 5}
    stored = await store.redis.hgetall("hub:{m:c}:presence")
    assert stored == {k.encode(): str(v).encode() for k, v in landed.counts.items()}
    [event] = await store.events_since("c", 2, 10)
    assert event["version"] == 3
    assert event["patch"][-1] == {"op": "replace", "path": "/quorum/present", "value": 6}
    await store.close()


def _kept(old: object, new: object) -> bool:
    """Whether everything in `old` is in `new` as it was (`new` may hold more keys)."""
    if isinstance(old, dict):
        return isinstance(new, dict) and all(k in new and _kept(v, new[k]) for k, v in old.items())
    if isinstance(old, list):
        return isinstance(new, list) and len(old) == len(new) and all(map(_kept, old, new))
    return old == new


async def _restore(client: redis.Redis, dump: dict[bytes, list[object]]) -> None:
    """Write a store saved by `tests/data/store-before-entries.msgpack`'s maker back into Redis."""
    for key, (kind, value) in dump.items():
        if kind == "hash":
            await client.hset(key, mapping=value)  # type: ignore[arg-type]
        elif kind == "string":
            await client.set(key, value)  # type: ignore[arg-type]
        elif kind == "zset":
            await client.zadd(key, {member: score for member, score in value})  # type: ignore[attr-defined, union-attr]
        elif kind == "stream":
            for entry_id, fields in value:  # type: ignore[attr-defined, union-attr]
                await client.xadd(key, fields, id=entry_id)
        elif kind == "set":
            await client.sadd(key, *value)  # type: ignore[misc]


async def test_a_store_written_by_the_previous_release_is_upgraded_on_start(redis_url: str) -> None:
    """The data file holds every key the release before participant entries (commit c414cb0) wrote
    for the demo AGM after the chair and ten members joined, the meeting opened, an item was
    selected, one member asked to speak, one chatted and one left."""
    dump = msgpack.unpackb((ROOT / "tests/data/store-before-entries.msgpack").read_bytes(), raw=True)
    dump = {key: [kind.decode(), value] for key, (kind, value) in dump.items()}
    hub = await _hub(redis_url)
    await _restore(hub.store.redis, dump)
    old = await hub.store.load("agm")
    assert old is not None and len(old.doc["participants"]) == 11 and old.tag == ""
    old_version = old.version
    old_view = (await hub.store.event_log("agm"))[0]["patch"][0]["value"]
    for event in (await hub.store.event_log("agm"))[1:]:
        old_view = jsonpatch.apply_patch(old_view, event["patch"])

    assert await hub.upgrade() == 1
    assert await hub.upgrade() == 0  # once

    new = await hub.store.load("agm")
    assert new is not None and new.entries is not None
    version, doc, entries = new.version, new.doc, new.entries
    assert version == old_version + 1 and "participants" not in doc and len(entries) == 11
    fresh = await _hub(redis_url)
    _, m = await fresh.meeting("agm")
    assert m.presence == Presence(present=10, voting=10, attended=11, waiting=0, joined=11)
    assert m.current_item == "a1" and m.agenda[0].queue[0].member_id == "m002"
    assert m.chat[0].text == "Hello from the old store"
    # A client that held the old view catches up through the upgrade's event.
    caught = await fresh.catch_up("agm", old_version)
    assert [e["type"] for e in caught["events"]] == ["meeting.upgraded"]
    view = jsonpatch.apply_patch(old_view, caught["events"][0]["patch"])
    assert view == (await fresh.snapshot("agm"))["meeting"]
    # What the upgrade adds: the counts, and the parts derived from the state (the quorum, read from the
    # counts now, and what the view has gained since: where the meeting may go, the chair's next steps).
    # Everything else the old view held is as it was; fields added since hold their defaults.
    added = {"presence", *DERIVED}
    assert _kept({k: v for k, v in old_view.items() if k not in added}, view)
    # And the meeting goes on: a join writes its entry.
    who = actor("m050", session="s50")
    await fresh.execute("agm", who, lambda m, now: meetings.join(m, who, now))
    assert (await fresh.meeting("agm"))[1].presence.present == 11
    assert Meeting.model_validate({**doc, "participants": entries}).presence.joined == 11
    for h in (hub, fresh):
        await h.store.close()
