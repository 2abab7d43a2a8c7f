from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from hub import agenda, media, meetings, speakers
from hub.commands import (
    AgendaAdd,
    AgendaSelect,
    MediaMicrophone,
    MediaMute,
    MediaMuteAll,
    MediaSetSettings,
    MediaUnmute,
    SpeakerCall,
    SpeakerRequest,
    SpeechEnd,
    SpeechExtend,
    SpeechPause,
    SpeechStart,
)
from hub.errors import HubError
from hub.meetings import Actor, Change
from hub.models import MediaMode, MediaSettings, MediaUse, Meeting, RelayMode, Role
from tests.unit.builders import NOON, actor, meeting

CHAIR = actor("chair", Role.CHAIR, "s-chair")
ADMIN = actor("admin", Role.ADMIN, "s-admin")
SECRETARY = actor("sec", Role.SECRETARY, "s-sec")
OBSERVER = actor("obs", Role.OBSERVER, "s-obs")
ANA, BEN, CAT = actor("ana", session="s-ana"), actor("ben", session="s-ben"), actor("cat", session="s-cat")


def ok(change: Change | None) -> Meeting:
    assert change is not None
    return change.meeting


def seated(*who: Actor, **overrides: object) -> Meeting:
    """A meeting with an item under discussion and `who` present."""
    m = meeting(**overrides)
    for someone in who:
        m = ok(meetings.join(m, someone, NOON))
    m = agenda.add(m, AgendaAdd(title="Motion 1"), CHAIR, NOON).meeting
    return ok(agenda.select(m, AgendaSelect(item_id="a1"), CHAIR, NOON))


def crowd(m: Meeting, count: int) -> Meeting:
    """`count` more members present (x000, x001, ...)."""
    start = sum(1 for member_id in m.participants if member_id.startswith("x"))
    for n in range(start, start + count):
        m = ok(meetings.join(m, actor(f"x{n:03}", session=f"sx{n}"), NOON))
    return m


def called(m: Meeting, who: Actor, at: datetime = NOON) -> Meeting:
    """`who` asks to speak and the chair calls them: their timer starts at `at`."""
    m = ok(speakers.request(m, SpeakerRequest(), who, at))
    return ok(speakers.call(m, SpeakerCall(), CHAIR, at))


def formal_on(m: Meeting) -> Meeting:
    return ok(media.set_settings(m, MediaSetSettings(formal="on"), CHAIR, NOON))


# Mute and unmute.


def test_mute_records_the_member_and_names_them() -> None:
    change = media.mute(seated(CHAIR, ANA), MediaMute(member_id="ana"), CHAIR, NOON)
    assert change is not None and change.type == "participant.muted"
    assert change.data == {"member_id": "ana", "name": "Member ana"}
    assert change.meeting.muted == ["ana"]


def test_mute_again_changes_nothing() -> None:
    m = ok(media.mute(seated(CHAIR, ANA), MediaMute(member_id="ana"), CHAIR, NOON))
    assert media.mute(m, MediaMute(member_id="ana"), CHAIR, NOON) is None


def test_mute_of_someone_who_never_joined_is_refused() -> None:
    with pytest.raises(HubError) as refused:
        media.mute(seated(CHAIR), MediaMute(member_id="ghost"), CHAIR, NOON)
    assert refused.value.code == "participant.not_found"
    assert refused.value.details == {"member_id": "ghost"}


@pytest.mark.parametrize("target", [CHAIR, ADMIN])
def test_those_in_the_chair_cannot_be_muted(target: Actor) -> None:
    with pytest.raises(HubError) as refused:
        media.mute(seated(CHAIR, ADMIN), MediaMute(member_id=target.member_id), CHAIR, NOON)
    assert refused.value.code == "media.cannot_mute_chair"


def test_mute_outlasts_leaving_and_rejoining() -> None:
    m = ok(media.mute(seated(CHAIR, ANA), MediaMute(member_id="ana"), CHAIR, NOON))
    m = ok(meetings.leave(m, ANA, NOON))
    m = ok(meetings.join(m, ANA, NOON))
    assert m.muted == ["ana"]
    assert not media.audio_forwarded(m, "ana", NOON)


