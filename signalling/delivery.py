"""Room emits for thousands, near the wire, with Engine.IO's writer task still the only writer of each
connection: whatever reaches a connection goes out in the order it was queued, whichever way it goes.

Per member and per event, python-socketio and python-engineio make a task to queue the packet, go down
five coroutines to put it (server, engine, socket, ping check, queue), wake the writer under a new
timer, and hand the message to uvicorn as an ASGI message, which websockets frames again for each
member. Profiled under a 2,000-member fan-out, the timer per wait was the largest single cost, the
garbage collector's work on what each delivery allocates the next, then those layers and the framing.
Here:

- A room emit is encoded once (`SharedFrame`, which also keeps WebSocket's and long-polling's forms
  apart) and put straight on each member's Engine.IO queue, in a plain loop. A member whose socket is
  gone, closed or past its pings, or an engine that logs every packet, takes the ordinary path.
- A member on WebSocket whose writer waits on an empty queue has written everything queued before: the
  emit writes the frame to its transport itself (`_idle_wire`), when uvicorn would take it at once, and
  the writer sleeps on. Waking each member's writer was most of what a delivery still cost (22-35 µs a
  delivery before, about the `websockets` library's own broadcast after; docs/performance.md).
- The writer waits for its next packet without a timer of its own per wait (`_poll`): each socket has
  one watchdog timer, armed when it is not already, that ends a wait only once it has lasted Engine.IO's
  limit (ping interval plus ping timeout), as Engine.IO's own poll does.
- A binary message's WebSocket frame is built once (`Framed`) and the writer hands it to uvicorn's
  transport itself when uvicorn would write it at once anyway (`_WireWebSocket`): the connection open,
  no close begun, the transport taking data. Otherwise (a paused transport, a closing connection,
  another ASGI server or WebSocket implementation) it goes through the ASGI send as before, and since
  the writer waits for that send before the next, order holds either way.

The shared frame is uncompressed even on a connection that negotiated permessage-deflate (RFC 7692
lets any message go uncompressed): the same bytes for every member, and no compressor per member.

Below the libraries' public API this module uses, read in the exact versions pinned in pyproject.toml
and checked at import:

- python-socketio: `AsyncServer._send_eio_packet`.
- python-engineio: the engine's `sockets`, `logger`, `ping_interval`, `ping_timeout` and `_async` (its
  table of the driver's classes, replaced per server with one whose WebSocket is `_WireWebSocket`); the
  ASGI driver's `WebSocket` (its `asgi_send` and `send`, and that its handler is the socket's bound
  `_websocket_handler`); on `AsyncSocket`, `poll` (replaced), `queue` (an unbounded asyncio.Queue in
  which None stops the writer), `closed`, `last_ping`, `upgraded` and `upgrading` (a socket polls over
  HTTP only while neither is set).
- uvicorn: the ASGI send of a WebSocket is a bound method of `WebSocketsSansIOProtocol` (its default
  with websockets installed), whose `transport`, `writable` (cleared while the transport is paused),
  `close_sent`, `disconnected`, `handshake_complete`, `initial_response` and `conn` (the websockets
  protocol, whose public `state` says whether the connection is open) this module reads.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import time
from importlib import metadata
from typing import Any, cast

import socketio
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio.async_drivers import asgi as eio_asgi
from engineio.async_socket import AsyncSocket
from socketio import packet
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets import protocol as ws_protocol

log = logging.getLogger(__name__)

WRITTEN_FOR = {"python-socketio": "5.18.1", "python-engineio": "4.15.1", "uvicorn": "0.55.0"}
# What this module keeps on every AsyncSocket: the task waiting in its poll and since when, its
# watchdog timer, whether the watchdog ended the wait, and its WebSocket once it has one.
_STATE = {
    "_hub_waiter": None,
    "_hub_waiting_since": 0.0,
    "_hub_watchdog": None,
    "_hub_expired": False,
    "_hub_ws": None,
}


def _check_versions() -> None:
    found = {name: metadata.version(name) for name in WRITTEN_FOR}
    if found != WRITTEN_FOR:
        raise RuntimeError(
            f"signalling/delivery.py uses internals of {WRITTEN_FOR}, but {found} is installed: "
            "read the new versions' code and update the module and the pins together"
        )
    # signalling/pubsub.py overrides the Redis manager's _redis_connect (and uses the redis and pubsub
    # attributes it sets): the same pin covers it.
    needed = (
        (socketio.AsyncServer, "_send_eio_packet"),
        (socketio.AsyncRedisManager, "_redis_connect"),
        (AsyncSocket, "poll"),
        (eio_asgi.WebSocket, "send"),
        (WebSocketsSansIOProtocol, "send"),
    )
    for owner, name in needed:
        if not hasattr(owner, name):
            raise RuntimeError(f"{owner.__qualname__} has no {name}; see signalling/delivery.py")
    if eio_asgi._async.get("websocket") is not eio_asgi.WebSocket:
        raise RuntimeError("engineio's ASGI driver has another WebSocket class; see signalling/delivery.py")
    for name in _STATE:
        if hasattr(AsyncSocket, name):
            raise RuntimeError(f"AsyncSocket has its own {name}; see signalling/delivery.py")


_check_versions()


class QueuedEmit(socketio.AsyncManager):  # type: ignore[misc]
    """A manager whose room emits (without callbacks) put one shared frame on each member's queue."""

    def set_server(self, server: socketio.AsyncServer) -> None:
        super().set_server(server)
        engine = server.eio
        # This server's writers, and no other server's, hand shared frames to the transport.
        if engine._async.get("websocket") is eio_asgi.WebSocket:
            engine._async = {**engine._async, "websocket": _WireWebSocket}

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
        # Their WebSocket frames, when every one is binary (a text one goes the writer's way).
        forms = [frame.encode() for frame in frames]
        framed = [form for form in forms if type(form) is Framed]
        if len(framed) < len(forms):
            framed = []
        engine = self.server.eio
        sockets = engine.sockets
        # Engine.IO's send closes a socket whose ping went unanswered for longer than the ping timeout.
        stale = time.time() - engine.ping_timeout
        # An engine that logs every packet it sends keeps doing so.
        direct = not engine.logger.isEnabledFor(logging.INFO)
        # python-socketio's own copy of the room, read without keeping a tuple per member (objects the
        # garbage collector would otherwise have to look at while the loop runs).
        for sid, eio_sid in self.get_participants(namespace, to or room):
            if sid in skip:
                continue
            socket = sockets.get(eio_sid)
            expiring = socket is not None and socket.last_ping and socket.last_ping < stale
            if direct and socket is not None and not socket.closed and not expiring:
                wire = _idle_wire(socket) if framed else None
                if wire is not None:
                    # Its writer waits on an empty queue: everything queued before has been written,
                    # so writing now keeps the order, without waking the writer.
                    for form in framed:
                        wire.transport.write(form.frame)
                    continue
                # What AsyncSocket.send does once its checks pass.
                for frame in frames:
                    socket.queue.put_nowait(frame)
            elif expiring:
                # Sending closes it and runs the disconnect handler (a commit): not while the rest of
                # the room waits.
                task = asyncio.create_task(self._send(event, sid, eio_sid, frames))
                _sending.add(task)
                task.add_done_callback(_sending.discard)
            else:
                await self._send(event, sid, eio_sid, frames)

    async def _send(self, event: str, sid: str, eio_sid: str, frames: list[eio_packet.Packet]) -> None:
        # One member's failing connection must not cost the rest of the room the event.
        try:
            for frame in frames:
                await self.server._send_eio_packet(eio_sid, frame)
        except Exception:
            log.warning("could not queue %s for %s", event, sid, exc_info=True)


