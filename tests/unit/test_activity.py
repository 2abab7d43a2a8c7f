from __future__ import annotations

from signalling.media.activity import MARGIN_DB, WINDOW, ActiveSpeaker

STEP = 0.02  # a reading every 20 ms, as audio packets come


def talk(
    detector: ActiveSpeaker, levels: dict[str, int], start: float, seconds: float, voice: bool = False
) -> float:
    """Feed readings for each member from `start` for `seconds`; returns the end time."""
    t = start
    for _ in range(round(seconds / STEP)):
        for member_id, dbov in levels.items():
            detector.hear(member_id, dbov, voice, t)
        t += STEP
    return t


EVERYONE = {"ana", "ben", "cat"}


def test_nobody_is_active_before_anyone_speaks() -> None:
    detector = ActiveSpeaker()
    assert detector.decide(0.0, EVERYONE) is False
    assert detector.current is None
    # Silence (-127 dBov) and a low hum are not speech.
    now = talk(detector, {"ana": -127, "ben": -70}, 0, 1)
    assert detector.decide(now, EVERYONE) is False and detector.current is None


def test_the_loudest_voiced_member_becomes_active() -> None:
    detector = ActiveSpeaker()
    now = talk(detector, {"ana": -30, "ben": -20, "cat": -127}, 0, 0.5)
    assert detector.decide(now, EVERYONE) is True
    assert detector.current == "ben" and detector.recent == ["ben"]


def test_a_short_burst_is_not_speech() -> None:
    detector = ActiveSpeaker()
    now = talk(detector, {"ana": -20}, 0, 0.1)
    assert detector.decide(now, EVERYONE) is False and detector.current is None


def test_voice_flag_counts_below_the_level_threshold() -> None:
    detector = ActiveSpeaker()
    now = talk(detector, {"ana": -60}, 0, 0.5, voice=True)
    assert detector.decide(now, EVERYONE) and detector.current == "ana"


def test_current_speaker_keeps_the_floor_against_someone_slightly_louder() -> None:
    detector = ActiveSpeaker()
    now = talk(detector, {"ana": -30}, 0, 0.5)
    detector.decide(now, EVERYONE)
    now = talk(detector, {"ana": -30, "ben": -30 + int(MARGIN_DB) - 1}, now, 1)
    assert detector.decide(now, EVERYONE) is False and detector.current == "ana"
    now = talk(detector, {"ana": -30, "ben": -30 + int(MARGIN_DB) + 1}, now, 1)
    assert detector.decide(now, EVERYONE) is True and detector.current == "ben"
    assert detector.recent == ["ben", "ana"]


def test_when_the_speaker_stops_the_next_voiced_member_takes_over() -> None:
    detector = ActiveSpeaker()
    now = talk(detector, {"ana": -20}, 0, 0.5)
    detector.decide(now, EVERYONE)
    now = talk(detector, {"ana": -127, "cat": -40}, now, WINDOW + 0.1)
    assert detector.decide(now, EVERYONE) and detector.current == "cat"


def test_silence_keeps_the_last_speaker_active() -> None:
    detector = ActiveSpeaker()
    now = talk(detector, {"ana": -20}, 0, 0.5)
    detector.decide(now, EVERYONE)
    # No readings at all for a while (the microphone paused), then silence.
    now = talk(detector, {"ana": -127}, now + 5, 1)
    assert detector.decide(now, EVERYONE) is False and detector.current == "ana"


def test_only_members_who_are_heard_count() -> None:
    detector = ActiveSpeaker()
    now = talk(detector, {"ana": -10, "ben": -40}, 0, 0.5)
    assert detector.decide(now, {"ben", "cat"}) and detector.current == "ben"
    # The active speaker is muted: the next one heard takes over, or nobody.
    now = talk(detector, {"ana": -10, "ben": -40}, now, 0.2)
    assert detector.decide(now, {"ana"}) and detector.current == "ana"
    assert detector.decide(now, set()) and detector.current is None
    assert detector.recent == ["ana", "ben"]


def test_forgotten_member_leaves_no_readings() -> None:
    detector = ActiveSpeaker()
    now = talk(detector, {"ana": -10}, 0, 0.5)
    detector.forget("ana")
    assert detector.speaking(now) == {}
    assert detector.decide(now, EVERYONE) is False
