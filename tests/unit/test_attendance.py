"""Removing and readmitting a participant."""

from __future__ import annotations

import pytest

from hub import attendance, meetings
from hub.commands import ParticipantReadmit, ParticipantRemove, SpeakerRequest
from hub.errors import HubError
from hub.models import AgendaItem, Meeting, Role
from hub.speakers import request
from tests.unit.builders import NOON, actor, meeting

ANA = actor("m002")
CHAIR = actor("m001", Role.CHAIR)


def in_session() -> Meeting:
    m = meeting(agenda=[AgendaItem(id="a1", title="Item")], current_item="a1")
    for who in (CHAIR, ANA):
        change = meetings.join(m, who, NOON)
        assert change is not None
        m = change.meeting
    return request(m, SpeakerRequest(), ANA, NOON).meeting


def test_a_removed_participant_is_absent_dequeued_and_refused_until_readmitted() -> None:
    m = in_session()
    change = attendance.remove(m, ParticipantRemove(member_id="m002"), CHAIR, NOON)
    assert change is not None and change.type == "participant.removed"
    gone = change.meeting
    assert not gone.participants["m002"].present and gone.participants["m002"].sessions == []
    assert gone.agenda[0].queue == [] and gone.removed == ["m002"]
    assert gone.quorum.present == 1
    with pytest.raises(HubError) as refused:
        meetings.join(gone, actor("m002", session="s9"), NOON)
    assert refused.value.code == "auth.removed"
    assert attendance.remove(gone, ParticipantRemove(member_id="m002"), CHAIR, NOON) is None

    back = attendance.readmit(gone, ParticipantReadmit(member_id="m002"), CHAIR, NOON)
    assert back is not None and back.type == "participant.readmitted" and back.meeting.removed == []
    assert meetings.join(back.meeting, actor("m002", session="s9"), NOON) is not None
    assert attendance.readmit(back.meeting, ParticipantReadmit(member_id="m002"), CHAIR, NOON) is None


def test_the_chair_cannot_be_removed_nor_a_stranger() -> None:
    m = in_session()
    for member_id, code in (("m001", "participant.cannot_remove_chair"), ("m404", "participant.not_found")):
        with pytest.raises(HubError) as refused:
            attendance.remove(m, ParticipantRemove(member_id=member_id), CHAIR, NOON)
        assert refused.value.code == code
