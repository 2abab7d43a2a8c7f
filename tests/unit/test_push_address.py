"""The pure parts of the livestream's push: the address a chair may give (hub/models.py `push_host`,
the host it shows) and the timestamps that never go back across the live playlist's
discontinuities (signalling/live/push.py `Timeline`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.models import push_host
from signalling.live.push import GAP, JUMP, Timeline


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl", "a.rtmp.youtube.com"),
        ("rtmps://live-api-s.facebook.com:443/rtmp/FB-123-0-Ab", "live-api-s.facebook.com:443"),
        ("rtmp://127.0.0.1:1935/live/test", "127.0.0.1:1935"),
        ("rtmp://[::1]:1935/live/test", "[::1]:1935"),
        ("rtmp://example.org", "example.org"),
    ],
)
def test_an_rtmp_address_shows_its_host_only(url: str, shown: str) -> None:
    assert push_host(url) == shown


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://example.org/live/key", "rtmp://"),
        ("srt://example.org:9000", "rtmp://"),
        ("file:///etc/passwd", "rtmp://"),
        ("example.org/live/key", "rtmp://"),
        ("RTMP://example.org/live/key", "rtmp://"),
        ("rtmp:/example.org/live/key", "rtmp://"),
        ("rtmp:///live/key", "no host"),
        ("rtmp://:1935/live/key", "no host"),
        ("rtmp://user:secret@example.org/live/key", "user name or password"),
        ("rtmp://key@example.org/live", "user name or password"),
        ("rtmp://example.org:99999/live/key", "not a valid URL"),
        ("rtmp://example.org:port/live/key", "not a valid URL"),
        ("rtmp://example.org:0/live/key", "port 0"),
        ("rtmp://example.org/live/key with space", "spaces"),
        ("rtmp://example.org/live/key\n", "control"),
        ("rtmp://example.org/live/\x00key", "control"),
        ("rtmp://example.org/live/\u202ekey", "control"),
        ("rtmp://example.org/live/" + "k" * 1000, "longer than 1000"),
    ],
)
def test_anything_else_is_refused_with_a_reason(url: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        push_host(url)


def test_an_address_of_1000_characters_will_do() -> None:
    url = "rtmp://example.org/live/"
    assert push_host(url + "k" * (1000 - len(url))) == "example.org"


def place(timeline: Timeline, packets: list[tuple[int, int]]) -> list[int | None]:
    """Where each (stream, dts) goes out, None when dropped."""
    placed = []
    for stream, dts in packets:
        offset = timeline.place(stream, dts)
        placed.append(None if offset is None else dts + offset)
    return placed


def test_the_first_packet_goes_out_at_zero_and_the_rest_as_they_came() -> None:
    timeline = Timeline()
    assert place(timeline, [(0, 126_000), (1, 126_000), (0, 129_600), (1, 127_920)]) == [0, 0, 3600, 1920]
    assert timeline.dropped == 0


def test_a_restarted_feed_goes_on_after_the_last_packet_out() -> None:
    timeline = Timeline()
    place(timeline, [(0, 900_000), (1, 900_000), (0, 903_600), (1, 901_920), (1, 903_840)])
    # The sound steps back first; the picture's last packet of the old run comes after it.
    got = place(timeline, [(1, 126_000), (0, 907_200), (0, 126_000), (1, 127_920), (0, 129_600)])
    assert got == [3840 + GAP, 7200, 3840 + GAP, 5760 + GAP, 7440 + GAP]
    assert timeline.dropped == 0


def test_a_leap_forward_is_a_new_run_too() -> None:
    timeline = Timeline()
    place(timeline, [(0, 0), (0, 3600)])
    assert place(timeline, [(0, 3600 + JUMP + 1), (0, 7200 + JUMP + 1)]) == [3600 + GAP, 7200 + GAP]


def test_sound_from_well_before_the_new_runs_first_picture_is_dropped() -> None:
    timeline = Timeline()
    place(timeline, [(0, 900_000), (1, 900_000)])
    # Sound from less than the gap before it still fits.
    got = place(timeline, [(0, 126_000), (1, 126_000 - GAP - 1), (1, 126_000 - GAP + 1), (1, 130_000)])
    assert got == [GAP, None, 1, 4000 + GAP]
    assert timeline.dropped == 1


def test_sound_from_before_the_first_picture_is_dropped() -> None:
    timeline = Timeline()
    assert place(timeline, [(0, 126_000), (1, 125_000), (1, 127_000)]) == [0, None, 1000]
    assert timeline.dropped == 1


@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 1 << 33)),
        max_size=60,
    )
)
def test_no_stream_ever_goes_back(packets: list[tuple[int, int]]) -> None:
    timeline = Timeline()
    last: dict[int, int] = {}
    for (stream, _), out in zip(packets, place(timeline, packets), strict=True):
        if out is not None:
            assert out >= last.get(stream, 0)
            last[stream] = out
    assert timeline.dropped == sum(1 for p in place(Timeline(), packets) if p is None)
