"""Two costs python-socketio and python-engineio pay for every message to every client, removed for
the hub: in a room of thousands they were most of the hub's CPU (a profile of a 2,000-member join storm
put four samples in ten in creating tasks).

- A room emit creates one task per member, each to put the same packet on that member's queue.
  Putting never waits (Engine.IO's queues have no bound), so the hub puts them in a plain loop.
- On Python 3.11 Engine.IO's writer waits for each next packet with asyncio.wait_for, which wraps the
  wait in a new task every time. asyncio.timeout (3.11 and later) waits the same way without one, as
  wait_for itself does from 3.12.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from importlib import metadata
from typing import Any

import socketio
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio.async_socket import AsyncSocket
from socketio import packet

log = logging.getLogger(__name__)

# What this module reaches below python-socketio's and python-engineio's public API (the server's
# `_send_eio_packet`, the engine's `sockets` and each socket's `last_ping`, `AsyncSocket.poll`) was read in
# these exact versions, pinned in pyproject.toml.
WRITTEN_FOR = {"python-socketio": "5.18.1", "python-engineio": "4.15.1"}


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


_check_versions()


class QueuedEmit(socketio.AsyncManager):  # type: ignore[misc]
    """A manager whose room emits (without callbacks) queue the packet to each member in turn."""

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
        for sid, eio_sid in list(self.get_participants(namespace, to or room)):
            if sid in skip:
                continue
            if self._expiring(eio_sid):
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

    def _expiring(self, eio_sid: str) -> bool:
        """Whether the connection has missed its pings, so that Engine.IO closes it on the next send."""
        socket = self.server.eio.sockets.get(eio_sid)
        engine = self.server.eio
        return bool(socket and socket.last_ping and time.time() - socket.last_ping > engine.ping_timeout)


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


async def _poll(self: AsyncSocket) -> list[eio_packet.Packet]:
    """Engine.IO's AsyncSocket.poll, waiting under asyncio.timeout instead of wait_for."""
    try:
        async with asyncio.timeout(self.server.ping_interval + self.server.ping_timeout):
            packets = [await self.queue.get()]
        self.queue.task_done()
    except (TimeoutError, asyncio.CancelledError):
        raise eio_exceptions.QueueEmpty() from None
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


# Only over the poll this was written against: a later Engine.IO that waits differently keeps its own.
if sys.version_info < (3, 12) and "wait_for" in AsyncSocket.poll.__code__.co_names:
    AsyncSocket.poll = _poll
