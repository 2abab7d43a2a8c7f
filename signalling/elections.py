"""Elections at the edge: a nomination reads who the nominee is (their name, role in the meeting and
self-described gender's balance group) from the directory before the pure rule (hub/elections.py)
runs, so a member can be nominated whether or not they have joined."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from hub import elections, speakers
from hub.commands import ElectionNominate
from hub.meetings import Actor, Change
from hub.models import Meeting
from hub.service import BoundRule, Hub

Run = Callable[[str, Actor, str, BoundRule], Awaitable[Any]]


class ElectionDesk:
    def __init__(self, hub: Hub, run: Run) -> None:
        self.hub = hub
        self.run = run

    def handlers(self) -> dict[str, Callable[[str, str, Actor, Any], Awaitable[Any]]]:
        return {"election.nominate": self.nominate}

    async def nominate(self, sid: str, meeting_id: str, actor: Actor, command: ElectionNominate) -> Any:
        meeting = (await self.hub.current(meeting_id)).meeting
        member, role = await self.hub.invitee(meeting, command.member_id, "election.not_invited")
        nominee = elections.Nominee(member.id, member.name, role, speakers.balance_group(member.gender))

        def bound(m: Meeting, now: datetime) -> Change | None:
            return elections.nominate(m, command, actor, now, nominee)

        return await self.run(meeting_id, actor, "election.nominate", bound)
