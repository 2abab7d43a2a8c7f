"""The hub's room emit (signalling/delivery.py) against real python-socketio clients over uvicorn: it
must deliver exactly as python-socketio's own does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import socketio

from signalling.delivery import QueuedEmit
from tests.conftest import free_port, serving_app


def room_server() -> tuple[socketio.AsyncServer, list[str]]:
    """A server with the hub's manager that puts every connection in "room"; the sids in order."""
    sio = socketio.AsyncServer(async_mode="asgi", serializer="msgpack", client_manager=QueuedEmit())
    sids: list[str] = []

    @sio.on("connect")
    async def connect(sid: str, environ: dict[str, Any]) -> None:
        await sio.enter_room(sid, "room")
        sids.append(sid)

    return sio, sids


@asynccontextmanager
async def listeners(url: str, count: int) -> AsyncIterator[list[list[Any]]]:
    """`count` connected clients; what each heard of "news", one list of arguments per event."""
    heard: list[list[Any]] = [[] for _ in range(count)]
    clients = []
    for mine in heard:
        client = socketio.AsyncClient(serializer="msgpack")
        client.on("news", lambda *args, mine=mine: mine.append(list(args)))
        await client.connect(url, transports=["websocket"])
        clients.append(client)
    yield heard
    for client in clients:
        await client.disconnect()


async def test_a_room_emit_reaches_every_member_but_the_skipped_even_past_a_failed_send() -> None:
    sio, sids = room_server()
    async with serving_app(socketio.ASGIApp(sio), free_port()) as url, listeners(url, 4) as heard:
        # The second member's connection fails as the emit reaches it.
        failing = sio.manager.eio_sid_from_sid(sids[1], "/")
        send = sio._send_eio_packet

        async def flaky(eio_sid: str, pkt: Any) -> None:
            if eio_sid == failing:
                raise ConnectionResetError("gone")
            await send(eio_sid, pkt)

        sio._send_eio_packet = flaky  # type: ignore[method-assign]
        await sio.emit("news", {"n": 1}, room="room", skip_sid=sids[0])
        await sio.emit("news", ("a", 2), room="room")
        # Everything is queued once emit returns; a moment more for the sockets to carry it.
        await asyncio.sleep(0.3)
        # A tuple is several arguments, as python-socketio has it.
        assert heard == [[["a", 2]], [], [[{"n": 1}], ["a", 2]], [[{"n": 1}], ["a", 2]]]


async def test_a_connection_past_its_pings_is_closed_without_holding_up_the_room() -> None:
    sio, sids = room_server()
    leaving = asyncio.Event()
    left: list[str] = []

    @sio.on("disconnect")
    async def disconnect(sid: str, reason: Any = None) -> None:
        # The hub commits the leave here; this one waits until the emit is over.
        await leaving.wait()
        left.append(sid)

    async with serving_app(socketio.ASGIApp(sio), free_port()) as url, listeners(url, 3) as heard:
        silent = sio.manager.eio_sid_from_sid(sids[0], "/")
        sio.eio.sockets[silent].last_ping = 1.0  # its pongs stopped long ago
        # Were the emit to wait for the silent member's disconnect, it would wait for ever.
        await asyncio.wait_for(sio.emit("news", {"n": 1}, room="room"), 5)
        leaving.set()
        await asyncio.sleep(0.3)
        assert heard[1:] == [[[{"n": 1}]], [[{"n": 1}]]]
        assert left == [sids[0]]
