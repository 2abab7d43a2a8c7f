"""A light Socket.IO client for load: thousands of them in one process must keep up with the hub.

python-socketio's client decodes every packet in full, and in the hub's test client every event is
also applied as a patch. With 2,000 clients in one process that falls seconds behind a join storm and
the server drops them for missing heartbeats. This client speaks the same wire protocol (Engine.IO 4
over WebSocket, Socket.IO 5 packets in msgpack) but decodes a broadcast only when it holds an event
someone listens to, and decodes an ack only as far as its `ok`, unless the caller wants the data.

Each client is an asyncio protocol over the `websockets` library's Sans-I/O connection: frames are
parsed in the callback that reads them, with no task, queue or iterator per message. On aiohttp's
client, reading cost the load generator 40-70 µs a frame, so with the generator on one core the
fan-out's last delivery to 2,000 clients measured the generator rather than the server.

It is for benchmarks only: no reconnection, no polling transport, no binary attachments, one
namespace.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlsplit

import msgpack
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.uri import parse_uri

# Socket.IO packet types.
CONNECT, EVENT, ACK, CONNECT_ERROR = 0, 2, 3, 4
# python-socketio's msgpack packets are maps whose first key is "type": a fixmap header, then this.
TYPE_KEY = msgpack.packb("type")


def packet_type(frame: bytes) -> int:
    """The Socket.IO packet type without decoding the packet (a fixint right after the first key)."""
    if frame[1 : 1 + len(TYPE_KEY)] != TYPE_KEY:
        return int(msgpack.unpackb(frame)["type"])
    return frame[1 + len(TYPE_KEY)]


def ack_head(frame: bytes) -> tuple[int, bool]:
    """An ack's id and its reply's `ok`, without building the rest of the reply (it may be a snapshot).

    python-socketio writes the keys as type, data, nsp, id: the reply is read past, not decoded."""
    unpacker = msgpack.Unpacker()
    unpacker.feed(frame)
    ack_id, ok = -1, False
    for _ in range(unpacker.read_map_header()):
        key = unpacker.unpack()
        if key == "data":
            for index in range(unpacker.read_array_header()):
                if index > 0:
                    unpacker.skip()
                    continue
                for _ in range(unpacker.read_map_header()):
                    if unpacker.unpack() == "ok":
                        ok = bool(unpacker.unpack())
                    else:
                        unpacker.skip()
        elif key == "id":
            ack_id = int(unpacker.unpack())
        else:
            unpacker.skip()
    if ack_id < 0:
        raise ValueError("an ack without an id")
    return ack_id, ok


class Listener:
    """A handler for an event, called only for packets whose bytes contain `needle`: with the event's
    data, or with the packet's bytes unread if `raw` (all a benchmark needs to see that a marker came)."""

    def __init__(self, handler: Callable[[Any], None], needle: bytes, raw: bool) -> None:
        self.handler = handler
        self.needle = needle
        self.raw = raw