def test_unmute_lifts_the_mute() -> None:
    m = ok(media.mute(seated(CHAIR, ANA, BEN), MediaMute(member_id="ana"), CHAIR, NOON))
    m = ok(media.mute(m, MediaMute(member_id="ben"), CHAIR, NOON))
    change = media.unmute(m, MediaUnmute(member_id="ana"), CHAIR, NOON)
    assert change is not None and change.type == "participant.unmuted"
    assert change.data == {"member_id": "ana", "name": "Member ana"}
    assert change.meeting.muted == ["ben"]


def test_unmute_of_someone_not_muted_changes_nothing() -> None:
    assert media.unmute(seated(CHAIR, ANA), MediaUnmute(member_id="ana"), CHAIR, NOON) is None


def test_mute_all_mutes_everyone_present_but_the_chairs() -> None:
    m = seated(CHAIR, ADMIN, SECRETARY, ANA, BEN, CAT)
    m = ok(media.mute(m, MediaMute(member_id="ben"), CHAIR, NOON))
    m = ok(meetings.leave(m, CAT, NOON))
    change = media.mute_all(m, MediaMuteAll(), CHAIR, NOON)
    assert change is not None and change.type == "participants.muted"
    # Ben was muted already and Cat has left: neither is named again.
    assert change.data == {"member_ids": ["sec", "ana"]}
    assert change.meeting.muted == ["ben", "sec", "ana"]


def test_mute_all_with_nobody_left_to_mute_changes_nothing() -> None:
    m = ok(media.mute_all(seated(CHAIR, ANA), MediaMuteAll(), CHAIR, NOON))
    assert media.mute_all(m, MediaMuteAll(), CHAIR, NOON) is None
    assert media.mute_all(seated(CHAIR, ADMIN), MediaMuteAll(), CHAIR, NOON) is None


# Settings.


def test_set_settings_changes_only_the_fields_sent() -> None:
    change = media.set_settings(seated(CHAIR), MediaSetSettings(last_n=2), CHAIR, NOON)
    assert change is not None and change.type == "media.settings_set"
    assert change.meeting.media == MediaSettings(last_n=2)
    assert change.data == {"settings": {"formal": "auto", "formal_above": 12, "last_n": 2}}
    change = media.set_settings(change.meeting, MediaSetSettings(formal="on", formal_above=3), CHAIR, NOON)
    assert change is not None
    assert change.meeting.media == MediaSettings(formal="on", formal_above=3, last_n=2)


def test_set_settings_to_what_they_are_changes_nothing() -> None:
    m = seated(CHAIR)
    assert media.set_settings(m, MediaSetSettings(), CHAIR, NOON) is None
    assert media.set_settings(m, MediaSetSettings(formal="auto", last_n=4), CHAIR, NOON) is None


def test_media_settings_default_for_meetings_stored_before_they_existed() -> None:
    stored = meeting().core()
    del stored["media"], stored["muted"]
    restored = Meeting.model_validate(stored)
    assert restored.media == MediaSettings() and restored.muted == []


# Modes.


@pytest.mark.parametrize("mode", ["full", "audio", "listen"])
@pytest.mark.parametrize("role", [Role.ADMIN, Role.CHAIR, Role.SECRETARY, Role.MEMBER])
def test_members_and_officers_may_join_in_any_mode(role: Role, mode: RelayMode) -> None:
    media.check_mode(role, mode)


@pytest.mark.parametrize("mode", ["full", "audio"])
def test_observers_may_only_listen(mode: RelayMode) -> None:
    media.check_mode(Role.OBSERVER, "listen")
    with pytest.raises(HubError) as refused:
        media.check_mode(Role.OBSERVER, mode)
    assert refused.value.code == "media.mode_not_allowed"


# What the others see of a member's media.


def using(m: Meeting, who: Actor, mode: MediaMode = "full", microphone: bool = True) -> Meeting:
    return ok(media.used(m, who, MediaUse(mode=mode, microphone=microphone)))


