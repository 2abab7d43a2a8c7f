"""Every client event that changes a meeting, and the pure rule that applies it.

A rule is `(meeting, command, actor, now) -> Change | None`. Presence (join, leave, sync) also manages
Socket.IO rooms, so the gateway handles those itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from hub import meetings
from hub.meetings import Actor, Change
from hub.models import Meeting

Rule = Callable[[Meeting, Any, Actor, datetime], Change | None]

RULES: dict[str, Rule] = {
    "meeting.set_status": meetings.set_status,
}
