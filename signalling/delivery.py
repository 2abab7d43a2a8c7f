"""Room emits for thousands: one encoding and one WebSocket frame per emit, written straight to each
idle WebSocket connection, and no task per member or per packet.

python-socketio puts a room emit on every member's Engine.IO queue from a task per member; each
member's writer task then wakes, encodes the packet and hands it to the ASGI server, which frames it.
That was 45-50 µs of the hub's CPU per member per event. Here:

- The event is encoded once and framed once (`SharedFrame`, which also keeps WebSocket's and
  long-polling's forms apart: Engine.IO caches a packet's first encoding for both).
- A member on WebSocket whose writer is idle (waiting on an empty queue) gets the frame written to its
  connection's transport at once: no queue, no writer wake-up, no ASGI message. Anything else keeps
  Engine.IO's ordinary path, so nothing overtakes what is already queued: a member still on long-polling
  or upgrading, one with packets queued or its writer busy, one whose transport is paused (its buffer
  full: the queue keeps the back-pressure), closing, or past its pings.
- The ordinary path queues in a plain loop rather than a task per member (queues are unbounded, putting
  never waits). A member past its pings is sent to from its own task: that send closes the connection
  and runs the disconnect handler, a commit the rest of the room must not wait for.
- On Python 3.11 Engine.IO's writer waits for each next packet with asyncio.wait_for, a new task every
  time; the replacement `poll` waits under asyncio.timeout (as wait_for itself does from 3.12) and marks
  the socket idle while it waits.

The frame is unmasked and uncompressed (RSV1 clear), which RFC 6455 and RFC 7692 allow on a connection
that negotiated permessage-deflate, so it is the same bytes for every member.

Internals used, each checked at import against the versions pinned in pyproject.toml:

- python-socketio: `AsyncServer._send_eio_packet` (the ordinary path), `AsyncManager.get_participants`;
  and, in signalling/pubsub.py, `AsyncRedisManager._redis_connect` (overridden, with the `redis` and
  `pubsub` attributes it sets).
- python-engineio: the server's `sockets` and `_async["websocket"]` (replaced, per server, by a wrapper
  that records each WebSocket's ASGI `send`); `async_drivers.asgi.WebSocket` (its `handler`, the socket's
  `_websocket_handler`, and what `__call__` does); on `AsyncSocket`, `poll` (replaced), `queue`,
  `upgraded`, `upgrading`, `closing`, `closed` and `last_ping`.
- uvicorn: the ASGI `send` of a WebSocket is a bound method of `WebSocketsSansIOProtocol` (uvicorn's
  default with websockets installed); its `transport`, `writable` (cleared while the transport is
  paused), `close_sent`, `disconnected`, `handshake_complete` and `initial_response`. Under another
  protocol class or ASGI server every member takes the ordinary path.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

import socketio
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio.async_drivers import asgi as eio_asgi
from engineio.async_socket import AsyncSocket
from socketio import packet
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

log = logging.getLogger(__name__)

# The internals named in the docstring were read in these exact versions, pinned in pyproject.toml.
WRITTEN_FOR = {"python-socketio": "5.18.1", "python-engineio": "4.15.1", "uvicorn": "0.55.0"}


def _check_versions() -> None:
    found = {name: metadata.version(name) for name in WRITTEN_FOR}
    if found != WRITTEN_FOR:
        raise RuntimeError(
            f"signalling/delivery.py uses internals of {WRITTEN_FOR}, but {found} is installed: "
            "read the new versions' code and update the module and the pins together"
        )
    needed: list[tuple[Any, str]] = [
        (socketio.AsyncServer, "_send_eio_packet"),
        (socketio.AsyncManager, "get_participants"),
        (socketio.AsyncRedisManager, "_redis_connect"),
        (AsyncSocket, "poll"),
        (AsyncSocket, "_websocket_handler"),
        (eio_asgi.WebSocket, "__call__"),
        (WebSocketsSansIOProtocol, "send"),
    ]
    for owner, name in needed:
        if not hasattr(owner, name):
            raise RuntimeError(f"{owner.__qualname__} has no {name}; see signalling/delivery.py")
    if eio_asgi._async.get("websocket") is not eio_asgi.WebSocket:
        raise RuntimeError("engineio's ASGI driver has a new WebSocket class; see signalling/delivery.py")


_check_versions()

# uvicorn's protocol of a WebSocket that can take frames directly, by Engine.IO sid.
Wires = dict[str, WebSocketsSansIOProtocol]


class QueuedEmit(socketio.AsyncManager):  # type: ignore[misc]
    """A manager whose room emits (without callbacks) write one shared frame to each idle WebSocket
    member and queue it to the others, in a plain loop."""

    def set_server(self, server: socketio.AsyncServer) -> None:
        super().set_server(server)
        self.wires: Wires = {}
        engine = server.eio
        # Only Engine.IO's own ASGI WebSocket is known to behave as _RecordedWebSocket assumes.
        if engine._async.get("websocket") is eio_asgi.WebSocket:
            engine._async = {**engine._async, "websocket": _recorder(self.wires)}

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: str | None = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: str | None = None,
        **kwargs: Any,
    ) -> None:
        if callback is not None or namespace not in self.rooms:
            await super().emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to, **kwargs
            )
            return
        # The arguments as python-socketio reads them: a tuple is several, None is none.
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        encoded = self.server.packet_class(packet.EVENT, namespace=namespace, data=[event, *args]).encode()
        frames = [SharedFrame(p) for p in (encoded if isinstance(encoded, list) else [encoded])]
        wire = b"".join(frame.websocket_frame() for frame in frames)
        engine = self.server.eio
        sockets, wires = engine.sockets, self.wires
        # Engine.IO closes a socket whose pongs are older than this on its next send.
        stale = time.time() - engine.ping_timeout
        for sid, eio_sid in list(self.get_participants(namespace, to or room)):
            if sid in skip:
                continue
            socket = sockets.get(eio_sid)
            if socket is not None and socket.last_ping and socket.last_ping < stale:
                # Sending closes it and runs the disconnect handler (a commit): not while the rest of
                # the room waits.
                task = asyncio.create_task(self._send(event, sid, eio_sid, frames))
                _sending.add(task)
                task.add_done_callback(_sending.discard)
                continue
            protocol = wires.get(eio_sid)
            if protocol is not None and _idle(socket, protocol):
                try:
                    protocol.transport.write(wire)
                    continue
                except Exception:
                    log.warning("could not write %s to %s; queueing it", event, sid, exc_info=True)
            await self._send(event, sid, eio_sid, frames)

    async def _send(self, event: str, sid: str, eio_sid: str, frames: list[eio_packet.Packet]) -> None:
        # One member's closed connection must not cost the rest of the room the event.
        try:
            for frame in frames:
                await self.server._send_eio_packet(eio_sid, frame)
        except Exception:
            log.warning("could not queue %s for %s", event, sid, exc_info=True)


def _idle(socket: AsyncSocket | None, protocol: WebSocketsSansIOProtocol) -> bool:
    """Whether a frame written to the connection now comes after everything sent to it before: the
    socket is on WebSocket, its writer waits on an empty queue, and the transport takes data."""
    return bool(
        socket is not None
        and socket.upgraded
        and socket.writer_waiting
        and not socket.upgrading
        and not socket.closing
        and not socket.closed
        and socket.queue.empty()
        and protocol.writable.is_set()
        and not protocol.close_sent
        and not protocol.disconnected
        and not protocol.transport.is_closing()
    )


class SharedFrame(eio_packet.Packet):  # type: ignore[misc]
    """One Engine.IO message sent to every member of a room, whatever their transport.

    Engine.IO's Packet keeps its first encoding and returns it for every later call, whether the
    caller asked for WebSocket's raw bytes or long-polling's base64 text: a packet shared between a
    WebSocket member and a polling member was sent to one of them in the other's form, and the polling
    member was disconnected. This frame keeps each form apart."""

    def __init__(self, data: bytes | str) -> None:
        super().__init__(eio_packet.MESSAGE, data)
        self._forms: dict[bool, bytes | str] = {}

    def encode(self, b64: bool = False) -> bytes | str:
        form = self._forms.get(b64)
        if form is None:
            form = self._forms[b64] = eio_packet.Packet(eio_packet.MESSAGE, self.data).encode(b64=b64)
        return form

    def websocket_frame(self) -> bytes:
        """The WebSocket frame a server sends for this message: final, unmasked, uncompressed."""
        form = self.encode()
        opcode, payload = (0x81, form.encode()) if isinstance(form, str) else (0x82, form)
        size = len(payload)
        if size < 126:
            head = struct.pack("!BB", opcode, size)
        elif size < 1 << 16:
            head = struct.pack("!BBH", opcode, 126, size)
        else:
            head = struct.pack("!BBQ", opcode, 127, size)
        return head + payload


class _RecordedWebSocket(eio_asgi.WebSocket):  # type: ignore[misc]
    """Engine.IO's ASGI WebSocket, which also records uvicorn's protocol for the socket it carries while
    the connection is accepted."""

    wires: Wires

    async def __call__(self, environ: dict[str, Any]) -> str:
        # As eio_asgi.WebSocket.__call__, with the protocol recorded between the accept and the end.
        self.asgi_receive = environ["asgi.receive"]
        self.asgi_send = environ["asgi.send"]
        await self.asgi_send({"type": "websocket.accept"})
        socket: AsyncSocket = self.handler.__self__
        found = getattr(self.asgi_send, "__self__", None)
        protocol = found if type(found) is WebSocketsSansIOProtocol else None
        if protocol is not None and protocol.handshake_complete and protocol.initial_response is None:
            self.wires[socket.sid] = protocol
        try:
            await self.handler(self)
        finally:
            if protocol is not None and self.wires.get(socket.sid) is protocol:
                del self.wires[socket.sid]
        return ""


def _recorder(wires: Wires) -> Callable[[Any, Any], _RecordedWebSocket]:
    """The WebSocket class for Engine.IO's `_async` table, recording into `wires`."""
    return type("RecordedWebSocket", (_RecordedWebSocket,), {"wires": wires})


# Sends handed to their own task, kept until done.
_sending: set[asyncio.Task[None]] = set()

# Whether the socket's writer is waiting in poll; set only by _poll below.
AsyncSocket.writer_waiting = False


async def _poll(self: AsyncSocket) -> list[eio_packet.Packet]:
    """Engine.IO's AsyncSocket.poll, waiting under asyncio.timeout instead of wait_for, and marking the
    socket as waiting meanwhile."""
    try:
        self.writer_waiting = True
        async with asyncio.timeout(self.server.ping_interval + self.server.ping_timeout):
            packets = [await self.queue.get()]
        self.queue.task_done()
    except (TimeoutError, asyncio.CancelledError):
        raise eio_exceptions.QueueEmpty() from None
    finally:
        self.writer_waiting = False
    if packets == [None]:
        return []
    while True:
        try:
            pkt = self.queue.get_nowait()
        except asyncio.QueueEmpty:
            break
        self.queue.task_done()
        if pkt is None:
            self.queue.put_nowait(None)
            break
        packets.append(pkt)
    return packets


AsyncSocket.poll = _poll
