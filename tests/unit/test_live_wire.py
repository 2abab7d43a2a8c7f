"""What the hub sends the livestream's worker (signalling/live/wire.py): every message comes out as it went
in, whatever the chunks the socket cuts the stream into; and the back-pressure rule, which drops video
to the next keyframe above 2 MiB queued and sound only above 4 MiB."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.programme import Caption, Clock, Scene, VoteCard
from signalling.live import wire
from signalling.live.wire import (
    ASK_SECONDS,
    AUDIO_BACKLOG,
    VIDEO_BACKLOG,
    Control,
    Packet,
    Reader,
    Show,
    Throttle,
    WireError,
)

texts = st.text(max_size=12)
times = st.datetimes() | st.datetimes(
    timezones=st.just(UTC)
    | st.builds(timezone, st.integers(-14 * 60, 14 * 60).map(lambda m: timedelta(minutes=m)))
)
scenes = st.builds(
    Scene,
    status=st.sampled_from(["waiting", "live", "adjourned", "closed"]),
    title=texts,
    language=st.sampled_from(["en", "es"]),
    item=st.none() | texts,
    shown=st.none() | texts,
    video=st.none() | st.tuples(texts, st.sampled_from(["camera", "screen"])),
    caption=st.none() | st.builds(Caption, texts, texts, st.none() | texts),
    clock=st.none()
    | st.builds(Clock, st.integers(0, 10**5), st.floats(0, 10**5, allow_nan=False), st.none() | times),
    vote=st.none()
    | st.builds(
        VoteCard,
        texts,
        st.booleans(),
        st.none() | texts,
        st.lists(st.tuples(texts, st.integers(0, 10**6)), max_size=4).map(tuple),
    ),
    audio=st.lists(texts, max_size=3).map(tuple),
    note=st.none() | texts,
)
sources = st.integers(0, 2**32 - 1)
messages = st.one_of(
    st.builds(
        Packet,
        sources,
        st.sampled_from(sorted(wire.CODECS)),
        st.integers(-(2**63), 2**63 - 1),
        st.booleans(),
        st.binary(max_size=300),
    ),
    st.builds(
        Show, st.integers(0, 2**40), scenes, st.none() | sources, st.lists(sources, max_size=3).map(tuple)
    ),
    st.builds(Control, st.booleans()),
)


@given(scenes)
def test_a_scene_comes_through_as_it_was_sent(scene: Scene) -> None:
    [shown] = Reader().feed(wire.show(7, scene, 3, [4, 5]))
    assert shown == Show(7, scene, 3, (4, 5))


@given(st.lists(messages, max_size=8), st.data())
def test_messages_come_through_whatever_the_chunks(sent: list[wire.Message], data: st.DataObject) -> None:
    stream = b"".join(wire.encode(m) for m in sent)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    reader, received = Reader(), []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        received += reader.feed(stream[start:end])
    assert received == sent


def test_the_wire_carries_every_field_of_the_scene() -> None:
    # A field added to the scene must be carried, or it would silently take its default in the worker.
    scene = Scene("live", "AGM", "en", caption=Caption("Ana", "Member"), clock=Clock(180, 0, None))
    carried = wire.scene_to_wire(scene)
    assert set(carried) == {f.name for f in dataclasses.fields(Scene)}
    assert len(carried["caption"]) == len(dataclasses.fields(Caption))
    assert len(carried["clock"]) == len(dataclasses.fields(Clock))
    vote = wire.scene_to_wire(dataclasses.replace(scene, vote=VoteCard("Adopt?", True)))["vote"]
    assert len(vote) == len(dataclasses.fields(VoteCard))
    started = datetime(2027, 3, 13, 12, 0, 5, 250_000, tzinfo=UTC)
    [back] = Reader().feed(wire.show(1, dataclasses.replace(scene, clock=Clock(180, 2.5, started)), None, []))
    assert isinstance(back, Show) and back.scene.clock == Clock(180, 2.5, started)


def test_a_packet_frame_is_its_header_then_the_bytes() -> None:
    frame = wire.packet(513, "opus", -1, b"abc", True)
    assert frame == b"\x00\x00\x00\x12" + b"P" + b"\x00\x00\x02\x01" + b"\x03\x01" + b"\xff" * 8 + b"abc"


@pytest.mark.parametrize(
    "stream",
    [
        b"\x00\x00\x00\x00",  # an empty frame
        b"\x10\x00\x00\x01",  # longer than any frame
        b"\x00\x00\x00\x02X1",  # an unknown type
        b"\x00\x00\x00\x04P123",  # a packet shorter than its header
        wire.packet(1, "vp8", 0, b"", False)[:9] + b"\x09" + wire.packet(1, "vp8", 0, b"", False)[10:],
        b"\x00\x00\x00\x03S\x93\x01",  # a scene that is not a map
        b"\x00\x00\x00\x02C\xc1",  # not msgpack
    ],
)
def test_a_stream_that_is_not_this_format_is_refused(stream: bytes) -> None:
    with pytest.raises(WireError):
        Reader().feed(stream)


# Back-pressure.

VIDEO, AUDIO = 1, 2
LOW, HIGH, HIGHER = 1000, VIDEO_BACKLOG + 1, AUDIO_BACKLOG + 1


def test_sound_goes_until_four_mib_are_queued() -> None:
    throttle = Throttle()
    assert throttle.admit(AUDIO, False, False, HIGH, 0) == "send"
    assert throttle.admit(AUDIO, False, False, AUDIO_BACKLOG, 0) == "send"
    assert throttle.admit(AUDIO, False, False, HIGHER, 0) == "drop"
    assert throttle.admit(AUDIO, False, False, LOW, 0) == "send"
    assert throttle.dropped == 1


def test_video_above_two_mib_is_dropped_until_the_next_keyframe_which_is_asked_for() -> None:
    throttle = Throttle()
    assert throttle.admit(VIDEO, True, False, VIDEO_BACKLOG, 0) == "send"
    assert throttle.admit(VIDEO, True, False, HIGH, 0) == "ask"
    # Below the limit again, but a picture after a lost one does not decode.
    assert throttle.admit(VIDEO, True, False, LOW, 0.1) == "drop"
    assert throttle.waiting == {VIDEO}
    # A keyframe while still too full is dropped too; the request is repeated once a second.
    assert throttle.admit(VIDEO, True, True, HIGH, 0.2) == "drop"
    assert throttle.admit(VIDEO, True, False, LOW, ASK_SECONDS) == "ask"
    assert throttle.admit(VIDEO, True, True, LOW, ASK_SECONDS + 0.1) == "send"
    assert throttle.admit(VIDEO, True, False, LOW, ASK_SECONDS + 0.2) == "send"
    assert throttle.waiting == set() and throttle.dropped == 4


def test_a_new_worker_waits_for_the_keyframe_already_asked_for() -> None:
    throttle = Throttle()
    throttle.wait(VIDEO, 10.0)
    assert throttle.admit(VIDEO, True, False, LOW, 10.5) == "drop"
    assert throttle.admit(VIDEO, True, False, LOW, 10.0 + ASK_SECONDS) == "ask"
    assert throttle.admit(VIDEO, True, True, LOW, 11.5) == "send"
    throttle.wait(VIDEO, 12.0)
    throttle.clear()
    assert throttle.admit(VIDEO, True, False, LOW, 12.1) == "send"


@given(st.lists(st.tuples(st.integers(0, 2 * VIDEO_BACKLOG), st.booleans()), max_size=40))
def test_after_a_dropped_picture_the_next_sent_is_a_keyframe(arrivals: list[tuple[int, bool]]) -> None:
    throttle, lost, drops, asked_at = Throttle(), False, 0, None
    for n, (queued, keyframe) in enumerate(arrivals):
        now = n / 4
        verdict = throttle.admit(VIDEO, True, keyframe, queued, now)
        if verdict == "send":
            assert queued <= VIDEO_BACKLOG and (keyframe or not lost)
            lost, asked_at = False, None
            continue
        drops += 1
        if verdict == "ask":
            # At the first loss, then once a second while the keyframe does not come.
            assert asked_at is None or now - asked_at >= ASK_SECONDS
            asked_at = now
        else:
            assert asked_at is not None and now - asked_at < ASK_SECONDS
        lost = True
    assert throttle.dropped == drops
