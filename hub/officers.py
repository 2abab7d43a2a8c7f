"""Pure rules for the officers' console and the `hub` scripts: who may manage which branches, members
and meetings; the forms officers send, checked; meetings made from a template, rescheduled and
cancelled; the member list searched a page at a time and exported as CSV. No I/O (hub/directory.py
reads and writes the store).

An admin (`Member.admin`) manages the whole constituency. A branch officer (chair, secretary,
treasurer or officer on a branch's roll) manages that branch: its settings, the members on its roll or
who belong to it, and its meetings. Everyone else manages nothing."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field, model_validator

from hub import imports
from hub.errors import HubError
from hub.meetings import Actor, Change
from hub.models import (
    VOTING_ROLES,
    AgendaItem,
    AgendaKind,
    Branch,
    Id,
    Language,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    Model,
    Name,
    Role,
    StandingOrders,
    TimeZone,
    Title,
)
from hub.permissions import effective_role

# The roles on a branch's roll that make its officers.
BRANCH_OFFICERS = frozenset({Role.ADMIN, Role.CHAIR, Role.SECRETARY, Role.TREASURER, Role.OFFICER})
# Roles an officer may give a member on a branch's roll (the constituency's admins are `Member.admin`).
BRANCH_ROLES = imports.BRANCH_ROLES
# A page of the member list, at most.
PAGE_MOST = 200


@dataclass(frozen=True)
class Scope:
    """What one officer may manage: everything (`admin`), or these branches and the members on their
    rolls (`rolls`) or belonging to them."""

    member_id: str
    admin: bool
    branches: frozenset[str]
    rolls: frozenset[str]

    def reaches_branch(self, branch_id: str | None) -> bool:
        return self.admin or (branch_id is not None and branch_id in self.branches)

    def reaches_member(self, member: Member) -> bool:
        return self.admin or member.id in self.rolls or self.reaches_branch(member.branch)

    def reaches_meeting(self, meeting: Meeting) -> bool:
        return self.admin or meeting.branch_id in self.branches


def scope_of(member: Member, branches: Iterable[Branch]) -> Scope | None:
    """What `member` may manage; None when they are no officer at all (or deactivated)."""
    if not member.active:
        return None
    managed = [b for b in branches if b.roles.get(member.id) in BRANCH_OFFICERS]
    if not member.admin and not managed:
        return None
    rolls = frozenset(m for b in managed for m in b.roles)
    return Scope(member.id, member.admin, frozenset(b.id for b in managed), rolls)


# The operator at the command line: `hub branch add`, `hub meeting create`.
OPERATOR = Scope("hub", True, frozenset(), frozenset())


def forbidden(what: str) -> HubError:
    return HubError("forbidden", f"You may not {what}.")


def check_branch(scope: Scope, branch_id: str | None) -> None:
    if not scope.reaches_branch(branch_id):
        raise forbidden("manage this branch")


def check_member(scope: Scope, member: Member) -> None:
    if not scope.reaches_member(member):
        raise forbidden("manage this member")


def check_meeting(scope: Scope, meeting: Meeting) -> None:
    if not scope.reaches_meeting(meeting):
        raise forbidden("manage this meeting")


# Forms.


def _address(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"not an email address: {exc}") from None


Address = Annotated[str, Field(max_length=254), AfterValidator(_address)]
# The years a meeting may be held in: any zone's offset leaves such a time within what Python holds.
YEARS = (2000, 2199)


def _wall_clock(text: str) -> str:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("not a date and time on the calendar") from None
    if not YEARS[0] <= at.year <= YEARS[1]:
        raise ValueError(f"a year from {YEARS[0]} to {YEARS[1]}")
    return text


# A wall-clock time with no zone, as a date and time picker gives it: "2025-05-01T18:30".
LocalTime = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"), AfterValidator(_wall_clock)]


class BranchForm(Model):
    """A branch as an officer creates or edits it. The id is made from the name when not given."""

    id: Id | None = None
    name: Name
    home_time_zone: TimeZone = "UTC"
    public_livestream: bool = False
    standing_orders: StandingOrders = Field(default_factory=StandingOrders)


class MemberForm(Model):
    """One member as an officer edits them; `role` is their role on their branch's roll."""

    name: Name
    email: Address = ""
    time_zone: TimeZone = "UTC"
    branch: Id | None = None
    role: Role | None = None
    gender: Annotated[str, Field(max_length=40)] | None = None
    # None: as it was.
    language: Language | None = None
    # Admins only may change it.
    admin: bool | None = None

    @model_validator(mode="after")
    def _role_in_a_branch(self) -> MemberForm:
        if self.role is not None and self.role not in BRANCH_ROLES:
            raise ValueError(f"a role in a branch is one of {', '.join(r.value for r in BRANCH_ROLES)}")
        if self.role is not None and self.branch is None:
            raise ValueError("a role needs a branch")
        return self


