"""Room emits for thousands: the costs python-socketio and python-engineio pay for every message to
every client, cut down for the hub, with Engine.IO's writer task still the only writer of each
connection (so whatever reaches a connection keeps the order it was queued in).

- A room emit is encoded once (`SharedFrame`, which also keeps WebSocket's and long-polling's forms
  apart) and put straight on each member's Engine.IO queue in a plain loop: python-socketio makes a
  task per member, and each put goes down five coroutines (server, engine, socket, ping check, queue).
  A member whose connection is gone, closed or past its pings, or a server whose engine logs every
  packet, takes the ordinary path for that member.
- Engine.IO's writer waits for each next packet under a timeout (wait_for on Python 3.11: a task per
  packet; asyncio.timeout: a timer per packet, which with thousands of members was the largest single
  cost, and the garbage collector's work on those short-lived timers came next). Here each socket keeps
  one watchdog timer, armed when it is not already, that fires at most once per timeout and ends the
  wait only if the socket has waited the whole timeout.
"""

from __future__ import annotations

import asyncio
import logging
import time
from importlib import metadata
from typing import Any

import socketio
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio.async_socket import AsyncSocket
from socketio import packet

log = logging.getLogger(__name__)

# What this module reaches below python-socketio's and python-engineio's public API was read in these
# exact versions, pinned in pyproject.toml: the server's `_send_eio_packet`, the engine's `sockets`,
# `logger`, `ping_interval` and `ping_timeout`; on `AsyncSocket`, `poll` (replaced below), `queue` (an
# unbounded asyncio.Queue whose None means "the writer stops"), `closed` and `last_ping`.
WRITTEN_FOR = {"python-socketio": "5.18.1", "python-engineio": "4.15.1"}
# The attributes this module keeps on every AsyncSocket.
_STATE = ("_hub_waiter", "_hub_waiting_since", "_hub_watchdog", "_hub_expired")


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
        (AsyncSocket, "poll"),
        (socketio.AsyncRedisManager, "_redis_connect"),
    )
    for owner, name in needed:
        if not hasattr(owner, name):
            raise RuntimeError(f"{owner.__qualname__} has no {name}; see signalling/delivery.py")
    for name in _STATE:
        if hasattr(AsyncSocket, name):
            raise RuntimeError(f"AsyncSocket has its own {name}; see signalling/delivery.py")


_check_versions()


class QueuedEmit(socketio.AsyncManager):  # type: ignore[misc]
    """A manager whose room emits (without callbacks) put one shared frame on each member's queue."""

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
        engine = self.server.eio
        sockets = engine.sockets
        # Engine.IO's send closes a socket whose last ping went unanswered for longer than this.
        stale = time.time() - engine.ping_timeout
        # An engine logging every packet keeps doing so.
        direct = not engine.logger.isEnabledFor(logging.INFO)
        for sid, eio_sid in list(self.get_participants(namespace, to or room)):
            if sid in skip:
                continue
            socket = sockets.get(eio_sid)
            expiring = socket is not None and bool(socket.last_ping) and socket.last_ping < stale
            if direct and socket is not None and not socket.closed and not expiring:
                # What AsyncSocket.send does once its checks pass, without its coroutines.
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
        # One member's closed connection must not cost the rest of the room the event.
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
    member was disconnected. This frame keeps each form apart."""

    def __init__(self, data: bytes | str) -> None:
        super().__init__(eio_packet.MESSAGE, data)
        self._forms: dict[bool, bytes | str] = {}

    def encode(self, b64: bool = False) -> bytes | str:
        form = self._forms.get(b64)
        if form is None:
            form = self._forms[b64] = eio_packet.Packet(eio_packet.MESSAGE, self.data).encode(b64=b64)
        return form


# Sends handed to their own task, kept until done.
_sending: set[asyncio.Task[None]] = set()

# The state _poll keeps on each socket: the task waiting in it and since when, the socket's watchdog
# timer, and whether the watchdog ended the wait.
AsyncSocket._hub_waiter = None
AsyncSocket._hub_waiting_since = 0.0
AsyncSocket._hub_watchdog = None
AsyncSocket._hub_expired = False


async def _poll(self: AsyncSocket) -> list[eio_packet.Packet]:
    """Engine.IO's AsyncSocket.poll: the packets queued, waiting for the first up to the engine's ping
    interval plus timeout (then QueueEmpty); an empty list when the first is the stop (None)."""
    queue: asyncio.Queue[eio_packet.Packet | None] = self.queue
    packets: list[eio_packet.Packet] = []
    if queue.empty():
        loop = asyncio.get_running_loop()
        self._hub_waiting_since = loop.time()
        self._hub_waiter = asyncio.current_task()
        if self._hub_watchdog is None:
            limit = self.server.ping_interval + self.server.ping_timeout
            self._hub_watchdog = loop.call_at(self._hub_waiting_since + limit, _watch, self, limit)
        try:
            first = await queue.get()
        except asyncio.CancelledError:
            if self._hub_expired:
                self._hub_expired = False
                self._hub_waiter.uncancel()
            # As Engine.IO's own poll, a cancelled wait ends like one that timed out.
            raise eio_exceptions.QueueEmpty() from None
        finally:
            self._hub_waiter = None
        queue.task_done()
        if first is None:
            return packets
        packets.append(first)
    while not queue.empty():
        pkt = queue.get_nowait()
        queue.task_done()
        if pkt is None:
            if packets:
                # Everything before the stop goes out first; the next poll sees the stop.
                queue.put_nowait(None)
            break
        packets.append(pkt)
    return packets


def _watch(socket: AsyncSocket, limit: float) -> None:
    """The socket's watchdog: ends a wait that has lasted `limit`, or comes back when it would."""
    socket._hub_watchdog = None
    waiter = socket._hub_waiter
    if waiter is None:
        # Not waiting: the next wait arms the watchdog again.
        return
    loop = asyncio.get_running_loop()
    due = socket._hub_waiting_since + limit
    if loop.time() >= due:
        socket._hub_expired = True
        waiter.cancel()
    else:
        socket._hub_watchdog = loop.call_at(due, _watch, socket, limit)


AsyncSocket.poll = _poll
