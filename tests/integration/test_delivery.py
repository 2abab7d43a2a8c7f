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
    async with serving_app(socketio.ASGIApp(sio), free_port()) as url, listeners(url, 5) as heard:
        # The second member takes Engine.IO's queue (as a polling member would), and that send fails.
        failing = sio.manager.eio_sid_from_sid(sids[1], "/")
        del sio.manager.wires[failing]
        send = sio._send_eio_packet

        async def flaky(eio_sid: str, pkt: Any) -> None:
            if eio_sid == failing:
                raise ConnectionResetError("gone")
            await send(eio_sid, pkt)

        sio._send_eio_packet = flaky  # type: ignore[method-assign]
        # The last member's first direct write fails: that event goes by the queue instead.
        protocol = sio.manager.wires[sio.manager.eio_sid_from_sid(sids[4], "/")]
        protocol.transport = FailsOnce(protocol.transport)
        await sio.emit("news", {"n": 1}, room="room", skip_sid=sids[0])
        await sio.emit("news", ("a", 2), room="room")
        # Everything is written or queued once emit returns; a moment more for the sockets to carry it.
        await asyncio.sleep(0.3)
        # A tuple is several arguments, as python-socketio has it.
        assert heard == [[["a", 2]], [], *[[[{"n": 1}], ["a", 2]]] * 3]
        assert protocol.transport.failed


class FailsOnce:
    """A transport whose first write raises, as a connection's can while it goes away."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.failed = False

    def write(self, data: bytes) -> None:
        if not self.failed:
            self.failed = True
            raise ConnectionResetError("gone")
        self.transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


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


def ordinary_path(sio: socketio.AsyncServer) -> dict[str, int]:
    """How many packets each Engine.IO sid was sent through Engine.IO's queue (the ordinary path)
    from now on; what went straight to a connection's transport is not counted."""
    counts: dict[str, int] = {}
    send = sio._send_eio_packet

    async def counted(eio_sid: str, pkt: Any) -> None:
        counts[eio_sid] = counts.get(eio_sid, 0) + 1
        await send(eio_sid, pkt)

    sio._send_eio_packet = counted  # type: ignore[method-assign]
    return counts


def news_packet(sio: socketio.AsyncServer, *args: Any) -> Any:
    """A "news" event as the bytes Engine.IO carries, for queueing through Engine.IO's own send."""
    return sio.packet_class(socketio.packet.EVENT, namespace="/", data=["news", *args]).encode()


async def test_every_member_hears_every_event_in_order_whichever_way_it_goes() -> None:
    """Idle WebSocket members are written to directly; a member with packets queued, members on
    long-polling and one upgrading from it while the events go out take Engine.IO's queue. Each hears
    all 200 room events, and the one also sent direct events hears those between them, in order."""
    events = 200
    sio, sids = room_server(ping_interval=1, ping_timeout=1)
    transports = ["websocket", "websocket", "websocket", "polling", "polling"]
    async with serving_app(socketio.ASGIApp(sio), free_port()) as url, listeners(url, 5, transports) as heard:
        # One more connects on long-polling and upgrades to WebSocket while the events go out.
        upgrading: list[list[Any]] = []
        late = socketio.AsyncClient(serializer="msgpack", reconnection=False)
        late.on("news", lambda *args: upgrading.append(list(args)))
        await late.connect(url)
        heard.append(upgrading)
        engine = [sio.manager.eio_sid_from_sid(sid, "/") for sid in sids]
        ordinary = ordinary_path(sio)
        queued = engine[0]
        expected: list[list[list[Any]]] = [[] for _ in sids]
        for n in range(events):
            if n % 7 == 0:
                # Queued through Engine.IO just before the room event: it must arrive first.
                await sio.eio.send(queued, news_packet(sio, "direct", n))
                expected[0].append(["direct", n])
            await sio.emit("news", ("room", n), room="room")
            for mine in expected:
                mine.append(["room", n])
            if n % 3 == 0:
                # Let the writers run, so that most sends find them idle again.
                await asyncio.sleep(0)
        await until(lambda: all(len(h) == len(e) for h, e in zip(heard, expected, strict=True)), timeout=10)
        await late.disconnect()
        assert heard == expected
        assert [sio.transport(sid) for sid in sids] == [*transports, "websocket"]
        # The first member had packets queued at each of its direct events; the polling members had
        # only the queue; the idle WebSocket members went direct but for a ping's wake-up now and then.
        assert ordinary.get(queued, 0) >= events // 7
        assert [ordinary.get(e, 0) for e in engine[3:5]] == [events, events]
        assert all(ordinary.get(e, 0) < events // 2 for e in engine[1:3])


async def test_nothing_is_lost_when_connections_close_during_a_broadcast() -> None:
    """One member disconnects and another's connection drops under the server while events go out:
    the others hear every event, in order, and the two heard a prefix of them, in order."""
    events = 200
    sio, sids = room_server(ping_interval=1, ping_timeout=1)
    left: list[str] = []

    @sio.on("disconnect")
    async def disconnect(sid: str, reason: Any = None) -> None:
        left.append(sid)

    async with serving_app(socketio.ASGIApp(sio), free_port()) as url:
        heard: list[list[Any]] = [[] for _ in range(5)]
        clients = []
        for mine in heard:
            client = socketio.AsyncClient(serializer="msgpack", reconnection=False)
            client.on("news", lambda n, mine=mine: mine.append(n))
            await client.connect(url, transports=["websocket"])
            clients.append(client)
        wires = sio.manager.wires
        dropped = sio.manager.eio_sid_from_sid(sids[1], "/")
        assert set(wires) == {sio.manager.eio_sid_from_sid(sid, "/") for sid in sids}
        for n in range(events):
            if n == 60:
                leaving = asyncio.create_task(clients[0].disconnect())
            if n == 90:
                wires[dropped].transport.abort()
            await sio.emit("news", n, room="room")
            await asyncio.sleep(0)
        await leaving
        await until(
            lambda: all(len(h) == events for h in heard[2:]) and len(left) == 2 and len(wires) == 3,
            timeout=10,
        )
        assert heard[2:] == [list(range(events))] * 3
        for partial in heard[:2]:
            assert partial == list(range(len(partial)))
        assert sorted(left) == sorted(sids[:2])
        # Their connections' records went with them.
        assert dropped not in wires
        for client in clients[1:]:
            await client.disconnect()
