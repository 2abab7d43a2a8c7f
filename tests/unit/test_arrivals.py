"""Arrivals gathered (hub/arrivals.py): the joins that reach a big room in one pass of the event loop
are one rule run and one commit, and each connection is answered as its own join would be."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import pytest

from hub.arrivals import Arrivals
from hub.errors import HubError
from hub.meetings import Actor, Change
from hub.models import Event, Meeting
from tests.unit.builders import NOON, actor, meeting


class Meetings:
    """`Hub.execute` over one meeting in memory: the rule run, the change kept, an event made."""

    def __init__(self, m: Meeting) -> None:
        self.meeting = m
        self.version = 0
        self.calls: list[str] = []
        self.failure: Exception | None = None

    async def execute(
        self, meeting_id: str, who: Actor, rule: Callable[[Meeting, datetime], Change | None]
    ) -> Event | None:
        self.calls.append(who.member_id)
        await asyncio.sleep(0)
        if self.failure is not None:
            raise self.failure
        change = rule(self.meeting, NOON)
        if change is None:
            return None
        self.meeting, self.version = change.meeting, self.version + 1
        return Event(version=self.version, type=change.type, actor=who.member_id, at=NOON, data=change.data)


async def test_joins_in_one_pass_are_one_commit_and_each_is_answered() -> None:
    store = Meetings(meeting(removed=["m005"]))
    arrivals = Arrivals(store.execute)
    waiting = [
        arrivals.join("x", actor("m002", session="s2")),
        arrivals.join("x", actor("m003", session="s3")),
        arrivals.join("x", actor("m005", session="s5")),
    ]
    answers = await asyncio.gather(*waiting, return_exceptions=True)
    assert store.calls == ["hub"]
    event = answers[0]
    assert isinstance(event, Event) and event.type == "participants.joined" and answers[1] is event
    assert isinstance(answers[2], HubError) and answers[2].code == "auth.removed"
    assert set(store.meeting.participants) == {"m002", "m003"}

    # The next pass is the next commit; a connection that had joined already changes nothing.
    again = await arrivals.join("x", actor("m002", session="s2"))
    assert again is None and store.calls == ["hub", "hub"]


async def test_a_failed_commit_fails_every_join_it_held() -> None:
    store = Meetings(meeting())
    store.failure = HubError("busy", "The meeting is too busy right now; please try again.")
    arrivals = Arrivals(store.execute)
    waiting = [arrivals.join("x", actor(f"m00{n}", session=f"s{n}")) for n in (2, 3)]
    for answer in await asyncio.gather(*waiting, return_exceptions=True):
        assert isinstance(answer, HubError) and answer.code == "busy"


async def test_meetings_are_gathered_apart() -> None:
    store = Meetings(meeting())
    arrivals = Arrivals(store.execute)
    await asyncio.gather(arrivals.join("x", actor("m002")), arrivals.join("y", actor("m003", session="s3")))
    assert store.calls == ["hub", "hub"]


@pytest.mark.parametrize("count", [1, 40])
async def test_every_arrival_is_in_the_change(count: int) -> None:
    store = Meetings(meeting())
    arrivals = Arrivals(store.execute)
    await asyncio.gather(*(arrivals.join("x", actor(f"n{n:03}", session=f"s{n}")) for n in range(count)))
    assert len(store.meeting.participants) == count and store.meeting.presence.present == count