def test_joining_the_media_publishes_the_mode_and_the_microphone() -> None:
    m = seated(CHAIR, ANA)
    assert (m.participants["ana"].media, m.participants["ana"].microphone) == (None, False)
    change = media.used(m, ANA, MediaUse(mode="audio", microphone=True))
    assert change is not None and change.type == "participant.media"
    assert change.data == {"member_id": "ana", "media": "audio", "microphone": True}
    assert change.participants.keys() == {"ana"}
    view = change.meeting.public_view()["participants"]["ana"]
    assert (view["media"], view["microphone"]) == ("audio", True) and "media_sessions" not in view
    assert media.used(change.meeting, ANA, MediaUse(mode="audio", microphone=True)) is None


def test_a_member_on_two_devices_shows_the_one_that_sends_most() -> None:
    phone = actor("ana", session="s-ana-phone")
    m = ok(meetings.join(seated(CHAIR, ANA), phone, NOON))
    m = using(using(m, ANA, "listen"), phone, "audio", microphone=False)
    assert (m.participants["ana"].media, m.participants["ana"].microphone) == ("audio", False)
    m = ok(media.microphone(m, MediaMicrophone(on=True), phone, NOON))
    assert m.participants["ana"].microphone
    # The phone leaves the media: the laptop still listens.
    m = ok(media.used(m, phone, None))
    assert (m.participants["ana"].media, m.participants["ana"].microphone) == ("listen", False)


def test_leaving_the_meeting_ends_the_connections_media() -> None:
    m = using(seated(CHAIR, ANA), ANA)
    m = ok(meetings.leave(m, ANA, NOON))
    entry = m.participants["ana"]
    assert (entry.media, entry.microphone, entry.media_sessions) == (None, False, {})


def test_media_of_a_connection_no_longer_in_the_meeting_is_not_recorded() -> None:
    m = seated(CHAIR, ANA)
    assert media.used(m, actor("ana", session="s-gone"), MediaUse(mode="full", microphone=True)) is None
    assert media.used(m, ANA, None) is None


def test_the_microphone_switch_needs_the_media_and_a_microphone() -> None:
    m = seated(CHAIR, ANA)
    with pytest.raises(HubError) as refused:
        media.microphone(m, MediaMicrophone(on=True), ANA, NOON)
    assert refused.value.code == "media.not_joined"
    with pytest.raises(HubError) as refused:
        media.microphone(using(m, ANA, "listen"), MediaMicrophone(on=True), ANA, NOON)
    assert refused.value.code == "media.listen_only"
    m = ok(media.microphone(using(m, ANA), MediaMicrophone(on=False), ANA, NOON))
    assert m.participants["ana"].microphone is False


@pytest.mark.parametrize(
    ("prepare", "code"),
    [
        (lambda m: m, "media.not_connected"),
        (lambda m: using(m, ANA, "listen"), "media.listening"),
        (lambda m: using(m, ANA, "full", microphone=False), "media.microphone_off"),
        (lambda m: ok(media.mute(using(m, ANA), MediaMute(member_id="ana"), CHAIR, NOON)), "media.muted"),
    ],
)
def test_calling_a_member_who_would_not_be_heard_warns_the_chair(
    prepare: Callable[[Meeting], Meeting], code: str
) -> None:
    m = ok(speakers.request(prepare(seated(CHAIR, ANA)), SpeakerRequest(), ANA, NOON))
    change = media.call(m, SpeakerCall(), CHAIR, NOON)
    # The call stands all the same.
    assert change.type == "speaker.called" and change.meeting.speech is not None
    assert change.data["warning"]["code"] == code
    assert change.data["warning"]["details"] == {"member_id": "ana", "name": "Member ana"}


def test_calling_a_member_who_will_be_heard_warns_nobody() -> None:
    m = ok(speakers.request(using(seated(CHAIR, ANA), ANA, "audio"), SpeakerRequest(), ANA, NOON))
    assert "warning" not in media.call(m, SpeakerCall(), CHAIR, NOON).data


# Followers of the livestream.


def streamed(m: Meeting) -> Meeting:
    return m.model_copy(update={"livestream": m.livestream.model_copy(update={"on": True})})


def test_following_needs_the_livestream_on() -> None:
    with pytest.raises(HubError) as refused:
        media.follow(seated(CHAIR, ANA), ANA)
    assert refused.value.code == "media.not_streamed"


