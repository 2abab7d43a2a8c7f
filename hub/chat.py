"""The meeting's chat: members write while the chat is open; officers moderate (hide a message, close
and reopen the chat). A hidden message loses its text in the state, so no client is sent it again."""

from __future__ import annotations

from datetime import datetime

from hub.commands import ChatHide, ChatSend, ChatSetOpen
from hub.errors import HubError
from hub.meetings import Actor, Change, next_id
from hub.models import OFFICER_ROLES, ChatMessage, Meeting

# Messages kept in the meeting's state; older ones drop off (the event log still has them).
CHAT_KEPT = 200


def send(meeting: Meeting, command: ChatSend, actor: Actor, now: datetime) -> Change:
    if not meeting.chat_open and actor.role not in OFFICER_ROLES:
        raise HubError("chat.closed", "The chair has closed the chat.")
    text = command.text.strip()
    if not text:
        raise HubError("chat.empty", "Write something first.")
    meeting, message_id = next_id(meeting, "c")
    message = ChatMessage(id=message_id, member_id=actor.member_id, name=actor.name, text=text, at=now)
    chat = [*meeting.chat, message][-CHAT_KEPT:]
    return Change(meeting.model_copy(update={"chat": chat}), "chat.sent", {"message_id": message_id})


def hide(meeting: Meeting, command: ChatHide, actor: Actor, now: datetime) -> Change | None:
    found = next((m for m in meeting.chat if m.id == command.message_id), None)
    if found is None:
        raise HubError("chat.not_found", "There is no such message.", {"message_id": command.message_id})
    if found.hidden_by is not None:
        return None
    hidden = found.model_copy(update={"text": "", "hidden_by": actor.name})
    chat = [hidden if m.id == found.id else m for m in meeting.chat]
    return Change(meeting.model_copy(update={"chat": chat}), "chat.hidden", {"message_id": found.id})


def set_open(meeting: Meeting, command: ChatSetOpen, actor: Actor, now: datetime) -> Change | None:
    if meeting.chat_open == command.open:
        return None
    changed = meeting.model_copy(update={"chat_open": command.open})
    return Change(changed, "chat.opened" if command.open else "chat.closed")
