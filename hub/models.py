"""The shapes of the domain: branches, members, roles, meetings and their participants.

Times are always timezone-aware UTC; a meeting also carries its home time zone (an IANA name).
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=120)]


def _valid_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time must carry its UTC offset")
    return value.astimezone(UTC)


TimeZone = Annotated[str, AfterValidator(_valid_zone)]
UtcTime = Annotated[datetime, AfterValidator(_utc)]


class Role(enum.StrEnum):
    ADMIN = "admin"
    CHAIR = "chair"
    SECRETARY = "secretary"
    MEMBER = "member"
    OBSERVER = "observer"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Member(Model):
    id: Id
    name: Name
    email: Annotated[str, Field(max_length=254)] = ""
    time_zone: TimeZone = "UTC"
    # Self-described; used only by balance rules (speaker alternation, delegations).
    gender: Annotated[str, Field(max_length=40)] | None = None


class Branch(Model):
    id: Id
    name: Name
    home_time_zone: TimeZone = "UTC"
    # Membership is a role in the branch.
    roles: dict[str, Role] = Field(default_factory=dict)


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    IN_SESSION = "in_session"
    CLOSED = "closed"


class Participant(Model):
    member_id: Id
    name: Name
    role: Role
    present: bool
    # Socket ids of this member's live connections; kept server-side only (see public_view).
    sessions: list[str] = Field(default_factory=list)
    first_joined_at: UtcTime
    last_seen_at: UtcTime


class Meeting(Model):
    """The whole state of one meeting; every change to it is a versioned event."""

    id: Id
    branch_id: Id
    title: Name
    starts_at: UtcTime
    time_zone: TimeZone
    status: MeetingStatus = MeetingStatus.SCHEDULED
    # Per-meeting appointments override the branch role (a guest chair, a teller).
    roles: dict[str, Role] = Field(default_factory=dict)
    participants: dict[str, Participant] = Field(default_factory=dict)

    def public_view(self) -> dict[str, Any]:
        """What every client may see: everything but connection ids."""
        return self.model_dump(mode="json", exclude={"participants": {"__all__": {"sessions"}}})


class Event(Model):
    """One fact in a meeting's log. `version` is the meeting's version after the event."""

    version: int
    type: str
    actor: str | None
    at: UtcTime
    data: dict[str, Any] = Field(default_factory=dict)
    # RFC 6902 patch from the previous public view to this one: clients apply it blindly.
    patch: list[dict[str, Any]] = Field(default_factory=list)
