"""Every client event that changes a meeting, and the pure rule that applies it.

A rule is `(meeting, command, actor, now) -> Change | None`. Presence (join, leave, sync) also manages
Socket.IO rooms, votes use ballot boxes and media needs the relay, so the edge handles those itself
(signalling/).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from hub import agenda, attendance, chat, media, meetings, minutes, motions, speakers
from hub.meetings import Actor, Change
from hub.models import Meeting

Rule = Callable[[Meeting, Any, Actor, datetime], Change | None]

RULES: dict[str, Rule] = {
    "meeting.set_status": meetings.set_status,
    "meeting.set_standing_orders": meetings.set_standing_orders,
    "meeting.set_card_weights": meetings.set_card_weights,
    "agenda.add": agenda.add,
    "agenda.update": agenda.update,
    "agenda.move": agenda.move,
    "agenda.remove": agenda.remove,
    "agenda.select": agenda.select,
    "speaker.request": speakers.request,
    "speaker.point_of_order": speakers.point_of_order,
    "speaker.withdraw": speakers.withdraw,
    "speaker.call": speakers.call,
    "speaker.move": speakers.move,
    "speaker.remove": speakers.remove,
    "speaker.close_list": speakers.close_list,
    "speaker.reopen_list": speakers.reopen_list,
    "speech.start": speakers.start,
    "speech.pause": speakers.pause,
    "speech.extend": speakers.extend,
    "speech.end": speakers.end,
    "attendance.apologise": attendance.apologise,
    "motion.submit": motions.submit,
    "motion.second": motions.second,
    "motion.withdraw": motions.withdraw,
    "motion.allow_withdrawal": motions.allow_withdrawal,
    "motion.reply": motions.reply,
    "motion.procedural": motions.procedural,
    "amendment.move": motions.move_amendment,
    "amendment.second": motions.second_amendment,
    "amendment.withdraw": motions.withdraw_amendment,
    "minutes.edit": minutes.edit,
    "minutes.approve": minutes.approve,
    "media.mute": media.mute,
    "media.unmute": media.unmute,
    "media.mute_all": media.mute_all,
    "media.set_settings": media.set_settings,
    "participant.readmit": attendance.readmit,
    "lobby.set": attendance.set_lobby,
    "lobby.admit": attendance.admit,
    "chat.send": chat.send,
    "chat.hide": chat.hide,
    "chat.set_open": chat.set_open,
}

# Every state-changing event needs the actor to have joined the meeting (and not left): business is
# done by those in the room. Apologies come from those who will not be.
ABSENT_MAY = frozenset({"attendance.apologise"})
# Media rides on a connection that has joined; leaving media is always allowed.
PRESENT_ONLY = (
    RULES.keys()
    | {
        "vote.open",
        "vote.close",
        "minutes.draft",
        "media.join",
        "media.answer",
        "media.share",
        "participant.remove",
    }
) - ABSENT_MAY
