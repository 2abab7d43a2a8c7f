"""Malformed frames from clients: dropped, logged once per connection, and the connection closed after a few.

python-socketio and python-engineio decode a frame where no handler can catch what goes wrong: a text frame
that is not an Engine.IO packet ends the connection with a traceback, bad msgpack or a packet of the wrong
shape logs a traceback for every frame. Two public hooks keep that out of the libraries:

- `guard` wraps the ASGI app and checks every WebSocket frame to `/socket.io/` before the engine sees it.
  A malformed one is dropped; the first is logged with the client's address; at `LIMIT` the connection
  ends as if the client had closed it (the gateway's leave runs as for any disconnect).
- `Packet` is the Socket.IO serializer (`socketio.AsyncServer(serializer=...)`, public API): msgpack, as
  before, but a packet it cannot decode (one that reached it another way, over long-polling) becomes an
  acknowledgement nobody waits for, which the library ignores quietly; and an event named like one of
  python-socketio's own (`connect`, `disconnect`, `*`) is renamed, so that it never reaches the
  lifecycle handlers (which would admit the socket again with another link) but the catch-all, which
  answers `unknown_event` and charges the sender's rate limit.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import msgpack
from socketio import packet
from socketio.msgpack_packet import MsgPackPacket

from hub.models import View

log = logging.getLogger(__name__)

# Malformed frames one connection may send; the next ends it.
LIMIT = 5
# Names python-socketio gives a meaning of its own: a client event may never reach a handler by them.
RESERVED = frozenset({"connect", "disconnect", "connect_error", "*"})

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Message, Receive, Send], Awaitable[None]]

# Engine.IO packet types a client may send as text: close, ping, pong, upgrade, noop. Every Socket.IO
# packet is binary (msgpack), so a text message ("4...") is malformed too.
_ENGINE_TEXT = frozenset("12356")
_SOCKETIO_TYPES = frozenset({packet.CONNECT, packet.DISCONNECT, packet.EVENT, packet.ACK})


def problem(frame: str | bytes) -> str | None:
    """Why a WebSocket frame from a client is malformed, or None when the libraries will take it."""
    if isinstance(frame, str):
        if not frame:
            return "empty text frame"
        if frame[0] == "b":
            try:
                frame = base64.b64decode(frame[1:], validate=True)
            except (binascii.Error, ValueError):
                return "text frame with bad base64"
        elif frame[0] not in _ENGINE_TEXT:
            return "text frame that is not an Engine.IO packet"
        else:
            return None
    try:
        _check(msgpack.unpackb(frame, raw=False))
    except Exception as exc:
        return f"binary frame that is not a Socket.IO packet ({type(exc).__name__})"
    return None


def _check(decoded: Any) -> None:
    """Raise unless `decoded` has the shape python-socketio's handlers rely on."""
    if not isinstance(decoded, dict):
        raise TypeError("not a map")
    kind, data, id_ = decoded["type"], decoded.get("data"), decoded.get("id")
    if kind not in _SOCKETIO_TYPES or type(kind) is not int:
        raise ValueError("unknown packet type")
    if not isinstance(decoded["nsp"], str | None) or not isinstance(id_, int | None) or isinstance(id_, bool):
        raise TypeError("bad namespace or id")
    if kind == packet.EVENT and not (isinstance(data, list) and data and isinstance(data[0], str)):
        raise TypeError("an event is a list that starts with its name")
    if kind == packet.ACK and not (isinstance(data, list) and isinstance(id_, int)):
        raise TypeError("an acknowledgement is a list with an id")


_HEADERS = msgpack.Packer()
# How deep in a packet's data a view is looked for: the list of arguments, the answer, its `data`.
_DEPTH = 3


class Packet(MsgPackPacket):  # type: ignore[misc]
    def encode(self) -> bytes:
        # As MsgPackPacket.encode; a meeting's view in a reply is packed once for all who get it.
        out = {"type": self.packet_type, "data": self.data, "nsp": self.namespace}
        if self.id is not None:
            out["id"] = self.id
        if not _holds_view(self.data):
            return bytes(msgpack.packb(out))
        return _pack(out, _DEPTH + 1)

    def decode(self, encoded_packet: Any) -> None:
        try:
            if not isinstance(encoded_packet, bytes | bytearray):
                raise TypeError("not binary")
            decoded = msgpack.unpackb(encoded_packet, raw=False, ext_hook=self.ext_hook)
            _check(decoded)
        except Exception:
            # An acknowledgement with no id: python-socketio finds no callback and ignores it.
            self.packet_type, self.namespace, self.id, self.data = packet.ACK, "/", None, []
            return
        # As MsgPackPacket.decode, from the map decoded once.
        self.packet_type = decoded["type"]
        self.data = decoded.get("data")
        self.id = decoded.get("id")
        self.namespace = decoded["nsp"]
        if self.packet_type == packet.EVENT and self.data[0] in RESERVED:
            # python-socketio would run its own handler of that name (or, for "*", the catch-all with
            # the name missing): renamed, the event is just one that does not exist.
            self.data = [f"{self.data[0]} (reserved)", *self.data[1:]]


def _holds_view(value: Any, depth: int = _DEPTH) -> bool:
    """Whether a meeting's view is within `depth` levels of a packet's data (an answer's `data`)."""
    if isinstance(value, View):
        return True
    if depth and isinstance(value, dict):
        return any(_holds_view(v, depth - 1) for v in value.values())
    if depth and isinstance(value, list):
        return any(_holds_view(v, depth - 1) for v in value)
    return False


def _pack(value: Any, depth: int) -> bytes:
    """`msgpack.packb(value)`, with each `View` within `depth` levels packed once and then reused."""
    if isinstance(value, View):
        if value.packed is None:
            value.packed = bytes(msgpack.packb(value))
        return value.packed
    if depth and isinstance(value, dict):
        head = bytes(_HEADERS.pack_map_header(len(value)))
        return head + b"".join(_pack(k, 0) + _pack(v, depth - 1) for k, v in value.items())
    if depth and isinstance(value, list):
        head = bytes(_HEADERS.pack_array_header(len(value)))
        return head + b"".join(_pack(v, depth - 1) for v in value)
    return bytes(msgpack.packb(value))


def guard(app: ASGIApp, path: str = "/socket.io/") -> ASGIApp:
    """`app` with malformed WebSocket frames to `path` dropped, and connections that keep sending them
    closed."""

    async def guarded(scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket" or not scope["path"].startswith(path):
            await app(scope, receive, send)
            return
        malformed = 0

        async def checked() -> Message:
            nonlocal malformed
            while True:
                message = await receive()
                if message["type"] != "websocket.receive":
                    return message
                frame = message.get("text")
                reason = problem(frame if frame is not None else message.get("bytes") or b"")
                if reason is None:
                    return message
                malformed += 1
                if malformed == 1:
                    client = scope.get("client") or ("?", 0)
                    log.warning(
                        "malformed frame from %s:%s (%s); dropped, and the connection closed after %d",
                        client[0],
                        client[1],
                        reason,
                        LIMIT,
                    )
                if malformed >= LIMIT:
                    # The engine ends the session as if the client had gone, and closes the socket.
                    return {"type": "websocket.disconnect", "code": 1008}

        await app(scope, checked, send)

    return guarded
