"""Pure rules for importing members from a CSV file: read the file as spreadsheets write it, check every
row, and say what saving it would do (new, updated, unchanged, or an error with the field and the
reason) before anything is saved. Nothing is saved while any row has an error. No I/O.

A row matches a member by member number, then by email address. Only the columns the file has are
compared and changed: a file without a `gender` column leaves everyone's gender as it was."""

from __future__ import annotations

import csv
import enum
import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from pydantic import TypeAdapter, ValidationError

from hub.models import LANGUAGES, Branch, Id, Member, Name, Role, TimeZone

# What a file may hold, by the names spreadsheets give the columns (compared without case, spaces,
# dashes or underscores).
COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("membernumber", "memberno", "number", "membershipnumber", "id", "memberid"),
    "name": ("name", "fullname"),
    "email": ("email", "emailaddress", "mail"),
    "time_zone": ("timezone", "tz", "zone"),
    "branch": ("branch", "branchname"),
    "role": ("role", "branchrole"),
    "gender": ("gender",),
    "language": ("language", "lang", "preferredlanguage", "locale"),
}
# Roles a file may give a member in their branch (the constituency's admins are appointed elsewhere).
BRANCH_ROLES = (Role.CHAIR, Role.SECRETARY, Role.TREASURER, Role.OFFICER, Role.MEMBER, Role.OBSERVER)
MAX_ROWS = 100_000

_ID = TypeAdapter(Id)
_NAME = TypeAdapter(Name)
_ZONE = TypeAdapter(TimeZone)
_GENDER_MAX = 40


class Outcome(enum.StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field of a row (or, with `column` "file", with the file itself)."""

    column: str
    code: str
    message: str


@dataclass(frozen=True)
class Row:
    line: int
    outcome: Outcome
    # The member as saving would leave them (None for a row in error).
    member: Member | None = None
    # Their role in their branch after saving, when the file gives a branch.
    role: Role | None = None
    # The columns whose values saving would change, for an updated row.
    changed: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Preview:
    rows: tuple[Row, ...] = ()
    # Problems with the file as a whole (encoding, delimiter, missing columns): then there are no rows.
    problems: tuple[Problem, ...] = ()
    columns: tuple[str, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and not any(r.outcome == Outcome.ERROR for r in self.rows)


class ImportRefused(Exception):
    """Saving asked for a preview that has errors."""


def _key(header: str) -> str:
    return "".join(c for c in header.strip().lower() if c.isalnum())


def _decoded(data: bytes) -> tuple[str, bool]:
    """The file's text and whether it was all UTF-8 (a byte-order mark is dropped). Bytes that are not
    UTF-8 survive as escapes, so the rows that hold them can be named."""
    try:
        return data.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape"), False


def _dialect(text: str) -> str:
    """The delimiter of the header line: comma, semicolon (as spreadsheets write CSV where the comma is
    the decimal mark) or tab."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _mangled(value: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in value)


def read(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[Problem]]:
    """The file's known columns, its rows (line number, column -> text) and any problem with the file as
    a whole."""
    text, _ = _decoded(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect(text))
    try:
        header = next(reader)
    except StopIteration:
        return [], [], [Problem("file", "import.empty", "The file is empty.")]
    except csv.Error as exc:
        return [], [], [Problem("file", "import.not_csv", f"The file is not CSV ({exc}).")]
    names = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for index, title in enumerate(header):
        column = names.get(_key(title))
        if column is None:
            continue
        if column in positions:
            problems.append(Problem("file", "import.column_twice", f"The column {column!r} appears twice."))
        positions[column] = index
    if "name" not in positions:
        problems.append(Problem("file", "import.no_name_column", "The file needs a column of names."))
    if "number" not in positions and "email" not in positions:
        problems.append(
            Problem(
                "file",
                "import.no_key_column",
                "The file needs a column of member numbers or one of email addresses.",
            )
        )
    if problems:
        return [], [], problems
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) == MAX_ROWS:
                return (
                    [],
                    [],
                    [Problem("file", "import.too_many", f"A file may hold at most {MAX_ROWS} rows.")],
                )
            row = {c: cells[i].strip() if i < len(cells) else "" for c, i in positions.items()}
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        return [], [], [Problem("file", "import.not_csv", f"Line {reader.line_num} is not CSV ({exc}).")]
    return list(positions), rows, []


