"""The programme feed's scene: who is shown and heard, the caption, the clock, the vote, the slates."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hub import media, meetings, motions, programme, speakers
from hub.commands import (
    MediaMute,
    MediaSetSettings,
    MotionSecond,
    MotionSubmit,
    SpeakerCall,
    SpeakerPointOfOrder,
    SpeakerRequest,
    SpeechPause,
)
from hub.meetings import Actor, Change
from hub.models import (
    AgendaItem,
    Language,
    Majority,
    Meeting,
    MeetingStatus,
    PollMethod,
    PollOption,
    Role,
    Vote,
    VoteResult,
    VoteSubject,
)
from hub.programme import Caption, Clock, Scene, VoteCard, time_left
from tests.unit.builders import NOON, actor, meeting

CHAIR = actor("chair", Role.CHAIR, "s-chair")
DEPUTY = actor("deputy", Role.CHAIR, "s-deputy")
ADMIN = actor("admin", Role.ADMIN, "s-admin")
SECRETARY = actor("sec", Role.SECRETARY, "s-sec")
ANA, BEN = actor("ana", session="s-ana"), actor("ben", session="s-ben")


def ok(change: Change | None) -> Meeting:
    assert change is not None
    return change.meeting


def live(*who: Actor, **overrides: object) -> Meeting:
    """An open meeting with its second item under discussion and `who` present."""
    items = [AgendaItem(id="a1", title="Apologies"), AgendaItem(id="a2", title="Motion 2: Climate")]
    m = meeting(**{"status": MeetingStatus.OPEN, "agenda": items, "current_item": "a2", **overrides})
    for someone in who:
        m = ok(meetings.join(m, someone, NOON))
    return m


def called(m: Meeting, who: Actor, at: datetime = NOON) -> Meeting:
    m = ok(speakers.request(m, SpeakerRequest(), who, at))
    return ok(speakers.call(m, SpeakerCall(), CHAIR, at))


def seen(
    m: Meeting,
    now: datetime = NOON,
    *,
    cameras: Collection[str] = (),
    screens: Collection[str] = (),
    microphones: Collection[str] = (),
    language: Language = "en",
) -> Scene:
    """The scene as the relay would compute it, from who sends what."""
    forwarding = media.forwarding(
        m, microphones=microphones, cameras=list(cameras), screens=screens, recent=[], now=now
    )
    return programme.scene(m, now, cameras=cameras, forwarding=forwarding, language=language)


EVERYONE = ("chair", "ana", "ben", "sec", "admin", "deputy")


# Who is shown.


def test_with_nobody_on_the_floor_the_chair_is_shown_and_heard() -> None:
    shown = seen(live(CHAIR, ANA), cameras=["chair", "ana"], microphones=["chair", "ana"])
    assert shown.status == "live" and shown.item == "2. Motion 2: Climate"
    assert shown.shown == "chair" and shown.video == ("chair", "camera")
    assert shown.caption == Caption("Member chair", "Chair") and shown.clock is None
    assert shown.audio == ("chair",)


def test_the_member_called_is_shown_with_their_clock_and_heard_with_the_chair() -> None:
    m = called(live(CHAIR, ANA, BEN), ANA)
    shown = seen(m, NOON + timedelta(seconds=5), cameras=EVERYONE, microphones=EVERYONE)
    assert shown.shown == "ana" and shown.video == ("ana", "camera")
    assert shown.caption == Caption("Member ana", "Member")
    assert shown.clock == Clock(180, 0, NOON)
    assert shown.audio == ("ana", "chair")


def test_a_speaker_without_a_camera_gets_their_name_card() -> None:
    shown = seen(called(live(CHAIR, ANA), ANA), cameras=["chair"], microphones=EVERYONE)
    assert shown.shown == "ana" and shown.video is None
    assert shown.caption is not None and shown.caption.name == "Member ana"


def test_a_chair_on_camera_is_preferred_to_one_off_camera_and_a_chair_to_an_admin() -> None:
    m = live(ADMIN, DEPUTY, CHAIR)
    assert seen(m, cameras=["admin", "chair"]).shown == "chair"
    assert seen(m, microphones=["deputy"]).shown == "deputy"
    # Nobody in the chair sends anything: the first present is shown on a card.
    assert seen(m).shown == "deputy" and seen(m).video is None
    assert seen(live(ADMIN, ANA), cameras=["admin"]).caption == Caption("Member admin", "Chair")


def test_with_no_chair_present_nobody_is_shown() -> None:
    shown = seen(live(ANA), cameras=["ana"], microphones=["ana"])
    assert shown.shown is None and shown.video is None and shown.caption is None and shown.audio == ()


def test_the_speakers_screen_comes_before_their_camera() -> None:
    m = called(live(CHAIR, ANA), ANA)
    assert seen(m, cameras=EVERYONE, screens=["ana"]).video == ("ana", "screen")


def test_an_officers_screen_shows_while_nobody_has_the_floor_but_not_over_a_speaker() -> None:
    m = live(CHAIR, SECRETARY, ANA)
    shown = seen(m, cameras=EVERYONE, screens=["sec"])
    assert shown.video == ("sec", "screen") and shown.shown == "chair"
    assert seen(called(m, ANA), cameras=EVERYONE, screens=["sec"]).video == ("ana", "camera")


def test_in_formal_mode_an_uncalled_members_screen_is_never_shown() -> None:
    m = ok(media.set_settings(live(CHAIR, ANA, BEN), MediaSetSettings(formal="on"), CHAIR, NOON))
    m = called(m, ANA)
    assert seen(m, cameras=EVERYONE, screens=["ben"]).video == ("ana", "camera")


# Who is heard.


def test_a_muted_speaker_is_shown_but_not_mixed() -> None:
    m = ok(media.mute(live(CHAIR, ANA), MediaMute(member_id="ana"), CHAIR, NOON))
    shown = seen(called(m, ANA), cameras=EVERYONE, microphones=EVERYONE)
    assert shown.shown == "ana" and shown.audio == ("chair",)


def test_formal_mode_closes_the_floor_while_the_speech_is_paused_and_after_its_time() -> None:
    m = ok(media.set_settings(live(CHAIR, ANA, BEN), MediaSetSettings(formal="on"), CHAIR, NOON))
    m = called(m, ANA)
    assert seen(m, microphones=EVERYONE).audio == ("ana", "chair")
    # Ben is not on the floor: never mixed.
    assert "ben" not in seen(m, microphones=EVERYONE).audio
    later = NOON + timedelta(seconds=180 + media.OVERRUN_SECONDS + 1)
    assert seen(m, later, microphones=EVERYONE).audio == ("chair",)
    paused = ok(speakers.pause(m, SpeechPause(), CHAIR, NOON + timedelta(seconds=30)))
    shown = seen(paused, NOON + timedelta(seconds=31), microphones=EVERYONE)
    assert shown.audio == ("chair",) and shown.clock == Clock(180, 30, None)


def test_someone_sending_no_sound_is_not_mixed() -> None:
    assert seen(called(live(CHAIR, ANA), ANA), microphones=["ana"]).audio == ("ana",)


# The caption's context.


def test_a_point_of_order_says_so() -> None:
    m = live(CHAIR, ANA)
    point = SpeakerPointOfOrder(rule="SO 12", point="Not quorate")
    m = ok(speakers.point_of_order(m, point, ANA, NOON))
    m = ok(speakers.call(m, SpeakerCall(), CHAIR, NOON))
    assert seen(m).caption == Caption("Member ana", "Member", "Point of order")


def test_the_mover_moving_their_motion_says_so() -> None:
    m = live(CHAIR, ANA, BEN)
    moved = motions.submit(m, MotionSubmit(title="Climate emergency", text="We declare."), ANA, NOON)
    m = ok(motions.second(moved.meeting, MotionSecond(motion_id=moved.data["motion_id"]), BEN, NOON))
    assert seen(called(m, ANA)).caption == Caption("Member ana", "Member", "Moving “Climate emergency”")
    assert seen(called(m, BEN)).caption == Caption("Member ben", "Member")


# The vote.


def vote(**overrides: object) -> Vote:
    fields: dict[str, object] = {
        "id": "v1",
        "subject": VoteSubject(kind="question"),
        "question": "Adopt the accounts?",
        "majority": Majority.SIMPLE,
        "opened_at": NOON,
        "eligible": 10,
        "present": 10,
    }
    return Vote.model_validate({**fields, **overrides})


def closed(at: datetime, result: VoteResult, **overrides: object) -> Vote:
    return vote(status="closed", closed_at=at, result=result, **overrides)


CARRIED = VoteResult(
    counts={"for": 31, "against": 4, "abstain": 2}, outcome="carried", rule="Simple majority"
)


def test_an_open_vote_shows_its_question() -> None:
    m = live(CHAIR).model_copy(update={"votes": [vote()]})
    assert seen(m).vote == VoteCard("Adopt the accounts?", open=True)


def test_a_result_shows_for_a_while_after_the_vote_closed_then_goes() -> None:
    m = live(CHAIR).model_copy(update={"votes": [closed(NOON, CARRIED)]})
    card = VoteCard("Adopt the accounts?", False, "Carried", (("For", 31), ("Against", 4), ("Abstain", 2)))
    assert seen(m, NOON).vote == card
    assert seen(m, NOON + timedelta(seconds=programme.RESULT_SECONDS - 1)).vote == card
    assert seen(m, NOON + timedelta(seconds=programme.RESULT_SECONDS)).vote is None


def test_an_advance_poll_is_not_shown() -> None:
    m = live(CHAIR).model_copy(update={"votes": [vote(closes_at=NOON + timedelta(days=1))]})
    assert seen(m).vote is None


def test_results_of_choices_ties_and_elections() -> None:
    options = [PollOption(id="o1", label="Lisbon"), PollOption(id="o2", label="Accra")]
    chosen = VoteResult(counts={"o1": 7, "o2": 3}, outcome="chosen", chosen=["o1"], rule="Most votes")
    m = live(CHAIR).model_copy(
        update={"votes": [closed(NOON, chosen, method=PollMethod.ONE_OF, options=options)]}
    )
    assert seen(m).vote == VoteCard(
        "Adopt the accounts?", False, "Chosen: Lisbon", (("Lisbon", 7), ("Accra", 3))
    )
    elected = chosen.model_copy(update={"chosen": ["o2", "o1"]})
    m = live(CHAIR).model_copy(
        update={"votes": [closed(NOON, elected, method=PollMethod.RANKED, options=options, choose=2)]}
    )
    assert seen(m).vote == VoteCard("Adopt the accounts?", False, "Elected: Accra, Lisbon")
    tied = VoteResult(counts={"for": 3, "against": 3}, outcome="lost", tied=True, rule="Simple majority")
    m = live(CHAIR).model_copy(update={"votes": [closed(NOON, tied)]})
    vote_card = seen(m).vote
    assert vote_card is not None and vote_card.result == "Tied"


# Slates.


def test_before_the_meeting_a_slate_says_when_it_starts() -> None:
    shown = seen(meeting(), cameras=["chair"], microphones=["chair"])
    assert shown == Scene("waiting", "Annual General Meeting", "en", note="Starts at 13:00 (Europe/London)")
    tomorrow = seen(meeting(), NOON - timedelta(days=1))
    assert tomorrow.note == "Starts at 2027-03-13 13:00 (Europe/London)"


def test_an_adjourned_meeting_shows_when_it_resumes_and_nothing_is_heard() -> None:
    m = live(CHAIR, ANA, adjourned_until=NOON + timedelta(hours=2))
    shown = seen(m, cameras=EVERYONE, microphones=EVERYONE)
    assert shown.status == "adjourned" and shown.audio == () and shown.video is None
    assert shown.note == "Adjourned until 14:00 (Europe/London)"


def test_a_closed_or_cancelled_meeting_says_so() -> None:
    assert seen(live(CHAIR, status=MeetingStatus.CLOSED)).note == "The meeting has closed"
    assert seen(meeting(status=MeetingStatus.CANCELLED)).note == "The meeting was cancelled"


def test_the_feed_speaks_spanish() -> None:
    m = called(live(CHAIR, ANA), ANA)
    shown = seen(m, language="es")
    assert shown.caption == Caption("Member ana", "Miembro")
    assert seen(live(CHAIR), language="es").caption == Caption("Member chair", "Presidencia")
    assert seen(meeting(), language="es").note == "Empieza a las 13:00 (Europe/London)"


def test_the_scene_changes_only_when_the_procedure_does() -> None:
    """The relay sends a scene only when it differs: a running clock must not make it differ."""
    m = called(live(CHAIR, ANA), ANA)
    assert seen(m, NOON + timedelta(seconds=1)) == seen(m, NOON + timedelta(seconds=9))


# The clock.


def test_time_left_counts_down_whole_seconds_then_the_overrun() -> None:
    clock = Clock(180, 0, NOON)
    assert time_left(clock, NOON) == "3:00"
    assert time_left(clock, NOON + timedelta(seconds=0.4)) == "3:00"
    assert time_left(clock, NOON + timedelta(seconds=1)) == "2:59"
    assert time_left(clock, NOON + timedelta(seconds=180)) == "0:00"
    assert time_left(clock, NOON + timedelta(seconds=185.5)) == "-0:05"
    assert time_left(Clock(180, 90, None), NOON + timedelta(hours=1)) == "1:30"


@given(st.integers(min_value=10, max_value=3600), st.integers(min_value=0, max_value=7_200_000))
def test_time_left_reads_as_the_seconds_left_rounded_up(limit: int, millis: int) -> None:
    said = time_left(Clock(limit, 0, NOON), NOON + timedelta(milliseconds=millis))
    ran = millis / 1000
    minutes, seconds = said.lstrip("-").split(":")
    shown = int(minutes) * 60 + int(seconds)
    left = limit - ran
    assert (shown - 1 < left <= shown) if left > 0 else (shown <= -left < shown + 1)
    assert said.startswith("-") == (shown > 0 and left < 0)
