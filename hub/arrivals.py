"""Connections joining a meeting, gathered: one rule, one commit and one event for all that arrive in
the same pass of the event loop.

What a join costs the hub is the rule, the delta, the patch, the commit around one participant entry
and, in a small room, an event sent to everyone. In a storm of 3,500 that was most of the hub's work
per join (docs/performance.md, "Join storm"); gathered, it is paid once for every few dozen. One who
arrives alone joins as always (`participant.joined`); those who arrive together are one
`participants.joined`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from hub.errors import HubError
from hub.meetings import Actor, Change, arrive, join
from hub.models import Event, Meeting, Role

# Who commits arrivals gathered from several members: the hub, queued like a member's command.
GATHERER = Actor(member_id="hub", name="Hub", role=Role.MEMBER)

Execute = Callable[[str, Actor, Callable[[Meeting, datetime], Change | None]], Awaitable[Event | None]]
Waiting = list[tuple[Actor, "asyncio.Future[Event | None]"]]


class Arrivals:
    def __init__(self, execute: Execute) -> None:
        self._execute = execute
        self._waiting: dict[str, Waiting] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def join(self, meeting_id: str, actor: Actor) -> asyncio.Future[Event | None]:
        """The event that has this connection joined (with others), once committed; None if it had
        joined already. Fails as `meetings.join` would refuse it."""
        loop = asyncio.get_running_loop()
        waiting = self._waiting.get(meeting_id)
        if waiting is None:
            waiting = self._waiting[meeting_id] = []
            # Whoever arrives before the loop comes round again goes with this one.
            loop.call_soon(self._gather, meeting_id)
        arrived: asyncio.Future[Event | None] = loop.create_future()
        waiting.append((actor, arrived))
        return arrived

    def _gather(self, meeting_id: str) -> None:
        waiting = self._waiting.pop(meeting_id, [])
        if waiting:
            task = asyncio.create_task(self._commit(meeting_id, waiting))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _commit(self, meeting_id: str, waiting: Waiting) -> None:
        actors = [actor for actor, _ in waiting]
        # The rule may run again on a newer version: what the last run refused is what was refused.
        refused: dict[str, HubError] = {}

        def rule(meeting: Meeting, now: datetime) -> Change | None:
            if len(actors) == 1:
                # Alone: the join it always was (`participant.joined`), refused as it always was.
                return join(meeting, actors[0], now)
            change, found = arrive(meeting, actors, now)
            refused.clear()
            refused.update(found)
            return change

        try:
            event = await self._execute(meeting_id, GATHERER, rule)
        except asyncio.CancelledError:
            for _, arrived in waiting:
                arrived.cancel()
            raise
        except Exception as exc:
            for _, arrived in waiting:
                if not arrived.done():
                    arrived.set_exception(exc)
            return
        for actor, arrived in waiting:
            if arrived.done():
                continue
            refusal = refused.get(actor.session)
            if refusal is not None:
                arrived.set_exception(refusal)
            else:
                arrived.set_result(event)
