"""Removing and readmitting a participant, and the lobby."""

from __future__ import annotations

import pytest

from hub import attendance, meetings
from hub.commands import (
    LobbyAdmit,
    LobbySet,
    ParticipantReadmit,
    ParticipantRemove,
    SpeakerCall,
    SpeakerRequest,
)
from hub.errors import HubError
from hub.meetings import Actor, CloseMember, Disconnect, StrikeVoter
from hub.models import AgendaItem, Meeting, Role
from hub.speakers import call, request
from tests.unit.builders import NOON, actor, checked_in, meeting

ANA = actor("m002")
CHAIR = actor("m001", Role.CHAIR)


def with_joined(*who: Actor) -> Meeting:
    """A meeting with an item under discussion, which these actors have joined and checked in to."""
    m = meeting(agenda=[AgendaItem(id="a1", title="Item")], current_item="a1")
    for actor_ in who:
        change = meetings.join(m, actor_, NOON)
        assert change is not None
        m = change.meeting
    return checked_in(m)


def in_session() -> Meeting:
    return request(with_joined(CHAIR, ANA), SpeakerRequest(), ANA, NOON).meeting


def test_a_removed_participant_is_absent_dequeued_and_refused_until_readmitted() -> None:
    m = in_session()
    change = attendance.remove(m, ParticipantRemove(member_id="m002"), CHAIR, NOON)
    assert change is not None and change.type == "participant.removed"
    gone = change.meeting
    assert not gone.participants["m002"].present and gone.participants["m002"].sessions == []
    assert gone.agenda[0].queue == [] and gone.removed == ["m002"]
    assert gone.quorum.present == 1
    # What must happen outside the meeting's document comes back as data, for the edge to carry out.
    assert change.effects == (Disconnect(("s1",)), CloseMember("m002"), StrikeVoter("m002", ()))
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


def lobby_on() -> Meeting:
    turned = attendance.set_lobby(with_joined(CHAIR), LobbySet(on=True), CHAIR, NOON)
    assert turned is not None and turned.type == "lobby.turned_on"
    return turned.meeting


def test_with_the_lobby_on_a_member_waits_uncounted_until_admitted() -> None:
    m = lobby_on()
    waiting = meetings.join(m, ANA, NOON)
    assert waiting is not None and waiting.type == "lobby.waiting"
    ana = waiting.meeting.participants["m002"]
    assert (ana.waiting, ana.present) == (True, False) and waiting.meeting.quorum.present == 1
    with pytest.raises(HubError) as refused:
        meetings.require_present(waiting.meeting, ANA)
    assert refused.value.code == "attendance.not_present"

    admitted = attendance.admit(waiting.meeting, LobbyAdmit(member_id="m002"), CHAIR, NOON)
    assert admitted is not None and admitted.type == "lobby.admitted"
    ana = admitted.meeting.participants["m002"]
    assert (ana.waiting, ana.present) == (False, True) and admitted.meeting.presence.present == 2
    # Admitted is not checked in: she does that herself.
    assert admitted.meeting.quorum.present == 1
    assert attendance.admit(admitted.meeting, LobbyAdmit(member_id="m002"), CHAIR, NOON) is None
    # Once admitted, coming back does not mean waiting again.
    left = meetings.leave(admitted.meeting, ANA, NOON)
    assert left is not None
    back = meetings.join(left.meeting, actor("m002", session="s2"), NOON)
    assert back is not None and back.type == "participant.joined"


def test_officers_never_wait_and_leaving_the_lobby_forgets_the_wait() -> None:
    m = lobby_on()
    secretary = meetings.join(m, actor("m007", Role.SECRETARY, "s7"), NOON)
    assert secretary is not None and secretary.type == "participant.joined"
    waiting = meetings.join(m, ANA, NOON)
    assert waiting is not None
    gone = meetings.leave(waiting.meeting, ANA, NOON)
    assert gone is not None
    assert (gone.meeting.participants["m002"].waiting, gone.meeting.participants["m002"].present) == (
        False,
        False,
    )


def test_turning_the_lobby_off_admits_everyone_waiting() -> None:
    waiting = meetings.join(lobby_on(), ANA, NOON)
    assert waiting is not None
    off = attendance.set_lobby(waiting.meeting, LobbySet(on=False), CHAIR, NOON)
    assert off is not None and off.type == "lobby.turned_off" and off.data == {"admitted": ["m002"]}
    assert off.meeting.participants["m002"].present
    assert attendance.set_lobby(off.meeting, LobbySet(on=False), CHAIR, NOON) is None


def test_those_already_in_when_the_lobby_turns_on_do_not_wait_after_a_dropped_connection() -> None:
    turned = attendance.set_lobby(with_joined(CHAIR, ANA), LobbySet(on=True), CHAIR, NOON)
    assert turned is not None and "m002" in turned.meeting.admitted
    dropped = meetings.leave(turned.meeting, ANA, NOON)
    assert dropped is not None
    back = meetings.join(dropped.meeting, actor("m002", session="s2"), NOON)
    assert back is not None and back.type == "participant.joined"


def test_removal_ends_their_speech_and_readmission_goes_through_the_lobby_again() -> None:
    m = lobby_on()
    waiting = meetings.join(m, ANA, NOON)
    assert waiting is not None
    admitted = attendance.admit(waiting.meeting, LobbyAdmit(member_id="m002"), CHAIR, NOON)
    assert admitted is not None
    queued = request(admitted.meeting, SpeakerRequest(), ANA, NOON).meeting
    speaking = call(queued, SpeakerCall(), CHAIR, NOON).meeting
    assert speaking.speech is not None and speaking.speech.member_id == "m002"
    gone = attendance.remove(speaking, ParticipantRemove(member_id="m002"), CHAIR, NOON)
    assert gone is not None and gone.meeting.speech is None and "m002" not in gone.meeting.admitted
    back = attendance.readmit(gone.meeting, ParticipantReadmit(member_id="m002"), CHAIR, NOON)
    assert back is not None
    again = meetings.join(back.meeting, actor("m002", session="s3"), NOON)
    assert again is not None and again.type == "lobby.waiting"
