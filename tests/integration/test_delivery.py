"""The hub's room emit (signalling/delivery.py) against real python-socketio clients over uvicorn: it
must deliver exactly as python-socketio's own does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import socketio

from signalling.delivery import QueuedEmit
from tests.client import until
from tests.conftest import free_port, serving_app


def room_server(**options: Any) -> tuple[socketio.AsyncServer, list[str]]:
    """A server with the hub's manager that puts every connection in "room"; the sids in order."""
    sio = socketio.AsyncServer(
        async_mode="asgi", serializer="msgpack", client_manager=QueuedEmit(), **options
    )
    sids: list[str] = []

    @sio.on("connect")
    async def connect(sid: str, environ: dict[str, Any]) -> None:
        await sio.enter_room(sid, "room")
        sids.append(sid)

    return sio, sids


@asynccontextmanager
async def listeners(
    url: str, count: int, transports: list[str] | None = None
) -> AsyncIterator[list[list[Any]]]:
    """`count` connected clients; what each heard of "news", one list of arguments per event. Each
    client connects on the next of `transports` in turn (polling clients never upgrade)."""
    heard: list[list[Any]] = [[] for _ in range(count)]
    clients = []
    for n, mine in enumerate(heard):
        client = socketio.AsyncClient(serializer="msgpack", reconnection=False)
        client.on("news", lambda *args, mine=mine: mine.append(list(args)))
        transport = (transports or ["websocket"])[n % len(transports or ["websocket"])]
        await client.connect(url, transports=[transport])
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


async def test_a_room_of_polling_and_websocket_members_hears_every_event() -> None:
    """A frame shared between transports was once sent to a polling member in WebSocket's form,
    and Engine.IO dropped that member."""
    # Short pings: a long-poll held open would keep the server from stopping at the end.
    sio, sids = room_server(ping_interval=1, ping_timeout=1)
    # Both orders: whichever transport encodes a shared frame first once decided the other's form.
    transports = ["websocket", "polling", "polling", "websocket"]
    async with serving_app(socketio.ASGIApp(sio), free_port()) as url, listeners(url, 6, transports) as heard:
        kinds = [sio.transport(sid) for sid in sids]
        assert kinds == [*transports, *transports[:2]]
        for n in range(5):
            await sio.emit("news", {"n": n, "text": "ü" * n}, room="room")
        await until(lambda: all(len(h) == 5 for h in heard), timeout=5)
        expected = [[{"n": n, "text": "ü" * n}] for n in range(5)]
        assert heard == [expected] * 6
        # Nobody was dropped on the way.
        assert len(sio.manager.rooms["/"]["room"]) == 6