def generated_id(email: str) -> str:
    """A member number for a member the file gives only an email address: stable across imports."""
    return "m-" + hashlib.sha256(email.lower().encode()).hexdigest()[:12]


def _language(text: str) -> str | None:
    """A language code as spreadsheets write it: `es`, `ES`, `es-MX`, `es_ES`; blank is English."""
    code = text.strip().lower().replace("_", "-").split("-", 1)[0] or "en"
    return code if code in LANGUAGES else None


def _check(row: dict[str, str], branches: Mapping[str, Branch]) -> tuple[dict[str, Any], list[Problem]]:
    """The row's values, checked one column at a time."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    mangled = [c for c, v in row.items() if _mangled(v)]
    if mangled:
        message = "This row is not UTF-8 text: save the file as \u201cCSV UTF-8\u201d and import it again."
        return {}, [Problem(mangled[0], "import.bad_encoding", message)]
    if row.get("number"):
        try:
            values["number"] = _ID.validate_python(row["number"])
        except ValidationError:
            problems.append(
                Problem(
                    "number",
                    "import.bad_number",
                    "A member number is letters, digits, dots, dashes or underscores (at most 64).",
                )
            )
    try:
        values["name"] = _NAME.validate_python(row.get("name", ""))
    except ValidationError:
        problems.append(Problem("name", "import.bad_name", "A name is needed (at most 120 characters)."))
    if row.get("email"):
        try:
            values["email"] = validate_email(row["email"], check_deliverability=False).normalized
        except EmailNotValidError as exc:
            problems.append(Problem("email", "import.bad_email", f"Not an email address: {exc}"))
    elif "email" in row:
        values["email"] = ""
    if "number" not in values and not values.get("email") and not problems:
        problems.append(
            Problem("number", "import.no_key", "A row needs a member number or an email address.")
        )
    if "time_zone" in row:
        try:
            values["time_zone"] = _ZONE.validate_python(row["time_zone"] or "UTC")
        except ValidationError:
            problems.append(
                Problem(
                    "time_zone",
                    "import.bad_time_zone",
                    f"Unknown time zone {row['time_zone']!r}: write it as Region/City, e.g. Europe/Berlin.",
                )
            )
    if "branch" in row:
        branch = branches.get(row["branch"].lower()) if row["branch"] else None
        if row["branch"] and branch is None:
            problems.append(
                Problem("branch", "import.unknown_branch", f"There is no branch {row['branch']!r}.")
            )
        values["branch"] = branch.id if branch is not None else None
    if row.get("role"):
        role = next((r for r in BRANCH_ROLES if r.value == row["role"].lower()), None)
        if role is None:
            allowed = ", ".join(r.value for r in BRANCH_ROLES)
            problems.append(Problem("role", "import.bad_role", f"A role in a branch is one of {allowed}."))
        elif not row.get("branch"):
            problems.append(Problem("role", "import.role_without_branch", "A role needs a branch."))
        values["role"] = role
    if "language" in row:
        language = _language(row["language"])
        if language is None:
            allowed = ", ".join(LANGUAGES)
            problems.append(
                Problem(
                    "language", "import.bad_language", f"A language is one of {allowed} (or blank for en)."
                )
            )
        values["language"] = language
    if "gender" in row:
        if len(row["gender"]) > _GENDER_MAX:
            problems.append(Problem("gender", "import.bad_gender", f"At most {_GENDER_MAX} characters."))
        values["gender"] = row["gender"] or None
    return values, problems


def preview(data: bytes, members: Iterable[Member], branches: Iterable[Branch]) -> Preview:
    """What importing `data` would do to `members`, row by row. `branches` are the branches rows may
    name (by id or by name)."""
    columns, rows, problems = read(data)
    if problems:
        return Preview(problems=tuple(problems))
    by_id = {m.id: m for m in members}
    by_email = {m.email.lower(): m for m in by_id.values() if m.email}
    known = {}
    for b in branches:
        known[b.id.lower()] = known[b.name.lower()] = b
    roles = {(b.id, m): r for b in known.values() for m, r in b.roles.items()}
    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    out: list[Row] = []
    for line, row in rows:
        values, problems = _check(row, known)
        number, email = values.get("number"), (values.get("email") or "").lower()
        current: Member | None = None
        if not problems:
            current = by_id.get(number) if number else None
            if current is None and email:
                current = by_email.get(email)
                if current is not None and number and current.id != number:
                    problems.append(
                        Problem(
                            "email",
                            "import.email_taken",
                            f"This address belongs to member {current.id}, not {number}.",
                        )
                    )
            member_id = number or (current.id if current is not None else generated_id(email))
            if member_id in seen_numbers:
                problems.append(
                    Problem(
                        "number",
                        "import.duplicate_number",
                        f"The same member as on line {seen_numbers[member_id]}.",
                    )
                )
            elif email and email in seen_emails:
                problems.append(
                    Problem(
                        "email",
                        "import.duplicate_email",
                        f"The same address as on line {seen_emails[email]}.",
                    )
                )
            else:
                seen_numbers[member_id] = line
                if email:
                    seen_emails[email] = line
            other = by_email.get(email) if email else None
            if not problems and other is not None and other.id != member_id:
                problems.append(
                    Problem("email", "import.email_taken", f"This address belongs to member {other.id}.")
                )
        if problems:
            out.append(Row(line, Outcome.ERROR, problems=tuple(problems)))
            continue
        update: dict[str, Any] = {
            c: values[c]
            for c in ("name", "email", "time_zone", "branch", "gender", "language")
            if c in values
        }
        role = values.get("role") or (Role.MEMBER if values.get("branch") else None)
        if current is None:
            member = Member(id=member_id, **update)
            out.append(Row(line, Outcome.NEW, member, role))
            continue
        member = current.model_copy(update=update)
        changed: list[str] = [c for c in update if getattr(current, c) != update[c]]
        if "branch" in values and member.branch and roles.get((member.branch, member.id)) != role:
            changed.append("role")
        outcome = Outcome.UPDATED if changed else Outcome.UNCHANGED
        out.append(Row(line, outcome, member, role, tuple(changed)))
    counts = {o.value: sum(1 for r in out if r.outcome == o) for o in Outcome}
    return Preview(tuple(out), columns=tuple(columns), counts=counts)


def apply(found: Preview, branches: Iterable[Branch]) -> tuple[list[Member], list[Branch]]:
    """The members to save and the branches whose membership changes, for a preview without errors.
    A member who moves branch leaves the old branch's roll."""
    if not found.ok:
        raise ImportRefused("The file has errors: nothing was saved.")
    by_id = {b.id: b for b in branches}
    roles = {b.id: dict(b.roles) for b in by_id.values()}
    members = []
    for row in found.rows:
        if row.outcome not in (Outcome.NEW, Outcome.UPDATED) or row.member is None:
            continue
        members.append(row.member)
        if "branch" not in found.columns:
            continue
        for branch_id, roll in roles.items():
            if branch_id != row.member.branch:
                roll.pop(row.member.id, None)
        if row.member.branch is not None and row.role is not None:
            roles[row.member.branch][row.member.id] = row.role
    changed = [b.model_copy(update={"roles": roles[b.id]}) for b in by_id.values() if roles[b.id] != b.roles]
    return members, changed
