"""The hub's room emit (signalling/delivery.py) against real clients over uvicorn: it must deliver
exactly as python-socketio's own does, in order, whichever way each frame reaches the wire; and
Engine.IO's poll as the hub replaces it must end and wait as Engine.IO's own."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import engineio
import msgpack
import pytest
import socketio
import uvicorn
from engineio import exceptions as eio_exceptions
from engineio.async_socket import AsyncSocket
from websockets.asyncio.client import ClientConnection, connect

from signalling import delivery
from signalling.delivery import QueuedEmit
from tests.client import until
from tests.conftest import free_port, serving_app

# Socket.IO packet types.
CONNECT, EVENT = 0, 2


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


class RawMember:
    """A member on a bare `websockets` client, which offers permessage-deflate as browsers do, and
    reads only when asked: while it does not, the server's writes to it back up."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    @asynccontextmanager
    async def connected(cls, url: str) -> AsyncIterator[RawMember]:
        address = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        async with connect(address, max_size=None) as ws:
            opening = await ws.recv()
            assert isinstance(opening, str) and opening.startswith("0"), opening
            await ws.send(msgpack.packb({"type": CONNECT, "data": None, "nsp": "/"}))
            reply = msgpack.unpackb(await ws.recv())
            assert reply["type"] == CONNECT, reply
            yield cls(ws)

    async def news(self, count: int) -> list[Any]:
        """The next `count` "news" events' data, answering Engine.IO's pings on the way."""
        heard: list[Any] = []
        while len(heard) < count:
            message = await self.ws.recv()
            if message == "2":
                await self.ws.send("3")
            elif isinstance(message, bytes):
                packet = msgpack.unpackb(message)
                if packet["type"] == EVENT and packet["data"][0] == "news":
                    heard.append(packet["data"][1])
        return heard


def recording(app: Any, protocols: list[Any]) -> Any:
    """`app`, noting the ASGI server's protocol object behind each WebSocket's `send` (passed on as it
    is, so that the hub still recognises it)."""

    async def recorded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            protocols.append(send.__self__)
        await app(scope, receive, send)

    return recorded


async def test_a_room_emit_reaches_every_member_but_the_skipped_and_the_closed() -> None:
    sio, sids = room_server()
    async with serving_app(socketio.ASGIApp(sio), free_port()) as url, listeners(url, 4) as heard:
        # The second member's engine socket has closed while the member is still in the room: the
        # engine forgets it at the first send (python-socketio's ordinary path) and sends it nothing.
        closing = sio.eio.sockets[sio.manager.eio_sid_from_sid(sids[1], "/")]
        closing.closed = True
        await sio.emit("news", {"n": 1}, room="room", skip_sid=sids[0])
        await sio.emit("news", ("a", 2), room="room")
        # Its connection ends the ordinary way when the client leaves.
        closing.closed = False
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


# Payload sizes on either side of WebSocket's 7-bit, 16-bit and 64-bit frame lengths.
SIZES = [0, 100, 125, 126, 1000, 65535, 65536, 70000]


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
        for n, size in enumerate(SIZES):
            await sio.emit("news", {"n": n, "text": "ü" * n, "pad": b"x" * size}, room="room")
        await until(lambda: all(len(h) == len(SIZES) for h in heard), timeout=10)
        expected = [[{"n": n, "text": "ü" * n, "pad": b"x" * size}] for n, size in enumerate(SIZES)]
        assert heard == [expected] * 6
        # Nobody was dropped on the way.
        assert len(sio.manager.rooms["/"]["room"]) == 6