class MemberActive(Model):
    active: bool


# What each kind of meeting starts from; the officer changes the agenda before creating it.
TEMPLATES: dict[str, list[tuple[str, AgendaKind, int | None]]] = {
    "branch": [
        ("Apologies and minutes of the last meeting", AgendaKind.MINUTES, 10),
        ("Officers' reports", AgendaKind.REPORT, 20),
        ("Motions", AgendaKind.MOTION, 45),
        ("Any other business", AgendaKind.OTHER, 10),
    ],
    "committee": [
        ("Minutes of the last meeting", AgendaKind.MINUTES, 5),
        ("Reports", AgendaKind.REPORT, 20),
        ("Decisions", AgendaKind.OTHER, 30),
        ("Any other business", AgendaKind.OTHER, 5),
    ],
    "agm": [
        ("Minutes of the last AGM", AgendaKind.MINUTES, 10),
        ("Annual report and accounts", AgendaKind.REPORT, 30),
        ("Motions", AgendaKind.MOTION, 60),
        ("Elections of officers and delegates", AgendaKind.ELECTION, 45),
        ("Any other business", AgendaKind.OTHER, 10),
    ],
}
TEMPLATE_TITLES: dict[str, str] = {"branch": "Branch meeting", "committee": "Committee meeting", "agm": "AGM"}


class AgendaLine(Model):
    title: Title
    kind: AgendaKind = AgendaKind.OTHER
    minutes_budget: Annotated[int, Field(ge=0, le=24 * 60)] | None = None


Invite = Literal["branch", "branches", "everyone"]


class Invitees(Model):
    """Who a meeting invites: its branch's members, several branches' or every member's."""

    branch_id: Id
    invite: Invite = "branch"
    # With "branches": the other branches invited besides `branch_id`.
    invited_branches: list[Id] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _branches_with_branches(self) -> Invitees:
        if self.invite != "branches" and self.invited_branches:
            raise ValueError('other branches are invited only with invite "branches"')
        if self.invite == "branches" and not [b for b in self.invited_branches if b != self.branch_id]:
            raise ValueError('invite "branches" names at least one other branch')
        return self


class MeetingDetails(Invitees):
    """Everything about a meeting but its time: what a series' meetings share (hub/series.py)."""

    kind: MeetingKind = "branch"
    # As long as a meeting's title may be (a longer one would fail only when the meeting is made).
    title: Name
    # The zone its time is given in (the branch's home zone when not given).
    time_zone: TimeZone | None = None
    agenda: list[AgendaLine] = Field(default_factory=list, max_length=100)
    # The branch's standing orders when not given.
    standing_orders: StandingOrders | None = None
    chair: Id | None = None
    secretary: Id | None = None
    tellers: list[Id] = Field(default_factory=list, max_length=10)
    lobby: bool = False
    code_of_conduct: Annotated[str, Field(max_length=5_000)] = ""


class MeetingForm(MeetingDetails):
    # In `time_zone`.
    starts_at: LocalTime


class Reschedule(Model):
    starts_at: LocalTime
    time_zone: TimeZone | None = None


class Cancel(Model):
    reason: Annotated[str, Field(max_length=500)] = ""


Minutes = Annotated[int, Field(ge=15, le=600)]


class FairTimes(Invitees):
    minutes: Minutes = 90
    # The slot the officer has picked, scored beside the best ones (in the branch's zone).
    starts_at: LocalTime | None = None
    # The day of the week the heat map shows, hour by hour (0 is Monday): the picked slot's, or the
    # best one's, when not given.
    weekday: Annotated[int, Field(ge=0, le=6)] | None = None


def local_time(text: str, zone: str) -> datetime:
    """A wall-clock time in `zone` as an aware time. A time the clocks skip (the hour lost when
    daylight saving starts) is refused; one they pass twice is the first of the two."""
    naive = datetime.fromisoformat(text)
    tz = ZoneInfo(zone)
    aware = naive.replace(tzinfo=tz)
    # A skipped time comes back different from the UTC round trip.
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise HubError(
            "meeting.bad_time",
            f"{naive:%d %b %Y %H:%M} does not exist in {zone}: the clocks go forward then.",
            {"starts_at": text, "time_zone": zone},
        )
    return aware