def test_a_follower_sends_nothing_and_everyone_sees_them_follow() -> None:
    m = streamed(using(seated(CHAIR, ANA), ANA, "audio"))
    change = media.follow(m, ANA)
    # Following replaces the connection's place in the relay.
    assert change is not None and change.type == "participant.media"
    assert change.data == {"member_id": "ana", "media": "follow", "microphone": False}
    assert change.meeting.participants["ana"].media_sessions == {
        "s-ana": MediaUse(mode="follow", microphone=False)
    }
    assert media.follow(change.meeting, ANA) is None
    with pytest.raises(HubError) as refused:
        media.microphone(change.meeting, MediaMicrophone(on=True), ANA, NOON)
    assert refused.value.code == "media.not_joined"


def test_a_device_in_the_relay_shows_over_one_that_follows() -> None:
    phone = actor("ana", session="s-ana-phone")
    m = ok(media.follow(streamed(ok(meetings.join(seated(CHAIR, ANA), phone, NOON))), ANA))
    m = using(m, phone, "listen", microphone=False)
    assert m.participants["ana"].media == "listen"
    m = ok(media.used(m, phone, None))
    assert (m.participants["ana"].media, m.participants["ana"].microphone) == ("follow", False)


def test_calling_a_follower_warns_nobody_and_their_join_replaces_following() -> None:
    m = ok(media.follow(streamed(seated(CHAIR, ANA)), ANA))
    m = ok(speakers.request(m, SpeakerRequest(), ANA, NOON))
    change = media.call(m, SpeakerCall(), CHAIR, NOON)
    assert "warning" not in change.data
    # Called, their browser joins the relay with the microphone on, and follows again after the speech.
    m = using(change.meeting, ANA, "audio")
    assert (m.participants["ana"].media, m.participants["ana"].microphone) == ("audio", True)
    m = ok(media.follow(ok(media.used(m, ANA, None)), ANA))
    assert m.participants["ana"].media == "follow"


def test_calling_a_follower_once_the_livestream_has_stopped_warns_the_chair() -> None:
    """Their page leaves the follow when the livestream stops; until it has, they hold no call either."""
    m = ok(media.follow(streamed(seated(CHAIR, ANA)), ANA))
    m = m.model_copy(update={"livestream": m.livestream.model_copy(update={"on": False})})
    m = ok(speakers.request(m, SpeakerRequest(), ANA, NOON))
    assert media.call(m, SpeakerCall(), CHAIR, NOON).data["warning"]["code"] == "media.not_connected"


def test_calling_a_muted_follower_still_warns_the_chair() -> None:
    m = ok(media.follow(streamed(seated(CHAIR, ANA)), ANA))
    m = ok(media.mute(m, MediaMute(member_id="ana"), CHAIR, NOON))
    m = ok(speakers.request(m, SpeakerRequest(), ANA, NOON))
    assert media.call(m, SpeakerCall(), CHAIR, NOON).data["warning"]["code"] == "media.muted"


# Formal mode.


def test_formal_auto_turns_on_above_the_threshold_of_those_present() -> None:
    m = crowd(seated(CHAIR), 11)
    assert m.presence.present == 12 and not media.formal(m)
    m = crowd(m, 1)
    assert media.formal(m)
    # Those who left do not count.
    m = ok(meetings.leave(m, CHAIR, NOON))
    assert not media.formal(m)


def test_formal_on_and_off_ignore_the_size() -> None:
    assert media.formal(seated(CHAIR, media=MediaSettings(formal="on")))
    assert not media.formal(crowd(seated(CHAIR, media=MediaSettings(formal="off")), 40))
    assert media.formal(crowd(seated(CHAIR, media=MediaSettings(formal_above=2)), 2))


# Audio.


def test_informal_meeting_forwards_everyone_present() -> None:
    m = seated(CHAIR, ANA, OBSERVER)
    assert all(media.audio_forwarded(m, who, NOON) for who in ("chair", "ana", "obs"))
    assert not media.audio_forwarded(m, "ghost", NOON)
    m = ok(meetings.leave(m, ANA, NOON))
    assert not media.audio_forwarded(m, "ana", NOON)


def test_muted_member_is_never_forwarded_even_with_the_floor() -> None:
    m = ok(media.mute(seated(CHAIR, ANA, SECRETARY), MediaMute(member_id="ana"), CHAIR, NOON))
    m = ok(media.mute(m, MediaMute(member_id="sec"), CHAIR, NOON))
    assert not media.audio_forwarded(m, "ana", NOON)
    m = called(formal_on(m), ANA)
    assert media.has_floor(m, "ana", NOON)
    assert not media.audio_forwarded(m, "ana", NOON)
    # An officer heard in formal mode is silent once muted too.
    assert not media.audio_forwarded(m, "sec", NOON)


