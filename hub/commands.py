"""Client commands: one pydantic model per Socket.IO event, named after it (`meeting.join` -> MeetingJoin).

Every model forbids unknown fields and bounds every size, so a malformed payload never reaches a rule.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hub.models import MeetingStatus, Model

Version = Annotated[int, Field(ge=0, le=2**53)]


class MeetingJoin(Model):
    # The version the client already holds (after a reconnect); it receives what it missed.
    since: Version | None = None


class MeetingLeave(Model):
    pass


class MeetingSync(Model):
    since: Version


class MeetingSetStatus(Model):
    status: MeetingStatus


COMMANDS: dict[str, type[Model]] = {
    "meeting.join": MeetingJoin,
    "meeting.leave": MeetingLeave,
    "meeting.sync": MeetingSync,
    "meeting.set_status": MeetingSetStatus,
}
