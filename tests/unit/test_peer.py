from __future__ import annotations

from signalling.media.peer import media_sections

OFFER = "\r\n".join(
    [
        "v=0",
        "o=- 1 1 IN IP4 0.0.0.0",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0 1 2",
        "m=audio 9 UDP/TLS/RTP/SAVPF 96",
        "a=recvonly",
        "a=mid:0",
        "m=video 9 UDP/TLS/RTP/SAVPF 97 98",
        "a=mid:1",
        "a=sendonly",
        "a=msid:p3 9f2c",
        "m=video 9 UDP/TLS/RTP/SAVPF 97 98",
        "a=mid:2",
        "",
    ]
)


def test_media_sections_give_each_mid_and_direction() -> None:
    # A section that names no direction is sendrecv.
    assert media_sections(OFFER) == [("0", "recvonly"), ("1", "sendonly"), ("2", "sendrecv")]


def test_media_sections_of_garbage_are_none() -> None:
    assert media_sections("v=0\r\nnonsense") == []
    assert media_sections("") == []