def test_formal_mode_hears_officers_but_not_uncalled_members() -> None:
    m = formal_on(seated(CHAIR, ADMIN, SECRETARY, ANA, OBSERVER))
    for officer in ("chair", "admin", "sec"):
        assert media.audio_forwarded(m, officer, NOON)
    assert not media.audio_forwarded(m, "ana", NOON)
    assert not media.audio_forwarded(m, "obs", NOON)


def test_called_speaker_is_heard_until_the_speech_ends() -> None:
    m = called(formal_on(seated(CHAIR, ANA, BEN)), ANA)
    assert media.audio_forwarded(m, "ana", NOON + timedelta(seconds=30))
    assert not media.audio_forwarded(m, "ben", NOON + timedelta(seconds=30))
    m = ok(speakers.end(m, SpeechEnd(), CHAIR, NOON + timedelta(seconds=60)))
    assert not media.audio_forwarded(m, "ana", NOON + timedelta(seconds=60))


def test_next_speaker_called_closes_the_previous_ones_mic() -> None:
    m = called(called(formal_on(seated(CHAIR, ANA, BEN)), ANA), BEN, NOON + timedelta(seconds=40))
    later = NOON + timedelta(seconds=50)
    assert media.audio_forwarded(m, "ben", later) and not media.audio_forwarded(m, "ana", later)


def test_paused_speech_closes_the_mic_and_resuming_reopens_it() -> None:
    m = called(formal_on(seated(CHAIR, ANA)), ANA)
    m = ok(speakers.pause(m, SpeechPause(), CHAIR, NOON + timedelta(seconds=20)))
    assert not media.audio_forwarded(m, "ana", NOON + timedelta(seconds=25))
    assert media.on_stage(m) == "ana"
    m = ok(speakers.start(m, SpeechStart(), CHAIR, NOON + timedelta(seconds=30)))
    assert media.audio_forwarded(m, "ana", NOON + timedelta(seconds=31))


def test_floor_closes_after_the_time_allowed_and_the_overrun() -> None:
    m = called(formal_on(seated(CHAIR, ANA)), ANA)
    limit = m.speech.limit_seconds if m.speech else 0
    assert media.audio_forwarded(m, "ana", NOON + timedelta(seconds=limit + media.OVERRUN_SECONDS - 1))
    closed = NOON + timedelta(seconds=limit + media.OVERRUN_SECONDS)
    assert not media.audio_forwarded(m, "ana", closed)
    # Still on stage until the chair ends the speech; an extension reopens the floor.
    assert media.on_stage(m) == "ana"
    m = ok(speakers.extend(m, SpeechExtend(seconds=60), CHAIR, closed))
    assert media.audio_forwarded(m, "ana", closed)


def test_time_paused_does_not_count_against_the_floor() -> None:
    m = called(formal_on(seated(CHAIR, ANA)), ANA)
    limit = m.speech.limit_seconds if m.speech else 0
    m = ok(speakers.pause(m, SpeechPause(), CHAIR, NOON + timedelta(seconds=limit - 10)))
    resumed = NOON + timedelta(seconds=limit + 600)
    m = ok(speakers.start(m, SpeechStart(), CHAIR, resumed))
    assert media.audio_forwarded(m, "ana", resumed + timedelta(seconds=10 + media.OVERRUN_SECONDS - 1))
    assert not media.audio_forwarded(m, "ana", resumed + timedelta(seconds=10 + media.OVERRUN_SECONDS))


def test_speech_does_not_limit_an_informal_meeting() -> None:
    m = called(seated(CHAIR, ANA, BEN), ANA)
    m = ok(speakers.pause(m, SpeechPause(), CHAIR, NOON))
    assert media.audio_forwarded(m, "ana", NOON) and media.audio_forwarded(m, "ben", NOON)


# Stage.


