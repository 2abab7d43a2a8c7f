"""A hybrid meeting's hall at the edge: checking a member in reads who they are (their name, and their
role in the meeting) from the directory before the pure rule (hub/hall.py) runs, and the roll the
secretary searches is read from the branch and the directory."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from hub import hall
from hub.commands import HallCheckIn, HallRoll
from hub.meetings import Actor, Change, require_present
from hub.models import Meeting, Member, Role
from hub.permissions import effective_role
from hub.service import BoundRule, Hub

Run = Callable[[str, Actor, str, BoundRule], Awaitable[Any]]
# The roll's names are read from the directory at most this often per meeting: a search types ahead.
ROLL_KEPT_SECONDS = 30.0


class HallDesk:
    def __init__(self, hub: Hub, run: Run) -> None:
        self.hub = hub
        self.run = run
        # meeting -> (when read, the roll as (member id, name, role)).
        self._rolls: dict[str, tuple[float, list[tuple[str, str, Role]]]] = {}

    def handlers(self) -> dict[str, Callable[[str, str, Actor, Any], Awaitable[Any]]]:
        return {"hall.check_in": self.check_in, "hall.roll": self.roll}

    async def check_in(self, sid: str, meeting_id: str, actor: Actor, command: HallCheckIn) -> Any:
        meeting = (await self.hub.current(meeting_id)).meeting
        member, role = await self.hub.invitee(meeting, command.member_id, "hall.not_invited")
        entrant = hall.Entrant(member.id, member.name, role)

        def bound(m: Meeting, now: datetime) -> Change | None:
            return hall.check_in(m, command, actor, now, entrant)

        return await self.run(meeting_id, actor, "hall.check_in", bound)

    async def roll(self, sid: str, meeting_id: str, actor: Actor, command: HallRoll) -> Any:
        current = await self.hub.current(meeting_id)
        require_present(current.meeting, actor)
        roll = await self._roll(current.meeting)
        return {
            "version": current.version,
            **hall.roll_page(current.meeting, roll, command.query, command.after, command.limit),
        }

    async def _roll(self, meeting: Meeting) -> list[tuple[str, str, Role]]:
        """Everyone with a role in the meeting, named as the directory names them; kept a little while,
        since a branch may have thousands and the secretary searches as they type."""
        kept = self._rolls.get(meeting.id)
        if kept is not None and time.monotonic() - kept[0] < ROLL_KEPT_SECONDS:
            return kept[1]
        branch = await self.hub.branch(meeting.branch_id)
        roll = []
        if meeting.everyone or meeting.invited_branches:
            # Invited beyond its branch: whoever the meeting admits, as admission decides.
            homes = {b.id: b for b in await self.hub.branches()}
            for member in await self.hub.members():
                home = homes.get(member.branch) if member.branch is not None else None
                role = effective_role(branch, meeting, member.id, home) if member.active else None
                if role is not None:
                    roll.append((member.id, member.name, role))
        else:
            roles = {**branch.roles, **meeting.roles}
            docs = await self.hub.store.get_many("member", sorted(roles))
            for member_id, role in roles.items():
                doc = docs.get(member_id)
                if doc is not None and (found := Member.model_validate(doc)).active:
                    roll.append((member_id, found.name, role))
        if len(self._rolls) > 1000:
            self._rolls.clear()
        self._rolls[meeting.id] = (time.monotonic(), roll)
        return roll
