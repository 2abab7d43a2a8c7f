"""A light Socket.IO client for load: thousands of them in one process must keep up with the hub.

python-socketio's client decodes every packet in full, and in the hub's test client every event is
also applied as a patch. With 2,000 clients in one process that falls seconds behind a join storm and
the server drops them for missing heartbeats. This client speaks the same wire protocol (Engine.IO 4
over WebSocket, Socket.IO 5 packets in msgpack) but decodes a broadcast only when it holds an event
someone listens to, and decodes an ack only as far as its `ok`, unless the caller wants the data.

It is for benchmarks only: no reconnection, no polling transport, no binary attachments, one
namespace.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
import msgpack

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
    """A handler for an event, called only for packets whose bytes contain `needle`."""

    def __init__(self, handler: Callable[[Any], None], needle: bytes) -> None:
        self.handler = handler
        self.needle = needle


class LightClient:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session
        self.listeners: dict[str, Listener] = {}
        self.pending: dict[int, tuple[asyncio.Future[Any], bool]] = {}
        self.next_id = 0
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.reader: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.error: str | None = None
        # Everything the server sent this client, in bytes (WebSocket payloads).
        self.received_bytes = 0

    def on(self, event: str, handler: Callable[[Any], None], needle: bytes = b"") -> None:
        """Call `handler(data)` for `event`; only packets that contain `needle` are decoded."""
        self.listeners[event] = Listener(handler, needle or event.encode())

    async def connect(self, url: str, auth: dict[str, Any] | None, timeout: float = 30) -> None:
        ws_url = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await self.session.ws_connect(ws_url, max_msg_size=0)
        self.reader = asyncio.create_task(self.read())
        await self.ws.send_bytes(msgpack.packb({"type": CONNECT, "data": auth, "nsp": "/"}))
        async with asyncio.timeout(timeout):
            await self.connected.wait()
        if self.error:
            raise ConnectionError(self.error)

    async def call(self, event: str, data: Any, timeout: float = 60, decode: bool = True) -> Any:
        """Emit `event` and wait for its ack: the whole reply, or only `{"ok": ...}` if not `decode`."""
        assert self.ws is not None
        self.next_id += 1
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = (waiter, decode)
        packet = {"type": EVENT, "data": [event, data], "nsp": "/", "id": self.next_id}
        await self.ws.send_bytes(msgpack.packb(packet))
        async with asyncio.timeout(timeout):
            return await waiter

    async def read(self) -> None:
        assert self.ws is not None
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.received_bytes += len(message.data)
                self.received(message.data)
            elif message.type == aiohttp.WSMsgType.TEXT:
                self.received_bytes += len(message.data)
                await self.engine(message.data)
            else:
                self.error = f"{message.type.name} {message.data!r} {message.extra!r}"
                break
        why = f"disconnected ({self.error}, close code {self.ws.close_code})"
        for waiter, _ in self.pending.values():
            if not waiter.done():
                waiter.set_exception(ConnectionError(why))
        self.connected.set()

    async def engine(self, text: str) -> None:
        """Engine.IO's own packets: of these only pings need an answer, at once."""
        assert self.ws is not None
        if text == "2":
            await self.ws.send_str("3")

    def received(self, frame: bytes) -> None:
        kind = packet_type(frame)
        if kind == EVENT:
            for event, listener in self.listeners.items():
                if listener.needle in frame and event.encode() in frame:
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
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await self.reader
