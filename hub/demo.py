"""Demo data from the sample constituency: branches, members, the AGM, and join links to print."""

from __future__ import annotations

import functools
import json
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from hub import elections, motions, speakers
from hub.commands import ElectionNominate, MotionSecond, MotionSubmit
from hub.errors import HubError
from hub.events import Rule
from hub.meetings import Actor, Change
from hub.models import AgendaItem, Branch, Event, Meeting, Member, Model, Post, Role, StandingOrders
from hub.service import Hub

SAMPLE = "sample-constituency.json"
CONSTITUENCY_ID = "intl"
DEMO_MEETING_ID = "agm"
# Who gets a printed join link first: the officers and members from three continents; then more
# members, until those printed can make the meeting quorate.
LINKED = ["m001", "m007", "m002", "m025", "m031", "m040"]
# The demo meeting is over this long after it starts; its links last until then.
MEETING_LASTS = timedelta(days=1)
# And at least this long, once the demo meeting's date has passed.
LINKS_LAST_AT_LEAST = timedelta(days=30)


def sample() -> dict[str, Any]:
    return json.loads(resources.files("hub").joinpath(f"data/{SAMPLE}").read_text())  # type: ignore[no-any-return]


def meeting_over() -> datetime:
    """When the demo meeting is over: links must last until then."""
    return datetime.fromisoformat(sample()["agm"]["scheduled_start_utc"]) + MEETING_LASTS


def linked(data: dict[str, Any]) -> list[str]:
    """Who gets a printed link: LINKED, then members in order until they are enough for the quorum."""
    quorum = data["agm"]["quorum"]
    needed = int(quorum["value"]) if quorum["kind"] == "number" else len(data["members"])
    chosen = list(LINKED)
    for member in data["members"]:
        if len(chosen) >= needed:
            break
        if member["id"] not in chosen and "observer" not in member["roles"]:
            chosen.append(member["id"])
    return chosen


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


async def _submit_motions(hub: Hub, agenda: list[dict[str, Any]], roles: dict[str, Role]) -> None:
    """The AGM's motions, each submitted on its item by its mover and seconded by its seconder, as they
    would have done from their join links before the meeting opened (hub/motions.py `submit`, `second`):
    the log records them as it would theirs."""

    async def as_member(member_id: str) -> Actor:
        member = await hub.member(member_id)
        return Actor(member_id=member.id, name=member.name, role=roles[member.id])

    async def run(rule: Rule, command: Model, actor: Actor) -> Event | None:
        return await hub.execute(DEMO_MEETING_ID, actor, lambda m, now: rule(m, command, actor, now))

    for n, item in enumerate(agenda, start=1):
        if "motion" not in item:
            continue
        raw = item["motion"]
        # The item's title names the motion ("Motion 1: Votes for life ..."): its title is the rest.
        title = item["title"].split(": ", 1)[-1]
        submit = MotionSubmit(title=title, text=raw["text"], item_id=f"a{n}")
        submitted = await run(motions.submit, submit, await as_member(raw["mover"]))
        assert submitted is not None
        second = MotionSecond(motion_id=submitted.data["motion_id"])
        await run(motions.second, second, await as_member(raw["seconder"]))


def _posts(agenda: list[dict[str, Any]]) -> list[Post]:
    """The posts the AGM's election items fill, as its officers set them up."""
    posts: list[Post] = []
    for n, item in enumerate(agenda, start=1):
        for raw in item.get("elections", []):
            posts.append(
                Post(
                    id=f"post{len(posts) + 1}",
                    item_id=f"a{n}",
                    title=raw["post"],
                    seats=raw["seats"],
                    women_at_least=raw.get("min_women", 0),
                    women_only=raw.get("eligible_gender") == "woman",
                )
            )
    return posts


def _nominate(
    command: ElectionNominate, actor: Actor, nominee: elections.Nominee, meeting: Meeting, now: datetime
) -> Change:
    return elections.nominate(meeting, command, actor, now, nominee)


async def _nominate_candidates(
    hub: Hub, posts: list[Post], agenda: list[dict[str, Any]], roles: dict[str, Role]
) -> None:
    """The AGM's candidates, each nominating themselves for their post before the meeting."""
    standing = [raw["candidates"] for item in agenda for raw in item.get("elections", [])]
    for post, candidates in zip(posts, standing, strict=True):
        for member_id in candidates:
            member = await hub.member(member_id)
            actor = Actor(member_id=member.id, name=member.name, role=roles[member.id])
            nominee = elections.Nominee(
                member.id, member.name, roles[member.id], speakers.balance_group(member.gender)
            )
            command = ElectionNominate(post_id=post.id, member_id=member.id)
            await hub.execute(DEMO_MEETING_ID, actor, functools.partial(_nominate, command, actor, nominee))


async def load_demo(
    hub: Hub, valid_for: timedelta = timedelta(days=30), with_motions: bool = True
) -> list[tuple[Member, Role, str]]:
    """Create the demo (again, if it exists) and return (member, role, token) for LINKED. With
    `with_motions`, a demo meeting created now has the AGM's motions waiting on their items."""
    data = sample()
    constituency = data["constituency"]
    roles: dict[str, Role] = {}
    branches: dict[str, Branch] = {}
    for entry in data["branches"]:
        branches[entry["name"]] = Branch(
            id=_slug(entry["name"]), name=entry["name"], home_time_zone=entry["time_zones"][0]
        )
    for raw in data["members"]:
        member = Member(
            id=raw["id"],
            name=raw["name"],
            email=raw["email"],
            time_zone=raw["time_zone"],
            gender=raw.get("gender"),
            language=raw.get("language", "en"),
            branch=_slug(raw["branch"]) if raw.get("branch") else None,
            # The constituency's secretary administers it in the officers' console.
            admin="secretary" in raw["roles"],
        )
        await hub.save_member(member)
        officer = [r for r in raw["roles"] if r in {Role.CHAIR, Role.SECRETARY}]
        roles[member.id] = Role(officer[0]) if officer else Role.MEMBER
        if raw.get("branch"):
            branches[raw["branch"]].roles[member.id] = Role.MEMBER
    for branch in branches.values():
        await hub.save_branch(branch)
    await hub.save_branch(
        Branch(
            id=CONSTITUENCY_ID,
            name=constituency["name"],
            home_time_zone=constituency["home_time_zone"],
            roles=roles,
        )
    )
    agm = data["agm"]
    posts = _posts(agm["agenda"])
    try:
        await hub.create_meeting(
            Meeting(
                id=DEMO_MEETING_ID,
                branch_id=CONSTITUENCY_ID,
                kind="agm",
                title=agm["title"],
                starts_at=datetime.fromisoformat(agm["scheduled_start_utc"]),
                time_zone=agm["home_time_zone"],
                standing_orders=StandingOrders(quorum=agm["quorum"], **agm["standing_orders"]),
                agenda=[
                    AgendaItem(
                        id=f"a{n}",
                        title=item["title"],
                        kind=item["kind"],
                        minutes_budget=item.get("minutes_budget"),
                    )
                    for n, item in enumerate(agm["agenda"], start=1)
                ],
                posts=posts,
                serial=len(agm["agenda"]) + len(posts),
            )
        )
        if with_motions:
            await _submit_motions(hub, agm["agenda"], roles)
            await _nominate_candidates(hub, posts, agm["agenda"], roles)
    except HubError as exc:
        if exc.code != "meeting.exists":
            raise
    links = []
    for member_id in linked(data):
        member = await hub.member(member_id)
        links.append((member, roles[member_id], await hub.issue_link(member_id, DEMO_MEETING_ID, valid_for)))
    return links
