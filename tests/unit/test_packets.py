"""The Socket.IO serializer (signalling/frames.py `Packet`): a reply carrying a meeting's view is the
same bytes as msgpack gives, with the view packed once for everyone who gets it."""

from __future__ import annotations

from typing import Any

import msgpack
from hypothesis import given
from hypothesis import strategies as st
from socketio import packet

from hub.models import View
from signalling.frames import Packet

leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.text(max_size=8)
    | st.floats(allow_nan=False)
)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@given(st.dictionaries(st.text(max_size=6), values, max_size=5), st.dictionaries(st.text(max_size=6), values))
def test_a_reply_with_a_view_packs_as_msgpack_does(reply: dict[str, Any], view: dict[str, Any]) -> None:
    shared = View(view)
    data = [{"ok": True, "data": {**reply, "meeting": shared}}]
    encoded = Packet(packet_type=packet.ACK, data=data, namespace="/", id=12).encode()
    expected = msgpack.packb({"type": packet.ACK, "data": _plain(data), "nsp": "/", "id": 12})
    assert encoded == expected
    # The view was packed once, and is reused as it is for the next reply.
    assert shared.packed == msgpack.packb(view)
    again = Packet(packet_type=packet.ACK, data=[{"version": 2, "meeting": shared}], namespace="/", id=13)
    assert msgpack.unpackb(again.encode())["data"][0]["meeting"] == view


def test_packets_without_a_view_are_as_before() -> None:
    event = Packet(packet_type=packet.EVENT, data=["meeting.events", [{"version": 3}]], namespace="/")
    assert event.encode() == msgpack.packb(
        {"type": packet.EVENT, "data": ["meeting.events", [{"version": 3}]], "nsp": "/"}
    )
