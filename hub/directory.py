"""Branches, members and meetings as officers manage them: the service behind the officers' console
(signalling/officers.py) and the `hub branch` and `hub meeting` scripts. Each call is given the
caller's `Scope` and refuses what it does not reach; the rules are in hub/officers.py."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from hub import imports, officers, series, slots
from hub.errors import HubError
from hub.meetings import Actor
from hub.models import Branch, Meeting, Member, Role
from hub.officers import Scope
from hub.service import Hub

# Candidate slots shown beside the date picker.
FAIR_TIMES_SHOWN = 8


@dataclass(frozen=True)
class Page:
    members: list[dict[str, Any]]
    total: int
    offset: int


class Directory:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def scope(self, member_id: str) -> tuple[Member, Scope | None]:
        """The member and what they may manage (None: nothing)."""
        member = await self.hub.member(member_id)
        return member, officers.scope_of(member, await self.hub.branches())

    def _actor(self, scope: Scope, name: str) -> Actor:
        # Rescheduling and cancelling are officers' business, not a role in the meeting's room.
        return Actor(member_id=scope.member_id, name=name, role=Role.ADMIN)

    async def _name(self, scope: Scope) -> str:
        if scope is officers.OPERATOR:
            return "hub"
        return (await self.hub.member(scope.member_id)).name

    # Branches.

    async def branches(self, scope: Scope) -> list[dict[str, Any]]:
        return [
            {**b.model_dump(mode="json", exclude={"roles"}), "members": len(b.roles)}
            for b in sorted(await self.hub.branches(), key=lambda b: b.name.casefold())
            if scope.reaches_branch(b.id)
        ]

    async def add_branch(self, scope: Scope, form: officers.BranchForm) -> Branch:
        if not scope.admin:
            raise officers.forbidden("create branches: only an admin may")
        branch = officers.new_branch(form, [b.id for b in await self.hub.branches()])
        await self.hub.save_branch(branch)
        return branch

    async def edit_branch(self, scope: Scope, branch_id: str, form: officers.BranchForm) -> Branch:
        officers.check_branch(scope, branch_id)
        branch = officers.edited_branch(await self.hub.branch(branch_id), form)
        await self.hub.save_branch(branch)
        return branch

    # Members.

    async def members(
        self, scope: Scope, query: str = "", branch: str | None = None, offset: int = 0, limit: int = 50
    ) -> Page:
        """A page of the members the officer reaches, by name."""
        branches = {b.id: b for b in await self.hub.branches()}
        reached = [m for m in await self.hub.members() if scope.reaches_member(m)]
        found = officers.search(reached, query, branch)
        shown = found[offset : offset + min(limit, officers.PAGE_MOST)]
        views = [
            officers.member_view(m, branches[m.branch].roles if m.branch in branches else {}) for m in shown
        ]
        return Page(views, len(found), offset)

    async def edit_member(self, scope: Scope, member_id: str, form: officers.MemberForm) -> Member:
        """The member's details, their branch and their role on its roll (a member who moves leaves
        the old branch's roll)."""
        member = await self.hub.member(member_id)
        officers.check_member(scope, member)
        if form.branch is not None and (form.branch != member.branch or form.role is not None):
            officers.check_branch(scope, form.branch)
        if form.branch is None and member.branch is not None and not scope.admin:
            raise officers.forbidden("take a member out of every branch: only an admin may")
        if form.admin is not None and form.admin != member.admin and not scope.admin:
            raise officers.forbidden("appoint admins: only an admin may")
        if form.email and form.email.lower() != member.email.lower():
            other = await self.hub.member_by_email(form.email)
            if other is not None and other.id != member.id:
                raise HubError(
                    "member.email_taken",
                    f"The address {form.email} belongs to member {other.id}.",
                    {"member_id": other.id},
                )
        branches = {b.id: b for b in await self.hub.branches()}
        if form.branch is not None and form.branch not in branches:
            raise HubError(
                "branch.not_found", f"There is no branch {form.branch!r}.", {"branch_id": form.branch}
            )
        update: dict[str, Any] = {
            "name": form.name,
            "email": form.email,
            "time_zone": form.time_zone,
            "branch": form.branch,
            "gender": form.gender,
        }
        if form.admin is not None:
            update["admin"] = form.admin
        if form.language is not None:
            update["language"] = form.language
        edited = member.model_copy(update=update)
        changed = []
        for branch in branches.values():
            roles = dict(branch.roles)
            if branch.id == member.branch and branch.id != form.branch:
                roles.pop(member.id, None)
            if branch.id == form.branch:
                roles[member.id] = form.role or roles.get(member.id) or Role.MEMBER
            if roles != branch.roles:
                changed.append(branch.model_copy(update={"roles": roles}))
        await self.hub.save_member(edited)
        await self.hub.store.put_many("branch", {b.id: b.model_dump(mode="json") for b in changed})
        return edited

    async def set_active(self, scope: Scope, member_id: str, active: bool) -> Member:
        """A member deactivated (they can no longer sign in, join or be invited) or active again."""
        member = await self.hub.member(member_id)
        officers.check_member(scope, member)
        if member.id == scope.member_id and not active:
            raise HubError("member.self", "You cannot deactivate yourself.")
        changed = member.model_copy(update={"active": active})
        await self.hub.save_member(changed)
        return changed

    async def export(self, scope: Scope, branch: str | None = None) -> str:
        branches = {b.id: b for b in await self.hub.branches()}
        reached = [m for m in await self.hub.members() if scope.reaches_member(m)]
        return officers.export_csv(officers.search(reached, "", branch), branches)

    async def import_members(self, scope: Scope, data: bytes, save: bool) -> imports.Preview:
        return await self.hub.import_members(
            data, save, confine=lambda found, members: officers.confine(found, scope, members)
        )

    # Meetings.

    async def _meetings(self) -> list[Meeting]:
        return [(await self.hub.meeting(m))[1] for m in await self.hub.store.meeting_ids()]

    async def meetings(self, scope: Scope) -> list[dict[str, Any]]:
        """The meetings the officer manages, soonest first, with how many are invited to each."""
        branches = {b.id: b for b in await self.hub.branches()}
        members = await self.hub.members()
        found = []
        for meeting in sorted(await self._meetings(), key=lambda m: m.starts_at):
            if not scope.reaches_meeting(meeting) or meeting.branch_id not in branches:
                continue
            found.append(self.meeting_view(meeting, branches, members))
        return found

    def meeting_view(
        self, meeting: Meeting, branches: dict[str, Branch], members: list[Member]
    ) -> dict[str, Any]:
        names = {m.id: m.name for m in members}
        return {
            "id": meeting.id,
            "title": meeting.title,
            "kind": meeting.kind,
            "branch_id": meeting.branch_id,
            "branch": branches[meeting.branch_id].name,
            "starts_at": meeting.starts_at.isoformat(),
            "time_zone": meeting.time_zone,
            "status": meeting.status.value,
            "series": meeting.series.model_dump(mode="json") if meeting.series else None,
            "everyone": meeting.everyone,
            "invited_branches": meeting.invited_branches,
            "invited": len(officers.invitees(meeting, members, branches)),
            "appointed": [
                {"member_id": m, "name": names.get(m, m), "role": r.value} for m, r in meeting.roles.items()
            ],
            "lobby": meeting.lobby,
        }

    async def create_meeting(self, scope: Scope, form: officers.MeetingForm) -> Meeting:
        branches = {b.id: b for b in await self.hub.branches()}
        officers.check_invitees(scope, form, branches)
        branch = branches[form.branch_id]
        members = await self.hub.members()
        draft = officers.new_meeting(form, branch, "draft", {m.id: m for m in members})
        meeting_id = officers.meeting_id(form, draft.starts_at, await self.hub.store.meeting_ids())
        meeting = draft.model_copy(update={"id": meeting_id})
        electorate = officers.electorate(officers.invitees(meeting, members, branches))
        await self.hub.create_meeting(meeting, actor=scope.member_id, electorate=electorate)
        return meeting

    async def _managed(self, scope: Scope, meeting_id: str) -> Meeting:
        _, meeting = await self.hub.meeting(meeting_id)
        officers.check_meeting(scope, meeting)
        return meeting

    async def reschedule(self, scope: Scope, meeting_id: str, form: officers.Reschedule) -> Meeting:
        await self._managed(scope, meeting_id)
        actor = self._actor(scope, await self._name(scope))
        await self.hub.execute(meeting_id, actor, lambda m, now: officers.reschedule(m, form, actor, now))
        _, meeting = await self.hub.meeting(meeting_id)
        await self.hub.store.index_meeting(meeting.id, meeting.starts_at.timestamp())
        return meeting

    async def cancel(self, scope: Scope, meeting_id: str, form: officers.Cancel) -> Meeting:
        await self._managed(scope, meeting_id)
        actor = self._actor(scope, await self._name(scope))
        await self.hub.execute(meeting_id, actor, lambda m, now: officers.cancel(m, form, actor, now))
        return (await self.hub.meeting(meeting_id))[1]

    async def _invited_zones(self, scope: Scope, form: officers.Invitees) -> tuple[Branch, Counter[str]]:
        """The branch a meeting would be held by, and the members it would invite counted by zone."""
        branches = {b.id: b for b in await self.hub.branches()}
        officers.check_invitees(scope, form, branches)
        branch = branches[form.branch_id]
        shell = Meeting(
            id="draft",
            branch_id=branch.id,
            title="draft",
            starts_at=self.hub.clock(),
            time_zone=branch.home_time_zone,
            invited_branches=form.invited_branches,
            everyone=form.invite == "everyone",
        )
        return branch, officers.zones(officers.invitees(shell, await self.hub.members(), branches))

    async def fair_times(self, scope: Scope, form: officers.FairTimes) -> dict[str, Any]:
        """The best weekly slots for the members a meeting would invite, and the slot picked, scored
        by how many each asks to meet at night or at the edge of their day (hub/slots.py); and a heat
        map of one weekday, hour by hour, by region."""
        branch, zones = await self._invited_zones(scope, form)
        home = branch.home_time_zone
        first = officers.first_week(self.hub.clock().astimezone(ZoneInfo(home)).date())
        best = slots.candidates(zones, home, first, minutes=form.minutes)[:FAIR_TIMES_SHOWN]
        picked = None
        if form.starts_at is not None:
            at = officers.local_time(form.starts_at, home)
            slot = slots.Slot(at.weekday(), time(at.hour, at.minute), form.minutes, home)
            picked = _score_view(slots.score(slot, zones, at.date()), at.date())
        weekday = form.weekday
        if weekday is None:
            weekday = picked["weekday"] if picked else best[0].slot.weekday if best else 0
        day = slots.day_scores(zones, home, weekday, first, minutes=form.minutes)
        return {
            "time_zone": home,
            "invited": sum(zones.values()),
            "zones": dict(sorted(zones.items())),
            "best": [_score_view(s, first) for s in best],
            "picked": picked,
            "heat": {
                "weekday": weekday,
                "regions": dict(sorted(slots.people(zones).items())),
                "hours": [_score_view(s, first) for s in day],
            },
        }

    # Series.

    async def plan_series(self, scope: Scope, form: series.SeriesTimes) -> dict[str, Any]:
        """The hub's proposal for a series (a rotation of weekly slots that passes the night between
        regions), or the officer's own times for it, each meeting scored on its date."""
        branch, zones = await self._invited_zones(scope, form)
        home = branch.home_time_zone
        if form.starts is not None:
            planned = series.scored(form.starts, home, form.minutes, zones)
        else:
            days = series.anchors(form.first, form.every, form.meetings)
            scores = slots.candidates(
                zones, home, days[0], minutes=form.minutes, weeks=series.span_weeks(days)
            )
            planned = list(slots.plan(scores, zones, days))
        return {
            "time_zone": home,
            "invited": sum(zones.values()),
            "proposed": form.starts is None,
            **series.plan_view(planned, zones),
        }

    async def create_series(self, scope: Scope, form: series.SeriesForm) -> list[Meeting]:
        """Every meeting of the series, each created as `create_meeting` creates one; all are checked
        before the first is saved."""
        branches = {b.id: b for b in await self.hub.branches()}
        officers.check_invitees(scope, form, branches)
        members = await self.hub.members()
        made = series.meetings(
            form, branches[form.branch_id], {m.id: m for m in members}, await self.hub.store.meeting_ids()
        )
        electorate = officers.electorate(officers.invitees(made[0], members, branches))
        for meeting in made:
            await self.hub.create_meeting(meeting, actor=scope.member_id, electorate=electorate)
        return made


def _score_view(score: slots.Score, first: date) -> dict[str, Any]:
    slot = score.slot
    next_date = slot.on(first)
    return {
        "weekday": slot.weekday,
        "start": slot.start.strftime("%H:%M"),
        "minutes": slot.minutes,
        "next": next_date.strftime("%Y-%m-%dT%H:%M"),
        "night": score.burden.night,
        "edge": score.burden.edge,
        "by_region": {r: {"night": b.night, "edge": b.edge} for r, b in score.by_region.items()},
        "varies": score.varies,
    }