class SharedFrame(eio_packet.Packet):  # type: ignore[misc]
    """One Engine.IO message queued to every member of a room, whatever their transport.

    Engine.IO's Packet keeps its first encoding and returns it for every later call, whether the
    caller asked for WebSocket's raw bytes or long-polling's base64 text: a packet shared between a
    WebSocket member and a polling member was sent to one of them in the other's form, and the polling
    member was disconnected. This frame keeps each form apart; WebSocket's binary form is `Framed`."""

    def __init__(self, data: bytes | str) -> None:
        super().__init__(eio_packet.MESSAGE, data)
        self._forms: dict[bool, bytes | str] = {}

    def encode(self, b64: bool = False) -> bytes | str:
        form = self._forms.get(b64)
        if form is None:
            form = eio_packet.Packet(eio_packet.MESSAGE, self.data).encode(b64=b64)
            if isinstance(form, bytes):
                form = Framed(form)
            self._forms[b64] = form
        return form


class Framed(bytes):
    """A binary Engine.IO message, carrying the WebSocket frame a server sends it in: final, unmasked,
    uncompressed."""

    frame: bytes

    def __new__(cls, payload: bytes) -> Framed:
        framed = super().__new__(cls, payload)
        size = len(payload)
        if size < 126:
            head = struct.pack("!BB", 0x82, size)
        elif size < 1 << 16:
            head = struct.pack("!BBH", 0x82, 126, size)
        else:
            head = struct.pack("!BBQ", 0x82, 127, size)
        framed.frame = head + payload
        return framed


