"""Malformed frames over a raw WebSocket: one warning per connection and no traceback, the connection closed
after a few, and the hub still serving everyone else."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import msgpack
import pytest
import websockets

from signalling.frames import LIMIT
from tests.client import joined
from tests.conftest import RunningHub

GARBAGE: list[str | bytes] = [
    "hello",  # not an Engine.IO packet
    "",  # empty
    "bZZ*",  # base64 that is not
    "4garbage",  # a text message, where every Socket.IO packet is msgpack
    b"\xc1garbage",  # not msgpack
    msgpack.packb({"type": 2, "nsp": "/", "data": 5}),  # an event that is not a list
    msgpack.packb([1, 2, 3]),  # msgpack, not a packet
]


async def socket(hub: RunningHub, member: str) -> websockets.ClientConnection:
    """A raw WebSocket with the Engine.IO and Socket.IO handshakes done."""
    url = hub.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    ws = await websockets.connect(url)
    opened = await ws.recv()
    assert isinstance(opened, str) and opened.startswith("0")
    assert json.loads(opened[1:])["sid"]
    await ws.send(msgpack.packb({"type": 0, "nsp": "/", "data": {"token": hub.links[member]}}))
    connected = msgpack.unpackb(await ws.recv())
    assert connected["type"] == 0 and "sid" in connected["data"]
    await join(ws, 1)
    return ws


async def join(ws: websockets.ClientConnection, ack: int) -> None:
    """`meeting.join` and its acknowledgement, skipping whatever else arrives."""
    await ws.send(msgpack.packb({"type": 2, "nsp": "/", "data": ["meeting.join", {}], "id": ack}))
    async with asyncio.timeout(10):
        while True:
            reply = await ws.recv()
            if isinstance(reply, bytes) and msgpack.unpackb(reply).get("id") == ack:
                return


async def closed(ws: websockets.ClientConnection) -> bool:
    try:
        async with asyncio.timeout(10):
            while True:
                await ws.recv()
    except websockets.ConnectionClosed:
        return True


@pytest.mark.parametrize("frame", GARBAGE, ids=range(len(GARBAGE)))
async def test_malformed_frames_are_logged_once_and_close_the_connection(
    hub_server: RunningHub, frame: str | bytes, caplog: pytest.LogCaptureFixture
) -> None:
    chair = await joined(hub_server, "m001")
    caplog.set_level(logging.WARNING)
    ws = await socket(hub_server, "m002")
    await chair.wait_until(lambda c: c.present() == {"m001", "m002"})
    for _ in range(LIMIT - 1):
        await ws.send(frame)
    # Below the limit the connection still works.
    await join(ws, 2)
    await ws.send(frame)
    assert await closed(ws)
    # The member's connection is gone from the meeting, as after any disconnect.
    await chair.wait_until(lambda c: c.present() == {"m001"})

    warnings = [r for r in caplog.records if r.name == "signalling.frames"]
    assert len(warnings) == 1 and "malformed frame" in warnings[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)
    assert "Traceback" not in caplog.text
    # Others are still served.
    await chair.ok("meeting.set_status", {"status": "open"})
    await chair.disconnect()


async def test_many_connections_each_log_once(
    hub_server: RunningHub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    sockets = [await socket(hub_server, m) for m in ("m002", "m007", "m025")]
    for ws in sockets:
        for _ in range(LIMIT):
            await ws.send(b"\xc1")
    assert all(await asyncio.gather(*(closed(ws) for ws in sockets)))
    warnings = [r for r in caplog.records if r.name == "signalling.frames"]
    assert len(warnings) == 3
    assert not any(r.exc_info for r in caplog.records)


async def test_a_malformed_packet_over_long_polling_is_ignored_quietly(
    hub_server: RunningHub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        opened = (await http.get("/socket.io/", params={"EIO": "4", "transport": "polling"})).text
        sid = json.loads(opened[1:])["sid"]
        query = {"EIO": "4", "transport": "polling", "sid": sid}
        for body in ("4garbage", "bwcE="):  # a text message; base64 of bytes that are not msgpack
            assert (await http.post("/socket.io/", params=query, content=body)).text == "OK"
    assert not any(r.exc_info for r in caplog.records)
    assert "Traceback" not in caplog.text