class LightClient(asyncio.Protocol):
    def __init__(self) -> None:
        self.listeners: dict[str, Listener] = {}
        self.pending: dict[int, tuple[asyncio.Future[Any], bool]] = {}
        self.next_id = 0
        self.ws: ClientProtocol | None = None
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[Response] | None = None
        self.closed = asyncio.Event()
        self.connected = asyncio.Event()
        self.error: str | None = None
        # Everything the server sent this client, in bytes (WebSocket payloads).
        self.received_bytes = 0

    def on(self, event: str, handler: Callable[[Any], None], needle: bytes = b"", raw: bool = False) -> None:
        """Call `handler(data)` for `event`; only packets that contain `needle` are decoded, and none
        if `raw`: then the handler gets the packet's bytes."""
        self.listeners[event] = Listener(handler, needle or event.encode(), raw)

    async def connect(self, url: str, auth: dict[str, Any] | None, timeout: float = 30) -> None:
        address = urlsplit(url)
        ws_url = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = ClientProtocol(parse_uri(ws_url), max_size=None)
        loop = asyncio.get_running_loop()
        self.opened = loop.create_future()
        async with asyncio.timeout(timeout):
            await loop.create_connection(lambda: self, address.hostname or "localhost", address.port or 80)
            self.ws.send_request(self.ws.connect())
            self.flush()
            response = await self.opened
            if response.status_code != 101:
                raise ConnectionError(f"WebSocket refused: {response.status_code} {response.reason_phrase}")
            self.send(msgpack.packb({"type": CONNECT, "data": auth, "nsp": "/"}))
            await self.connected.wait()
        if self.error:
            raise ConnectionError(self.error)

    async def call(self, event: str, data: Any, timeout: float = 60, decode: bool = True) -> Any:
        """Emit `event` and wait for its ack: the whole reply, or only `{"ok": ...}` if not `decode`."""
        self.next_id += 1
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = (waiter, decode)
        packet = {"type": EVENT, "data": [event, data], "nsp": "/", "id": self.next_id}
        self.send(msgpack.packb(packet))
        async with asyncio.timeout(timeout):
            return await waiter

    def send(self, payload: bytes) -> None:
        if self.ws is None or self.closed.is_set():
            raise ConnectionError(f"not connected ({self.error})")
        self.ws.send_binary(payload)
        self.flush()

    def flush(self) -> None:
        assert self.ws is not None and self.transport is not None
        for data in self.ws.data_to_send():
            if data:
                self.transport.write(data)
            elif not self.transport.is_closing():  # the end of the stream: the closing handshake is done
                self.transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        assert self.ws is not None
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                if self.opened is not None and not self.opened.done():
                    self.opened.set_result(event)
                continue
            frame = event
            assert isinstance(frame, Frame)
            self.received_bytes += len(frame.data)
            if frame.opcode is Opcode.BINARY:
                self.received(bytes(frame.data))
            elif frame.opcode is Opcode.TEXT and frame.data == b"2" and self.ws.state is State.OPEN:
                # Engine.IO's own packets: of these only pings need an answer, at once.
                self.ws.send_text(b"3")
            elif frame.opcode is Opcode.CLOSE:
                self.error = f"closed by the server ({self.ws.close_code} {self.ws.close_reason})"
        if self.ws.parser_exc is not None and self.error is None:
            self.error = f"cannot read the server: {self.ws.parser_exc!r}"
        self.flush()

    def connection_lost(self, exc: Exception | None) -> None:
        self.error = self.error or (str(exc) if exc else "connection lost")
        why = f"disconnected ({self.error})"
        for waiter, _ in self.pending.values():
            if not waiter.done():
                waiter.set_exception(ConnectionError(why))
        if self.opened is not None and not self.opened.done():
            self.opened.set_exception(ConnectionError(why))
        self.connected.set()
        self.closed.set()

    def received(self, frame: bytes) -> None:
        kind = packet_type(frame)
        if kind == EVENT:
            for event, listener in self.listeners.items():
                if listener.needle in frame and event.encode() in frame:
                    if listener.raw:
                        listener.handler(frame)
                        continue
                    name, *args = msgpack.unpackb(frame)["data"]
                    if name == event:
                        listener.handler(args[0] if args else None)
        elif kind == ACK:
            ack_id, ok = ack_head(frame)
            waiter, decode = self.pending.pop(ack_id)
            if not waiter.done():
                waiter.set_result(msgpack.unpackb(frame)["data"][0] if decode or not ok else {"ok": ok})
        elif kind == CONNECT:
            self.connected.set()
        elif kind == CONNECT_ERROR:
            self.error = str(msgpack.unpackb(frame).get("data"))
            self.connected.set()

    async def disconnect(self) -> None:
        if self.ws is not None and self.transport is not None and not self.closed.is_set():
            self.ws.send_close()
            self.flush()
            try:
                async with asyncio.timeout(5):
                    await self.closed.wait()
            except TimeoutError:
                self.transport.abort()