def test_stage_is_the_current_speaker_until_the_speech_ends() -> None:
    m = seated(CHAIR, ANA)
    assert media.on_stage(m) is None
    m = called(m, ANA)
    assert media.on_stage(m) == "ana"
    m = ok(speakers.end(m, SpeechEnd(), CHAIR, NOON))
    assert media.on_stage(m) is None


# Cameras.


def test_everyone_fits_when_the_others_are_at_most_last_n() -> None:
    m = seated(CHAIR, ANA, BEN, CAT, ADMIN, media=MediaSettings(last_n=4))
    assert media.cameras_forwarded(m, ["chair", "ana", "ben", "cat"], []) == {"chair", "ana", "ben", "cat"}
    cameras = ["chair", "ana", "ben", "cat", "admin"]
    assert media.cameras_forwarded(m, cameras, []) == {"chair", "ana", "ben", "cat"}
    # The one on stage does not count against last_n.
    m = called(m, ADMIN)
    assert media.cameras_forwarded(m, cameras, []) == set(cameras)


def test_large_meeting_forwards_the_stage_and_the_last_n_recent_speakers() -> None:
    m = called(crowd(seated(CHAIR, ANA, BEN, CAT, media=MediaSettings(last_n=2)), 5), CAT)
    cameras = ["chair", "ana", "ben", "cat", *(f"x{n:03}" for n in range(5))]
    recent = ["x003", "cat", "ghost", "ben", "ana"]
    # Cat is on stage; the two most recent speakers besides her; someone without a camera is skipped.
    assert media.cameras_forwarded(m, cameras, recent) == {"cat", "x003", "ben"}


def test_too_few_recent_speakers_are_filled_in_camera_order() -> None:
    m = crowd(seated(CHAIR, ANA, BEN, CAT, media=MediaSettings(last_n=3)), 3)
    cameras = ["x002", "chair", "ana", "ben", "cat"]
    assert media.cameras_forwarded(m, cameras, ["ben"]) == {"ben", "x002", "chair"}


def test_last_n_zero_forwards_only_the_stage() -> None:
    m = seated(CHAIR, ANA, BEN, media=MediaSettings(last_n=0))
    assert media.cameras_forwarded(m, ["chair", "ana", "ben"], ["ana"]) == set()
    m = called(m, BEN)
    assert media.cameras_forwarded(m, ["chair", "ana", "ben"], ["ana"]) == {"ben"}


def test_stage_without_a_camera_takes_no_place_and_absent_cameras_are_dropped() -> None:
    m = called(seated(CHAIR, ANA, BEN, CAT, media=MediaSettings(last_n=1)), CAT)
    m = ok(meetings.leave(m, BEN, NOON))
    assert media.cameras_forwarded(m, ["ben", "chair", "ana"], ["ana"]) == {"ana"}


# Screens.


def test_screens_are_forwarded_from_anyone_in_an_informal_meeting() -> None:
    m = seated(CHAIR, ANA)
    assert media.screen_forwarded(m, "ana") and media.screen_forwarded(m, "chair")
    assert not media.screen_forwarded(m, "ghost")


def test_formal_screens_come_from_officers_and_the_stage() -> None:
    m = formal_on(seated(CHAIR, SECRETARY, ANA, BEN))
    assert media.screen_forwarded(m, "sec") and media.screen_forwarded(m, "chair")
    assert not media.screen_forwarded(m, "ana")
    m = called(m, ANA)
    m = ok(speakers.pause(m, SpeechPause(), CHAIR, NOON))
    # A paused speaker keeps their slides up.
    assert media.screen_forwarded(m, "ana") and not media.screen_forwarded(m, "ben")


# All at once.


def test_forwarding_combines_the_policies() -> None:
    m = called(formal_on(seated(CHAIR, ANA, BEN, CAT, media=MediaSettings(last_n=1))), BEN)
    m = ok(media.mute(m, MediaMute(member_id="cat"), CHAIR, NOON))
    result = media.forwarding(
        m,
        microphones=["chair", "ana", "ben", "cat"],
        cameras=["chair", "ana", "ben", "cat"],
        screens=["ana", "chair"],
        recent=["cat"],
        now=NOON,
    )
    assert result == media.Forwarding(
        audio=frozenset({"chair", "ben"}),
        cameras=frozenset({"ben", "cat"}),
        screens=frozenset({"chair"}),
    )