class _WireWebSocket(eio_asgi.WebSocket):  # type: ignore[misc]
    """Engine.IO's ASGI WebSocket, whose writer hands a `Framed` message's frame to uvicorn's transport
    when uvicorn's own send would write to it at once, and sends anything else as before."""

    # uvicorn's protocol behind this WebSocket's ASGI send; False when there is none; None until known.
    _wire: Any = None

    def __init__(self, handler: Any, server: Any) -> None:
        super().__init__(handler, server)
        # The handler is the socket's own method: the socket learns its WebSocket.
        socket = getattr(handler, "__self__", None)
        if isinstance(socket, AsyncSocket):
            socket._hub_ws = self

    def open_wire(self) -> WebSocketsSansIOProtocol | None:
        """uvicorn's protocol when its send would write to the transport at once: it waits while the
        transport is paused, refuses once closing, and websockets refuses unless the connection is
        open."""
        wire = self._wire
        if wire is None:
            if self.asgi_send is None:
                return None
            wire = self._wire = _protocol(self.asgi_send)
        if (
            wire is not False
            and wire.writable.is_set()
            and not wire.close_sent
            and not wire.disconnected
            and wire.conn.state is ws_protocol.OPEN
            and not wire.transport.is_closing()
        ):
            return cast(WebSocketsSansIOProtocol, wire)
        return None

    async def send(self, message: bytes | str) -> None:
        if type(message) is Framed:
            wire = self.open_wire()
            if wire is not None:
                wire.transport.write(message.frame)
                return
        await super().send(message)


def _idle_wire(socket: AsyncSocket) -> WebSocketsSansIOProtocol | None:
    """The transport of a socket on WebSocket whose writer waits on an empty queue, if it would take a
    write at once. Once a socket is upgraded (or upgrading) nothing polls it over HTTP any more, and the
    long-polling wait an upgrade ends leaves its packet in the queue until that wait has gone: a waiter
    on an empty queue is the WebSocket's writer, which has written all it took."""
    ws = socket._hub_ws
    if (
        ws is None
        or socket._hub_waiter is None
        or not socket.upgraded
        or socket.upgrading
        or not socket.queue.empty()
    ):
        return None
    wire: WebSocketsSansIOProtocol | None = ws.open_wire()
    return wire


