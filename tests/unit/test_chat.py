"""The chat's rules: writing, the closed chat, moderation, and the cap on what the state keeps."""

from __future__ import annotations

import pytest

from hub import chat
from hub.commands import ChatHide, ChatSend, ChatSetOpen
from hub.errors import HubError
from hub.models import Meeting, Role
from tests.unit.builders import NOON, actor, meeting

ANA = actor("m002")
CHAIR = actor("m001", Role.CHAIR)


def sent(m: Meeting, text: str, who: object = ANA) -> Meeting:
    return chat.send(m, ChatSend(text=text), who, NOON).meeting  # type: ignore[arg-type]


def test_a_message_is_kept_with_its_author_time_and_trimmed_text() -> None:
    change = chat.send(meeting(), ChatSend(text="  Hello from Lima  "), ANA, NOON)
    (message,) = change.meeting.chat
    assert (message.name, message.text, message.at, message.hidden_by) == (
        "Member m002",
        "Hello from Lima",
        NOON,
        None,
    )
    assert change.type == "chat.sent" and change.data == {"message_id": message.id}


def test_white_space_alone_is_refused() -> None:
    with pytest.raises(HubError) as refused:
        chat.send(meeting(), ChatSend(text="   "), ANA, NOON)
    assert refused.value.code == "chat.empty"


def test_a_closed_chat_refuses_members_but_not_officers() -> None:
    closed = chat.set_open(meeting(), ChatSetOpen(open=False), CHAIR, NOON)
    assert closed is not None and closed.type == "chat.closed"
    with pytest.raises(HubError) as refused:
        sent(closed.meeting, "May I?")
    assert refused.value.code == "chat.closed"
    assert sent(closed.meeting, "The chat reopens after the vote.", CHAIR).chat[-1].name == "Member m001"
    assert chat.set_open(closed.meeting, ChatSetOpen(open=False), CHAIR, NOON) is None
    reopened = chat.set_open(closed.meeting, ChatSetOpen(open=True), CHAIR, NOON)
    assert reopened is not None and reopened.type == "chat.opened" and reopened.meeting.chat_open


def test_hiding_removes_the_text_and_says_who_hid_it_once() -> None:
    m = sent(meeting(), "Something rude")
    message_id = m.chat[0].id
    hidden = chat.hide(m, ChatHide(message_id=message_id), CHAIR, NOON)
    assert hidden is not None and hidden.type == "chat.hidden"
    assert (hidden.meeting.chat[0].text, hidden.meeting.chat[0].hidden_by) == ("", "Member m001")
    assert chat.hide(hidden.meeting, ChatHide(message_id=message_id), CHAIR, NOON) is None
    with pytest.raises(HubError) as refused:
        chat.hide(m, ChatHide(message_id="c999"), CHAIR, NOON)
    assert refused.value.code == "chat.not_found"


def test_only_the_latest_messages_are_kept() -> None:
    m = meeting()
    for n in range(chat.CHAT_KEPT + 5):
        m = sent(m, f"Message {n}")
    assert len(m.chat) == chat.CHAT_KEPT
    assert m.chat[0].text == "Message 5" and m.chat[-1].text == f"Message {chat.CHAT_KEPT + 4}"