def slug(name: str) -> str:
    """A branch id made from its name."""
    # Accents dropped ("São Paulo" is sao-paulo); any other letter outside ASCII becomes a dash.
    plain = "".join(c for c in unicodedata.normalize("NFKD", name.lower()) if not unicodedata.combining(c))
    made = "".join(c if c.isascii() and c.isalnum() else "-" for c in plain).strip("-")
    while "--" in made:
        made = made.replace("--", "-")
    return made[:64] or "branch"


def new_branch(form: BranchForm, taken: Iterable[str]) -> Branch:
    branch_id = form.id or slug(form.name)
    if branch_id in set(taken):
        raise HubError("branch.exists", f"A branch {branch_id!r} already exists.", {"branch_id": branch_id})
    return Branch(
        id=branch_id,
        name=form.name,
        home_time_zone=form.home_time_zone,
        public_livestream=form.public_livestream,
        standing_orders=form.standing_orders,
    )


def edited_branch(branch: Branch, form: BranchForm) -> Branch:
    return branch.model_copy(
        update={
            "name": form.name,
            "home_time_zone": form.home_time_zone,
            "public_livestream": form.public_livestream,
            "standing_orders": form.standing_orders,
        }
    )


def check_invitees(scope: Scope, form: Invitees, known: Iterable[str]) -> None:
    """Only an admin invites every member; a branch officer invites only branches they manage."""
    names = set(known)
    for branch_id in [form.branch_id, *form.invited_branches]:
        if branch_id not in names:
            raise HubError("branch.not_found", f"There is no branch {branch_id!r}.", {"branch_id": branch_id})
        check_branch(scope, branch_id)
    if form.invite == "everyone" and not scope.admin:
        raise forbidden("invite every member: only an admin may")


def new_meeting(form: MeetingForm, branch: Branch, meeting_id: str, members: Mapping[str, Member]) -> Meeting:
    """The meeting a form describes, in `branch`, with its appointments checked against `members`."""
    zone = form.time_zone or branch.home_time_zone
    lines = form.agenda or [AgendaLine(title=t, kind=k, minutes_budget=m) for t, k, m in TEMPLATES[form.kind]]
    appointed: dict[str, Role] = {}
    for teller in form.tellers:
        appointed[teller] = Role.SECRETARY
    for who, role in ((form.secretary, Role.SECRETARY), (form.chair, Role.CHAIR)):
        if who is not None:
            appointed[who] = role
    for who in appointed:
        found = members.get(who)
        if found is None or not found.active:
            raise HubError("member.not_found", f"There is no member {who!r}.", {"member_id": who})
    return Meeting(
        id=meeting_id,
        branch_id=branch.id,
        kind=form.kind,
        title=form.title,
        starts_at=local_time(form.starts_at, zone),
        time_zone=zone,
        roles=appointed,
        invited_branches=[b for b in dict.fromkeys(form.invited_branches) if b != branch.id],
        everyone=form.invite == "everyone",
        standing_orders=form.standing_orders or branch.standing_orders,
        agenda=[
            AgendaItem(id=f"a{n}", title=line.title, kind=line.kind, minutes_budget=line.minutes_budget)
            for n, line in enumerate(lines, start=1)
        ],
        serial=len(lines),
        lobby=form.lobby,
        code_of_conduct=form.code_of_conduct,
    )


def meeting_id(form: MeetingForm, starts_at: datetime, taken: Iterable[str]) -> str:
    """A readable id for a new meeting: branch, kind and date, numbered when the day has one already."""
    base = f"{form.branch_id}-{form.kind}-{starts_at:%Y-%m-%d}"[:60]
    used = set(taken)
    n, found = 1, base
    while found in used:
        n += 1
        found = f"{base}-{n}"
    return found