def _protocol(send: Any) -> WebSocketsSansIOProtocol | bool:
    """The uvicorn protocol whose `send` this is, once its handshake is done; False for anything else
    (another ASGI server or WebSocket implementation, or a send wrapped by middleware)."""
    protocol = getattr(send, "__self__", None)
    if (
        type(protocol) is WebSocketsSansIOProtocol
        and getattr(send, "__func__", None) is WebSocketsSansIOProtocol.send
        and protocol.handshake_complete
        and protocol.initial_response is None
    ):
        return protocol
    return False


# Sends handed to their own task, kept until done.
_sending: set[asyncio.Task[None]] = set()
# Long-polls that a newer poll of the same session is ending (`_poll`).
_superseded: set[asyncio.Task[Any]] = set()


async def _poll(self: AsyncSocket) -> list[eio_packet.Packet]:
    """Engine.IO's AsyncSocket.poll: the packets queued, waiting for the first up to the ping interval
    plus the ping timeout (then QueueEmpty, as when the wait is cancelled); none once the writer must
    stop (a None at the head of the queue)."""
    queue: asyncio.Queue[eio_packet.Packet | None] = self.queue
    packets: list[eio_packet.Packet] = []
    stale = self._hub_waiter
    if stale is not None and not self._hub_expired:
        # A client keeps one long-poll open, so a second one means it gave up the first: its connection
        # broke (under `--workers`, the worker relaying it was killed) and its HTTP library sent the GET
        # again. The first one's answer would go nowhere and take the next packet with it, lost to a
        # client that carries on: it ends now, with a NOOP, as Engine.IO ends a poll an upgrade stops.
        _superseded.add(stale)
        stale.cancel()
    if queue.empty():
        loop = asyncio.get_running_loop()
        me = asyncio.current_task()
        assert me is not None
        self._hub_waiting_since = loop.time()
        self._hub_waiter = me
        if self._hub_watchdog is None:
            limit = self.server.ping_interval + self.server.ping_timeout
            self._hub_watchdog = loop.call_at(self._hub_waiting_since + limit, _watch, self, limit)
        try:
            first = await queue.get()
        except asyncio.CancelledError:
            if me in _superseded:
                # The newer poll waits in its place, under the watchdog.
                _superseded.discard(me)
                me.uncancel()
                return [eio_packet.Packet(eio_packet.NOOP)]
            if self._hub_expired:
                self._hub_expired = False
                me.uncancel()
            _disarm(self)
            raise eio_exceptions.QueueEmpty() from None
        finally:
            if self._hub_waiter is me:
                self._hub_waiter = None
        queue.task_done()
        if first is None:
            _disarm(self)
            return packets
        packets.append(first)
    while not queue.empty():
        pkt = queue.get_nowait()
        queue.task_done()
        if pkt is None:
            if not packets:
                _disarm(self)
            else:
                # As Engine.IO's poll: what came before goes out, and a later poll finds the stop.
                queue.put_nowait(None)
            break
        packets.append(pkt)
    return packets


def _watch(socket: AsyncSocket, limit: float) -> None:
    """A socket's watchdog: ends a wait that has lasted `limit`, or comes back when it will have."""
    socket._hub_watchdog = None
    waiter = socket._hub_waiter
    if waiter is None:
        # Not waiting: the next wait arms it again.
        return
    loop = asyncio.get_running_loop()
    due = socket._hub_waiting_since + limit
    if loop.time() >= due:
        socket._hub_expired = True
        waiter.cancel()
    else:
        socket._hub_watchdog = loop.call_at(due, _watch, socket, limit)


def _disarm(socket: AsyncSocket) -> None:
    """The writer is done with the socket: its watchdog need not hold it any longer."""
    if socket._hub_watchdog is not None:
        socket._hub_watchdog.cancel()
        socket._hub_watchdog = None


for _name, _default in _STATE.items():
    setattr(AsyncSocket, _name, _default)
AsyncSocket.poll = _poll