async def test_members_whose_writer_is_idle_are_written_to_at_once_and_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A member on WebSocket whose writer waits on an empty queue gets the frame written by the emit
    itself, without waking the writer; one still on long-polling or upgrading, through its writer; all
    in order. (A member with frames queued: `test_a_member_whose_writes_back_up_hears_everything_in_order`.)
    """
    written: list[bool] = []
    idle_wire = delivery._idle_wire

    def watched(socket: AsyncSocket) -> Any:
        wire = idle_wire(socket)
        written.append(wire is not None)
        return wire

    monkeypatch.setattr(delivery, "_idle_wire", watched)
    sio, _ = room_server(ping_interval=1, ping_timeout=1)
    async with serving_app(socketio.ASGIApp(sio), free_port()) as url:
        upgrading = socketio.AsyncClient(serializer="msgpack", reconnection=False)
        heard_upgrading: list[Any] = []
        upgrading.on("news", lambda data: heard_upgrading.append(data))
        # Connected over long-polling, it upgrades while the emits below go out.
        await upgrading.connect(url, transports=["polling", "websocket"])
        async with listeners(url, 3) as heard:
            sent = []
            for n in range(60):
                data = {"n": n, "pad": b"x" * SIZES[n % len(SIZES)]}
                sent.append(data)
                await sio.emit("news", data, room="room")
                # Now and then the writers catch up.
                if n % 3 == 0:
                    await asyncio.sleep(0.01)
            await until(lambda: all(len(h) == len(sent) for h in heard), timeout=10)
            assert heard == [[[data] for data in sent]] * 3
            await until(lambda: len(heard_upgrading) == len(sent), timeout=10)
            assert heard_upgrading == sent
        await upgrading.disconnect()
    assert any(written)


async def test_a_member_whose_writes_back_up_hears_everything_in_order() -> None:
    """A member that stops reading: its connection stops taking data, its writer waits in the ASGI
    send, and the frames after come out behind the ones before, as they do for a member reading
    along. The stalled member negotiated permessage-deflate: the shared frames reach it uncompressed
    (compressed, as uvicorn's own send would, the padding would shrink to almost nothing and the
    connection would never back up)."""
    sio, _ = room_server()
    protocols: list[Any] = []
    app = recording(socketio.ASGIApp(sio), protocols)
    sent: list[dict[str, Any]] = []

    async def emit() -> None:
        data = {"n": len(sent), "pad": b"x" * SIZES[len(sent) % len(SIZES)]}
        sent.append(data)
        await sio.emit("news", data, room="room")

    async with (
        serving_app(app, free_port()) as url,
        RawMember.connected(url) as stalled,
        listeners(url, 1) as heard,
    ):
        assert stalled.ws.protocol.extensions, "the client offers permessage-deflate"
        stalled_protocol = protocols[0]
        # Until the stalled member's connection stops taking data, letting its writer run after each.
        async with asyncio.timeout(20):
            while stalled_protocol.writable.is_set():
                await emit()
                await asyncio.sleep(0)
        # These wait behind what its writer is sending through the ASGI send.
        for _ in range(2 * len(SIZES)):
            await emit()
        await until(lambda: len(heard[0]) == len(sent), timeout=20)
        assert heard[0] == [[data] for data in sent]
        assert await asyncio.wait_for(stalled.news(len(sent)), 20) == sent
        # And it still hears what comes after, straight from the writer again.
        await until(lambda: stalled_protocol.writable.is_set(), timeout=5)
        await emit()
        assert await asyncio.wait_for(stalled.news(1), 5) == sent[-1:]


async def test_under_another_websocket_implementation_members_hear_the_same() -> None:
    """The frame goes straight to the transport only under uvicorn's default WebSocket protocol; under
    wsproto every send takes the ASGI path."""
    sio, _ = room_server()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(socketio.ASGIApp(sio), host="127.0.0.1", port=port, log_level="warning", ws="wsproto")
    )
    task = asyncio.create_task(server.serve())
    try:
        await until(lambda: server.started or task.done(), timeout=10)
        async with listeners(f"http://127.0.0.1:{port}", 2) as heard:
            for n, size in enumerate(SIZES):
                await sio.emit("news", {"n": n, "pad": b"x" * size}, room="room")
            await until(lambda: all(len(h) == len(SIZES) for h in heard), timeout=10)
            assert heard == [[[{"n": n, "pad": b"x" * size}] for n, size in enumerate(SIZES)]] * 2
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


# Engine.IO's poll, as the hub replaces it, on a real engine's socket.


def engine_socket(ping_interval: float, ping_timeout: float) -> AsyncSocket:
    server = engineio.AsyncServer(async_mode="asgi", ping_interval=ping_interval, ping_timeout=ping_timeout)
    return AsyncSocket(server, "sid")


async def test_an_idle_poll_ends_after_the_ping_interval_and_timeout() -> None:
    socket = engine_socket(0.2, 0.1)
    started = time.monotonic()
    with pytest.raises(eio_exceptions.QueueEmpty):
        await socket.poll()
    assert 0.3 <= time.monotonic() - started < 3.0
    # Ending the wait left no cancellation pending on the task.
    current = asyncio.current_task()
    assert current is not None and current.cancelling() == 0
    await asyncio.sleep(0)


async def test_a_poll_that_keeps_getting_packets_never_ends() -> None:
    """Each wait is shorter than the limit though all of them together are longer."""
    socket = engine_socket(0.2, 0.1)

    async def feed() -> None:
        for n in range(8):
            await asyncio.sleep(0.15)
            socket.queue.put_nowait(n)
        socket.queue.put_nowait(None)

    feeder = asyncio.create_task(feed())
    got: list[Any] = []
    while packets := await socket.poll():
        got += packets
    await feeder
    assert got == list(range(8))


async def test_a_poll_returns_what_is_queued_up_to_the_stop() -> None:
    socket = engine_socket(25, 20)
    for item in ["a", "b", None, "c"]:
        socket.queue.put_nowait(item)
    assert await socket.poll() == ["a", "b"]
    # As in Engine.IO's own poll, the stop goes back to the end of the queue: whatever was queued
    # after it comes first.
    assert await socket.poll() == ["c"]
    assert await socket.poll() == []
    # Every packet taken is marked done, so a close that waits for the queue does not hang.
    await asyncio.wait_for(socket.queue.join(), 1)


async def test_a_poll_cancelled_from_outside_ends_as_engineio_s_own() -> None:
    socket = engine_socket(25, 20)
    polling = asyncio.create_task(socket.poll())
    await asyncio.sleep(0.05)
    polling.cancel()
    with pytest.raises(eio_exceptions.QueueEmpty):
        await polling


async def test_a_newer_poll_ends_the_one_still_waiting_which_takes_nothing() -> None:
    """A client keeps one long-poll open: a second one means it gave up the first (its connection broke,
    and its HTTP library sent the GET again), whose answer would go nowhere."""
    socket = engine_socket(25, 20)
    given_up = asyncio.create_task(socket.poll())
    await asyncio.sleep(0.05)
    again = asyncio.create_task(socket.poll())
    await asyncio.sleep(0.05)
    assert given_up.done() and [p.packet_type for p in given_up.result()] == [engineio.packet.NOOP]
    socket.queue.put_nowait("next")
    assert await asyncio.wait_for(again, 1) == ["next"]
    assert given_up.cancelling() == 0