def _scheduled(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise HubError(
            "meeting.not_scheduled",
            "Only a meeting that has not opened can be rescheduled or cancelled; "
            f"this one is {meeting.status.value}.",
            {"status": meeting.status.value},
        )


def reschedule(meeting: Meeting, command: Reschedule, actor: Actor, now: datetime) -> Change | None:
    """The meeting moved to another time (and perhaps zone), before it opens."""
    _scheduled(meeting)
    zone = command.time_zone or meeting.time_zone
    starts_at = local_time(command.starts_at, zone).astimezone(UTC)
    if starts_at == meeting.starts_at and zone == meeting.time_zone:
        return None
    moved = meeting.model_copy(update={"starts_at": starts_at, "time_zone": zone})
    return Change(
        moved,
        "meeting.rescheduled",
        {
            "from": meeting.starts_at.isoformat(),
            "to": moved.starts_at.isoformat(),
            "time_zone": zone,
        },
    )


def cancel(meeting: Meeting, command: Cancel, actor: Actor, now: datetime) -> Change | None:
    """The meeting called off before it opens: it never opens."""
    if meeting.status == MeetingStatus.CANCELLED:
        return None
    _scheduled(meeting)
    cancelled = meeting.model_copy(update={"status": MeetingStatus.CANCELLED})
    return Change(cancelled, "meeting.cancelled", {"reason": command.reason})


# Who is invited.


def invitees(
    meeting: Meeting, members: Iterable[Member], branches: Mapping[str, Branch]
) -> list[tuple[Member, Role]]:
    """Every active member the meeting invites, with their role in it."""
    branch = branches[meeting.branch_id]
    found = []
    for member in members:
        if not member.active:
            continue
        home = branches.get(member.branch) if member.branch else None
        role = effective_role(branch, meeting, member.id, home)
        if role is not None:
            found.append((member, role))
    return found


def electorate(invited: Iterable[tuple[Member, Role]]) -> int:
    return sum(1 for _, role in invited if role in VOTING_ROLES)


def zones(invited: Iterable[tuple[Member, Role]]) -> Counter[str]:
    """The invited members counted by time zone, for the fair-time scores (hub/slots.py)."""
    return Counter(member.time_zone for member, _ in invited)


def first_week(today: date) -> date:
    """Fair times are scored from next week on: the dates a meeting can still be called for."""
    return today + timedelta(days=7 - today.weekday())


# The member list.


def search(members: Iterable[Member], query: str = "", branch: str | None = None) -> list[Member]:
    """Members whose name, email or member number holds `query` (without case), in `branch` when given
    ("none": those in no branch), by name."""
    wanted = query.strip().casefold()
    found = [
        m
        for m in members
        if (branch is None or m.branch == (None if branch == "none" else branch))
        and (
            not wanted
            or wanted in m.name.casefold()
            or wanted in m.email.casefold()
            or wanted in m.id.casefold()
        )
    ]
    return sorted(found, key=lambda m: (m.name.casefold(), m.id))


def member_view(member: Member, roles: Mapping[str, Role]) -> dict[str, Any]:
    """A member as the console lists them, with their role on their branch's roll."""
    return {**member.model_dump(mode="json"), "role": roles.get(member.id)}


# Export.

# A cell a spreadsheet would take for a formula (and run) starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = (
    "Member number",
    "Name",
    "Email",
    "Time zone",
    "Branch",
    "Role",
    "Gender",
    "Language",
    "Active",
)


def neutral(cell: str) -> str:
    """A cell a spreadsheet will show as text: one that would start a formula gets a leading
    apostrophe (OWASP's advice for CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def export_csv(members: Iterable[Member], branches: Mapping[str, Branch]) -> str:
    """The members as a CSV file that `hub members import` and the console read back (UTF-8 with a
    byte-order mark, so spreadsheets open it as UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for m in members:
        branch = branches.get(m.branch) if m.branch else None
        role = branch.roles.get(m.id) if branch else None
        cells = [
            m.id,
            m.name,
            m.email,
            m.time_zone,
            branch.name if branch else "",
            role.value if role else "",
            m.gender or "",
            m.language,
            "yes" if m.active else "no",
        ]
        writer.writerow([neutral(c) for c in cells])
    return "\ufeff" + out.getvalue()


# Imports by a branch officer.


def confine(found: imports.Preview, scope: Scope, members: Iterable[Member]) -> imports.Preview:
    """A preview in which every row a branch officer may not save is an error: a member outside
    their branches, before or after the row."""
    if scope.admin or found.problems:
        return found
    before = {m.id: m for m in members}
    rows = []
    for row in found.rows:
        current = before.get(row.member.id) if row.member is not None else None
        outside = row.member is not None and (
            not scope.reaches_branch(row.member.branch)
            or (current is not None and not scope.reaches_member(current))
        )
        if outside:
            problem = imports.Problem(
                "branch", "import.outside_branch", "You may import members of your own branches only."
            )
            rows.append(imports.Row(row.line, imports.Outcome.ERROR, problems=(problem,)))
        else:
            rows.append(row)
    counts = {o.value: sum(1 for r in rows if r.outcome == o) for o in imports.Outcome}
    return imports.Preview(tuple(rows), columns=found.columns, counts=counts)


def preview_view(found: imports.Preview) -> dict[str, Any]:
    """An import's preview as the console shows it, row by row."""
    return {
        "ok": found.ok,
        "counts": dict(found.counts),
        "problems": [vars(p) for p in found.problems],
        "rows": [
            {
                "line": r.line,
                "outcome": r.outcome.value,
                "member": None
                if r.member is None
                else r.member.model_dump(mode="json", include={"id", "name", "email", "branch"}),
                "changed": list(r.changed),
                "problems": [vars(p) for p in r.problems],
            }
            for r in found.rows
        ],
    }
